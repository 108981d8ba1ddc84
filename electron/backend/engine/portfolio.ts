/**
 * Portfolios (DESIGN.md §4): validation of the plain-data shape, per-position margin reports, and
 * the conversion of the accounts that take part in a replay into cascade positions.
 *
 * One-way mode: a cross account's positions in the replayed symbol are netted into one position
 * (same side only; both sides in one symbol is rejected). Its other symbols are held at their
 * marks: their maintenance margin is TMM1 and their unrealised PnL is UPNL1 of Binance's formula.
 */
import { fail, ok, type Result } from './result';
import type { VenueRules } from './venue-rules';
import { bracketForNotional } from './brackets';
import type { DynamicPosition } from './cascade';
import { bankruptcyPrice, liquidationPrice, marginCallPrice, marginRatio, maintenanceMargin } from './linear-margin';
import { inverseBankruptcyPrice, inverseLiquidationPrice, inverseMarginFromLeverage, inversePnl } from './inverse-margin';
import { healthFactor, lendingLiquidationPrice } from './lending';
import { notional, price, qty, sideSign, type SideSign } from './units';

/** A position as a user enters it. Isolated positions carry `margin` or `leverage`. */
export interface PortfolioPosition {
  readonly id: string;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  /** Base quantity; USD contracts for inverse; collateral units for lending. */
  readonly qty: number;
  readonly entry: number;
  readonly leverage?: number;
  readonly margin?: number;
  /** UTC seconds. */
  readonly openedAt?: number;
  /** Lending only: debt in quote currency. */
  readonly debt?: number;
}

/** An account on one venue. */
export interface PortfolioAccount {
  readonly id: string;
  readonly venue: string;
  readonly mode: 'cross' | 'isolated';
  /** Cross wallet balance (ignored for isolated positions' liquidation). */
  readonly wallet: number;
  readonly positions: readonly PortfolioPosition[];
}

/** A set of accounts. */
export interface Portfolio {
  readonly name?: string;
  readonly accounts: readonly PortfolioAccount[];
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const bad = (message: string, field: string) => fail<never>('invalid_portfolio', message, field);

/** Validate the plain-data shape (no venue knowledge). Errors name the field, e.g. `accounts[0].positions[2].qty`. */
export function validatePortfolio(json: unknown): Result<Portfolio> {
  if (!isObj(json)) return bad('a portfolio must be a JSON object', '');
  const accountsRaw = json['accounts'];
  if (!Array.isArray(accountsRaw)) return bad('accounts must be an array', 'accounts');
  const accounts: PortfolioAccount[] = [];
  const ids = new Set<string>();
  for (let a = 0; a < accountsRaw.length; a++) {
    const ap = `accounts[${a}]`;
    const acc: unknown = accountsRaw[a];
    if (!isObj(acc)) return bad(`${ap} must be an object`, ap);
    if (typeof acc['id'] !== 'string' || !acc['id']) return bad(`${ap}.id must be a non-empty string`, `${ap}.id`);
    if (typeof acc['venue'] !== 'string' || !acc['venue']) return bad(`${ap}.venue must be a non-empty string`, `${ap}.venue`);
    if (acc['mode'] !== 'cross' && acc['mode'] !== 'isolated') return bad(`${ap}.mode must be "cross" or "isolated"`, `${ap}.mode`);
    const wallet = acc['wallet'] ?? 0;
    if (typeof wallet !== 'number' || !Number.isFinite(wallet) || wallet < 0) return bad(`${ap}.wallet must be a number ≥ 0`, `${ap}.wallet`);
    const posRaw = acc['positions'];
    if (!Array.isArray(posRaw)) return bad(`${ap}.positions must be an array`, `${ap}.positions`);
    const positions: PortfolioPosition[] = [];
    for (let p = 0; p < posRaw.length; p++) {
      const pp = `${ap}.positions[${p}]`;
      const pos: unknown = posRaw[p];
      if (!isObj(pos)) return bad(`${pp} must be an object`, pp);
      const id = pos['id'];
      if (typeof id !== 'string' || !id) return bad(`${pp}.id must be a non-empty string`, `${pp}.id`);
      if (ids.has(id)) return bad(`${pp}.id "${id}" is used twice`, `${pp}.id`);
      ids.add(id);
      if (typeof pos['symbol'] !== 'string' || !pos['symbol']) return bad(`${pp}.symbol must be a non-empty string`, `${pp}.symbol`);
      if (pos['side'] !== 'long' && pos['side'] !== 'short') return bad(`${pp}.side must be "long" or "short"`, `${pp}.side`);
      for (const k of ['qty', 'entry'] as const) {
        const v = pos[k];
        if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return bad(`${pp}.${k} must be a number > 0`, `${pp}.${k}`);
      }
      for (const k of ['leverage', 'margin', 'openedAt', 'debt'] as const) {
        const v = pos[k];
        if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) return bad(`${pp}.${k} must be a number ≥ 0`, `${pp}.${k}`);
      }
      if (pos['leverage'] !== undefined && (pos['leverage'] as number) < 1) return bad(`${pp}.leverage must be ≥ 1`, `${pp}.leverage`);
      if (acc['mode'] === 'isolated' && pos['leverage'] === undefined && pos['margin'] === undefined && pos['debt'] === undefined)
        return bad(`${pp} is isolated and needs margin or leverage`, `${pp}.margin`);
      positions.push(pos as unknown as PortfolioPosition);
    }
    accounts.push({ id: acc['id'], venue: acc['venue'], mode: acc['mode'], wallet, positions });
  }
  const name = json['name'];
  return ok(typeof name === 'string' ? { name, accounts } : { accounts });
}

/** Every position's symbol is known to the venue and its leverage within the tier's maximum. */
function checkPositionsAgainstRules(acc: PortfolioAccount, a: number, rules: VenueRules, contract: 'linear' | 'inverse'): Result<never> | undefined {
  for (let p = 0; p < acc.positions.length; p++) {
    const pos = acc.positions[p]!;
    const sym = rules.symbols[pos.symbol];
    if (!sym) return fail('unknown_symbol', `${rules.venue} (${rules.effective}) has no rules for ${pos.symbol}`, `accounts[${a}].positions[${p}].symbol`);
    if (pos.leverage !== undefined) {
      const b = bracketForNotional(sym.brackets, contract === 'inverse' ? pos.qty / pos.entry : pos.qty * pos.entry);
      if (pos.leverage > b.maxLeverage) return fail('invalid_portfolio', `leverage ${pos.leverage} exceeds ${b.maxLeverage}x allowed at this size on ${rules.venue}`, `accounts[${a}].positions[${p}].leverage`);
    }
  }
  return undefined;
}

/** Margin of an isolated position: given, or notional / leverage (coin for inverse). */
function isolatedMargin(p: PortfolioPosition, contract: 'linear' | 'inverse'): number {
  if (p.margin !== undefined) return p.margin;
  const lev = p.leverage ?? 1;
  return contract === 'inverse' ? inverseMarginFromLeverage(p.qty, p.entry, lev) : (p.qty * p.entry) / lev;
}

/** Margin figures of one position (or netted cross position) at a mark. Plain data. */
export interface PositionMargin {
  readonly accountId: string;
  readonly positionId: string;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly mode: 'cross' | 'isolated' | 'lending';
  readonly qty: number;
  readonly entry: number;
  readonly mark: number;
  readonly notional: number;
  readonly mmr: number;
  readonly cum: number;
  readonly maintenanceMargin: number;
  readonly liquidationPrice: number;
  readonly bankruptcyPrice: number;
  readonly marginCallPrice: number;
  readonly marginRatio: number;
  /** (mark − liquidation) / mark for longs, (liquidation − mark) / mark for shorts. */
  readonly distanceToLiquidation: number;
  /** Lending only. */
  readonly healthFactor?: number;
}

interface NetPosition {
  readonly id: string;
  readonly symbol: string;
  readonly side: SideSign;
  readonly qty: number;
  readonly entry: number;
  readonly openedAt: number;
  readonly source: PortfolioPosition;
}

/** Net a cross account's positions per symbol (one-way mode). */
function netCross(acc: PortfolioAccount, accountIndex: number): Result<NetPosition[]> {
  const bySymbol = new Map<string, PortfolioPosition[]>();
  for (const p of acc.positions) bySymbol.set(p.symbol, [...(bySymbol.get(p.symbol) ?? []), p]);
  const out: NetPosition[] = [];
  for (const [symbol, list] of bySymbol) {
    const side = sideSign(list[0]!.side);
    if (list.some((p) => sideSign(p.side) !== side))
      return bad(`account ${acc.id} holds both long and short ${symbol}; one-way mode nets them — enter the net position`, `accounts[${accountIndex}].positions`);
    const q = list.reduce((s, p) => s + p.qty, 0);
    const entry = list.reduce((s, p) => s + p.qty * p.entry, 0) / q;
    out.push({ id: list.length === 1 ? list[0]!.id : `${acc.id}/${symbol}`, symbol, side, qty: q, entry, openedAt: Math.max(...list.map((p) => p.openedAt ?? 0)), source: list[0]! });
  }
  return ok(out);
}

/**
 * Margin report per position at `marks` (symbol → mark; a missing mark uses the entry price).
 * `rulesByVenue` holds the table in force for each venue of the portfolio.
 */
export function computeMargins(portfolio: Portfolio, marks: Readonly<Record<string, number>>, rulesByVenue: Readonly<Record<string, VenueRules>>, marginCallRatio = 0.8): Result<PositionMargin[]> {
  const rows: PositionMargin[] = [];
  for (let a = 0; a < portfolio.accounts.length; a++) {
    const acc = portfolio.accounts[a]!;
    const rules = rulesByVenue[acc.venue];
    if (!rules) return fail('no_rules_in_force', `no rule table for venue ${acc.venue}`, `accounts[${a}].venue`);
    if (rules.model === 'lending') {
      for (let p = 0; p < acc.positions.length; p++) {
        const pos = acc.positions[p]!;
        const asset = rules.lending!.assets[pos.symbol];
        if (!asset) return fail('unknown_symbol', `${rules.venue} has no collateral asset ${pos.symbol}`, `accounts[${a}].positions[${p}].symbol`);
        const mark = marks[pos.symbol] ?? pos.entry;
        const lp = { collateralAmount: pos.qty, debt: pos.debt ?? 0 };
        const liq = lendingLiquidationPrice(lp, asset);
        const hf = healthFactor(lp, mark, asset);
        rows.push({
          accountId: acc.id, positionId: pos.id, symbol: pos.symbol, side: 'long', mode: 'lending', qty: pos.qty, entry: pos.entry, mark,
          notional: pos.qty * mark, mmr: asset.liquidationThreshold, cum: 0, maintenanceMargin: pos.debt ?? 0,
          liquidationPrice: liq, bankruptcyPrice: (pos.debt ?? 0) / pos.qty, marginCallPrice: liq / marginCallRatio,
          marginRatio: 1 / hf, distanceToLiquidation: (mark - liq) / mark, healthFactor: hf,
        });
      }
      continue;
    }
    const contract = rules.model === 'inverse' ? 'inverse' : 'linear';
    const checked = checkPositionsAgainstRules(acc, a, rules, contract);
    if (checked) return checked;
    const units: { net: NetPosition; wallet: number; tmm: number; upnl: number }[] = [];
    if (acc.mode === 'isolated') {
      for (const pos of acc.positions) {
        units.push({ net: { id: pos.id, symbol: pos.symbol, side: sideSign(pos.side), qty: pos.qty, entry: pos.entry, openedAt: pos.openedAt ?? 0, source: pos }, wallet: isolatedMargin(pos, contract), tmm: 0, upnl: 0 });
      }
    } else {
      if (contract === 'inverse') return fail('unsupported', 'cross margin is modelled for linear venues only', `accounts[${a}].mode`);
      const nets = netCross(acc, a);
      if (!nets.ok) return nets;
      for (const n of nets.value) {
        let tmm = 0;
        let upnl = 0;
        for (const o of nets.value) {
          if (o === n) continue;
          const m = marks[o.symbol] ?? o.entry;
          tmm += maintenanceMargin(rules.symbols[o.symbol]!.brackets, qty(o.qty), price(m));
          upnl += o.side * o.qty * (m - o.entry);
        }
        units.push({ net: n, wallet: acc.wallet, tmm, upnl });
      }
    }
    for (const u of units) {
      const n = u.net;
      const br = rules.symbols[n.symbol]!.brackets;
      const mark = marks[n.symbol] ?? n.entry;
      if (contract === 'inverse') {
        const liq = inverseLiquidationPrice(br, n.side, n.qty, n.entry, u.wallet);
        const value = n.qty / mark;
        const b = bracketForNotional(br, value);
        const mm = b.mmr * value;
        const equity = u.wallet + inversePnl(n.side, n.qty, n.entry, mark);
        const scaled = br.map((x) => ({ ...x, mmr: x.mmr / marginCallRatio }));
        rows.push({
          accountId: acc.id, positionId: n.id, symbol: n.symbol, side: n.side > 0 ? 'long' : 'short', mode: acc.mode, qty: n.qty, entry: n.entry, mark,
          notional: n.qty, mmr: b.mmr, cum: 0, maintenanceMargin: mm, liquidationPrice: liq.price,
          bankruptcyPrice: inverseBankruptcyPrice(n.side, n.qty, n.entry, u.wallet),
          marginCallPrice: inverseLiquidationPrice(scaled, n.side, n.qty, n.entry, u.wallet).price,
          marginRatio: equity > 0 ? mm / equity : Number.POSITIVE_INFINITY, distanceToLiquidation: (n.side * (mark - liq.price)) / mark,
        });
        continue;
      }
      const input = { side: n.side, qty: qty(n.qty), entry: price(n.entry), walletBalance: notional(u.wallet), otherMaintenance: notional(u.tmm), otherUnrealizedPnl: notional(u.upnl) };
      const liq = liquidationPrice(br, input);
      const b = bracketForNotional(br, n.qty * mark);
      rows.push({
        accountId: acc.id, positionId: n.id, symbol: n.symbol, side: n.side > 0 ? 'long' : 'short', mode: acc.mode, qty: n.qty, entry: n.entry, mark,
        notional: n.qty * mark, mmr: b.mmr, cum: b.cum, maintenanceMargin: maintenanceMargin(br, qty(n.qty), price(mark)),
        liquidationPrice: liq.price, bankruptcyPrice: bankruptcyPrice(input), marginCallPrice: marginCallPrice(br, input, marginCallRatio).price,
        marginRatio: marginRatio(br, input, price(mark)), distanceToLiquidation: (n.side * (mark - liq.price)) / mark,
      });
    }
  }
  return ok(rows);
}

/** A portfolio position that does not take part in a replay, and why. */
export interface SkippedPosition {
  readonly positionId: string;
  readonly reason: string;
}

/**
 * The positions of `portfolio` that a replay of `symbol` on `rules.venue` simulates, as cascade
 * positions. Other venues and other symbols of isolated accounts are skipped (with a reason);
 * other symbols of cross accounts are held at `marks` and enter as TMM1/UPNL1.
 */
export function portfolioToCascadePositions(
  portfolio: Portfolio,
  rules: VenueRules,
  symbol: string,
  marks: Readonly<Record<string, number>>,
): Result<{ positions: DynamicPosition[]; skipped: SkippedPosition[] }> {
  const positions: DynamicPosition[] = [];
  const skipped: SkippedPosition[] = [];
  const contract = rules.model === 'inverse' ? 'inverse' : 'linear';
  for (let a = 0; a < portfolio.accounts.length; a++) {
    const acc = portfolio.accounts[a]!;
    if (acc.venue !== rules.venue) {
      for (const p of acc.positions) skipped.push({ positionId: p.id, reason: `account ${acc.id} is on ${acc.venue}, the replay is on ${rules.venue}` });
      continue;
    }
    if (rules.model === 'lending') {
      for (const p of acc.positions) {
        if (p.symbol !== symbol) {
          skipped.push({ positionId: p.id, reason: `collateral ${p.symbol} is not the replayed asset ${symbol}` });
          continue;
        }
        positions.push({ id: p.id, kind: 'lending', side: 1, qty: p.qty, entry: p.entry, collateral: 0, otherMaintenance: 0, debt: p.debt ?? 0, openedAt: p.openedAt ?? 0 });
      }
      continue;
    }
    const checked = checkPositionsAgainstRules(acc, a, rules, contract);
    if (checked) return checked;
    if (acc.mode === 'isolated') {
      for (const pos of acc.positions) {
        if (pos.symbol !== symbol) {
          skipped.push({ positionId: pos.id, reason: `isolated ${pos.symbol} is not the replayed symbol ${symbol}` });
          continue;
        }
        positions.push({ id: pos.id, kind: 'position', side: sideSign(pos.side), qty: pos.qty, entry: pos.entry, collateral: isolatedMargin(pos, contract), otherMaintenance: 0, openedAt: pos.openedAt ?? 0 });
      }
      continue;
    }
    if (contract === 'inverse') return fail('unsupported', 'cross margin is modelled for linear venues only', `accounts[${a}].mode`);
    const nets = netCross(acc, a);
    if (!nets.ok) return nets;
    const mine = nets.value.find((n) => n.symbol === symbol);
    if (!mine) continue;
    let tmm = 0;
    let upnl = 0;
    for (const o of nets.value) {
      if (o === mine) continue;
      const m = marks[o.symbol] ?? o.entry;
      tmm += maintenanceMargin(rules.symbols[o.symbol]!.brackets, qty(o.qty), price(m));
      upnl += o.side * o.qty * (m - o.entry);
    }
    positions.push({ id: mine.id, kind: 'position', side: mine.side, qty: mine.qty, entry: mine.entry, collateral: acc.wallet + upnl, otherMaintenance: tmm, openedAt: mine.openedAt });
  }
  return ok({ positions, skipped });
}
