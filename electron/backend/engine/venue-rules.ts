/**
 * Venue rules as data: types, a pure validator for parsed JSON rule tables, and the choice of the
 * table in force at a date.
 *
 * Rule tables live in `resources/venues/*.json` (DESIGN.md §3.1). Reading them from disk happens
 * outside the engine (see `electron/backend/engine-io/`); this module only sees parsed JSON.
 */
import { fail, ok, type Result } from './result';

/** One maintenance-margin tier ("bracket", "margin tier", "risk limit step"). */
export interface Bracket {
  /** Lowest position notional (inclusive) of the tier, in the margin currency's notional unit. */
  readonly floor: number;
  /** Highest position notional (exclusive) of the tier. */
  readonly cap: number;
  /** Maintenance margin rate of the tier. */
  readonly mmr: number;
  /** Highest leverage allowed for a position in this tier. */
  readonly maxLeverage: number;
  /** Maintenance amount ("cum", "maintenance deduction"): MM = notional·mmr − cum. */
  readonly cum: number;
}

/** Rules for one instrument. */
export interface SymbolRules {
  readonly symbol: string;
  readonly tickSize: number;
  /** Fee charged on the liquidated notional, paid to the insurance fund from what margin is left. */
  readonly liquidationFeeRate: number;
  readonly brackets: readonly Bracket[];
}

/** How a venue liquidates: whole positions, or slices with a cooldown and a backstop. */
export interface LiquidationPolicy {
  /** Positions with a notional above this are liquidated in slices (Hyperliquid: 100,000 USDC). */
  readonly partialAboveNotional: number;
  /** Share of the position sent to the market per slice (Hyperliquid: 0.2). */
  readonly sliceFraction: number;
  /** Seconds before the same position can be sliced again (Hyperliquid: 30). */
  readonly cooldownSeconds: number;
  /** Backstop (vault takes the position at mark) when equity < this × maintenance margin (2/3). */
  readonly backstopEquityToMaintenance: number;
}

/** Rules of a lending market (Aave-v3-like). */
export interface LendingRules {
  /** Share of the debt a liquidator may repay when HF is between the threshold and 1 (0.5). */
  readonly closeFactor: number;
  /** At or below this health factor the whole debt may be repaid (0.95). */
  readonly fullCloseFactorBelowHealthFactor: number;
  readonly assets: Readonly<Record<string, LendingAssetRules>>;
}

/** Rules for one collateral asset of a lending market. */
export interface LendingAssetRules {
  /** Share of the collateral's value that counts toward the health factor. */
  readonly liquidationThreshold: number;
  /** Extra collateral the liquidator receives: seized = repaid·(1 + bonus) / price. */
  readonly liquidationBonus: number;
  /** Loan-to-value ratio for new borrowing (informational here). */
  readonly ltv: number;
}

/** Which family of margin math a venue uses. */
export type VenueModel = 'linear' | 'inverse' | 'lending';

/** A validated venue rule table. */
export interface VenueRules {
  readonly venue: string;
  /** Date the table took effect, `YYYY-MM-DD` (UTC). */
  readonly effective: string;
  /** `effective` as UTC seconds at 00:00. */
  readonly effectiveSeconds: number;
  readonly source: string;
  readonly model: VenueModel;
  /** Currency margins, PnL and the insurance fund are counted in (USDT, USDC, BTC). */
  readonly marginCurrency: string;
  /** What happens to a loss the insurance fund cannot pay. */
  readonly shortfall: 'adl' | 'socialised';
  readonly symbols: Readonly<Record<string, SymbolRules>>;
  /** Present for venues that liquidate in slices (Hyperliquid-like). */
  readonly liquidation?: LiquidationPolicy;
  /** Present for lending venues. */
  readonly lending?: LendingRules;
}

const DAY = 86_400;

/** `YYYY-MM-DD` → UTC seconds, or NaN. Pure: no Date object, no clock. */
export function isoDateToSeconds(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return Number.NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return Number.NaN;
  // Days from civil (Howard Hinnant's algorithm).
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return (era * 146097 + doe - 719468) * DAY;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

function num(o: Obj, key: string, path: string, opts: { min?: number; max?: number; optional?: boolean } = {}): Result<number | undefined> {
  const v = o[key];
  if (v === undefined && opts.optional) return ok(undefined);
  if (typeof v !== 'number' || !Number.isFinite(v)) return fail('invalid_rules', `${path}.${key} must be a finite number`, `${path}.${key}`);
  if (opts.min !== undefined && v < opts.min) return fail('invalid_rules', `${path}.${key} must be ≥ ${opts.min}, got ${v}`, `${path}.${key}`);
  if (opts.max !== undefined && v > opts.max) return fail('invalid_rules', `${path}.${key} must be ≤ ${opts.max}, got ${v}`, `${path}.${key}`);
  return ok(v);
}

function str(o: Obj, key: string, path: string): Result<string> {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) return fail('invalid_rules', `${path}${path ? '.' : ''}${key} must be a non-empty string`, `${path}${path ? '.' : ''}${key}`);
  return ok(v);
}

/**
 * The maintenance amount of each tier from the recurrence
 * `cum_0 = 0`, `cum_n = cum_{n−1} + floor_n·(mmr_n − mmr_{n−1})` (Binance FAQ "Maintenance Amount";
 * Hyperliquid docs "Margin tiers", maintenance_deduction).
 */
export function cumulativeMaintenanceAmounts(tiers: readonly { floor: number; mmr: number }[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i]!;
    out.push(i === 0 ? 0 : out[i - 1]! + t.floor * (t.mmr - tiers[i - 1]!.mmr));
  }
  return out;
}

function parseBrackets(raw: unknown, path: string, mmrFromMaxLeverage: boolean, wholePositionRate: boolean): Result<Bracket[]> {
  if (!Array.isArray(raw) || raw.length === 0) return fail('invalid_rules', `${path} must be a non-empty array`, path);
  const parsed: { floor: number; cap: number; mmr: number; maxLeverage: number; cum: number | undefined }[] = [];
  for (let i = 0; i < raw.length; i++) {
    const p = `${path}[${i}]`;
    const b: unknown = raw[i];
    if (!isObj(b)) return fail('invalid_rules', `${p} must be an object`, p);
    const floor = num(b, 'floor', p, { min: 0 });
    if (!floor.ok) return floor;
    const cap = num(b, 'cap', p, { min: 0 });
    if (!cap.ok) return cap;
    const maxLeverage = num(b, 'maxLeverage', p, { min: 1 });
    if (!maxLeverage.ok) return maxLeverage;
    const mmr = num(b, 'mmr', p, { min: 0, max: 1, optional: mmrFromMaxLeverage });
    if (!mmr.ok) return mmr;
    const cum = num(b, 'cum', p, { min: 0, optional: true });
    if (!cum.ok) return cum;
    const lev = maxLeverage.value!;
    const derivedMmr = 1 / (2 * lev);
    if (mmrFromMaxLeverage && mmr.value !== undefined && Math.abs(mmr.value - derivedMmr) > 1e-12)
      return fail('invalid_rules', `${p}.mmr must be half the initial margin rate at max leverage (${derivedMmr})`, `${p}.mmr`);
    const f = floor.value!;
    const c = cap.value!;
    if (!(c > f)) return fail('invalid_rules', `${p}.cap must be greater than floor`, `${p}.cap`);
    if (i === 0 && f !== 0) return fail('invalid_rules', `${p}.floor of the first tier must be 0`, `${p}.floor`);
    const prev = parsed[i - 1];
    if (prev !== undefined) {
      if (f !== prev.cap) return fail('invalid_rules', `${p}.floor must equal the previous tier's cap (${prev.cap})`, `${p}.floor`);
      const m = mmr.value ?? derivedMmr;
      if (m < prev.mmr) return fail('invalid_rules', `${p}.mmr must not be lower than the previous tier's`, `${p}.mmr`);
      if (lev > prev.maxLeverage) return fail('invalid_rules', `${p}.maxLeverage must not exceed the previous tier's`, `${p}.maxLeverage`);
    }
    parsed.push({ floor: f, cap: c, mmr: mmr.value ?? derivedMmr, maxLeverage: lev, cum: cum.value });
  }
  // Venues that charge the tier's rate on the whole position (BitMEX risk limits) have no deduction.
  const cums = wholePositionRate ? parsed.map(() => 0) : cumulativeMaintenanceAmounts(parsed);
  const out: Bracket[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const t = parsed[i]!;
    const expected = cums[i]!;
    if (t.cum !== undefined && Math.abs(t.cum - expected) > 0.01 + 1e-9 * expected)
      return fail(
        'invalid_rules',
        `${path}[${i}].cum is ${t.cum} but floor·Δmmr recurrence gives ${expected}; check the tier's floor, mmr and cum`,
        `${path}[${i}].cum`,
      );
    out.push({ floor: t.floor, cap: t.cap, mmr: t.mmr, maxLeverage: t.maxLeverage, cum: t.cum ?? expected });
  }
  return ok(out);
}

/**
 * Validate a parsed rule table (the JSON of one file in `resources/venues/`).
 *
 * Checks every field, the tier chain (first floor 0, each floor = previous cap, mmr not falling,
 * max leverage not rising) and recomputes each `cum` from the recurrence; a `cum` that disagrees is
 * an error naming that field, a missing `cum` is filled in.
 */
export function parseVenueRules(json: unknown): Result<VenueRules> {
  if (!isObj(json)) return fail('invalid_rules', 'a rule table must be a JSON object', '');
  const venue = str(json, 'venue', '');
  if (!venue.ok) return venue;
  const effective = str(json, 'effective', '');
  if (!effective.ok) return effective;
  const effectiveSeconds = isoDateToSeconds(effective.value);
  if (Number.isNaN(effectiveSeconds)) return fail('invalid_rules', 'effective must be a date YYYY-MM-DD', 'effective');
  const source = str(json, 'source', '');
  if (!source.ok) return source;
  const modelRaw = json['model'] ?? 'linear';
  if (modelRaw !== 'linear' && modelRaw !== 'inverse' && modelRaw !== 'lending')
    return fail('invalid_rules', 'model must be "linear", "inverse" or "lending"', 'model');
  const model: VenueModel = modelRaw;
  const shortfallRaw = json['shortfall'] ?? 'adl';
  if (shortfallRaw !== 'adl' && shortfallRaw !== 'socialised') return fail('invalid_rules', 'shortfall must be "adl" or "socialised"', 'shortfall');
  const marginCurrency = json['marginCurrency'] ?? (model === 'inverse' ? 'BTC' : 'USDT');
  if (typeof marginCurrency !== 'string') return fail('invalid_rules', 'marginCurrency must be a string', 'marginCurrency');
  const mmrFromMaxLeverage = json['maintenanceFromMaxLeverage'] === true;
  const wholePositionRate = json['wholePositionRate'] === true;

  const symbolsRaw = json['symbols'] ?? {};
  if (!isObj(symbolsRaw)) return fail('invalid_rules', 'symbols must be an object keyed by symbol', 'symbols');
  const symbols: Record<string, SymbolRules> = {};
  for (const [symbol, sRaw] of Object.entries(symbolsRaw)) {
    const p = `symbols.${symbol}`;
    if (!isObj(sRaw)) return fail('invalid_rules', `${p} must be an object`, p);
    const tick = num(sRaw, 'tickSize', p, { min: 0 });
    if (!tick.ok) return tick;
    const fee = num(sRaw, 'liquidationFeeRate', p, { min: 0, max: 1 });
    if (!fee.ok) return fee;
    const brackets = parseBrackets(sRaw['brackets'], `${p}.brackets`, mmrFromMaxLeverage, wholePositionRate);
    if (!brackets.ok) return brackets;
    symbols[symbol] = { symbol, tickSize: tick.value!, liquidationFeeRate: fee.value!, brackets: brackets.value };
  }
  if (model !== 'lending' && Object.keys(symbols).length === 0) return fail('invalid_rules', 'symbols must list at least one instrument', 'symbols');

  let liquidation: LiquidationPolicy | undefined;
  const lRaw = json['liquidation'];
  if (lRaw !== undefined) {
    if (!isObj(lRaw)) return fail('invalid_rules', 'liquidation must be an object', 'liquidation');
    const a = num(lRaw, 'partialAboveNotional', 'liquidation', { min: 0 });
    if (!a.ok) return a;
    const s = num(lRaw, 'sliceFraction', 'liquidation', { min: 0, max: 1 });
    if (!s.ok) return s;
    if (!(s.value! > 0)) return fail('invalid_rules', 'liquidation.sliceFraction must be > 0', 'liquidation.sliceFraction');
    const c = num(lRaw, 'cooldownSeconds', 'liquidation', { min: 0 });
    if (!c.ok) return c;
    const b = num(lRaw, 'backstopEquityToMaintenance', 'liquidation', { min: 0, max: 1 });
    if (!b.ok) return b;
    liquidation = { partialAboveNotional: a.value!, sliceFraction: s.value!, cooldownSeconds: c.value!, backstopEquityToMaintenance: b.value! };
  }

  let lending: LendingRules | undefined;
  const ldRaw = json['lending'];
  if (model === 'lending' && ldRaw === undefined) return fail('invalid_rules', 'a lending venue needs a "lending" object', 'lending');
  if (ldRaw !== undefined) {
    if (!isObj(ldRaw)) return fail('invalid_rules', 'lending must be an object', 'lending');
    const cf = num(ldRaw, 'closeFactor', 'lending', { min: 0, max: 1 });
    if (!cf.ok) return cf;
    const th = num(ldRaw, 'fullCloseFactorBelowHealthFactor', 'lending', { min: 0, max: 1 });
    if (!th.ok) return th;
    const aRaw = ldRaw['assets'];
    if (!isObj(aRaw)) return fail('invalid_rules', 'lending.assets must be an object keyed by asset', 'lending.assets');
    const assets: Record<string, LendingAssetRules> = {};
    for (const [asset, r] of Object.entries(aRaw)) {
      const p = `lending.assets.${asset}`;
      if (!isObj(r)) return fail('invalid_rules', `${p} must be an object`, p);
      const lt = num(r, 'liquidationThreshold', p, { min: 0, max: 1 });
      if (!lt.ok) return lt;
      const lb = num(r, 'liquidationBonus', p, { min: 0, max: 1 });
      if (!lb.ok) return lb;
      const ltv = num(r, 'ltv', p, { min: 0, max: 1 });
      if (!ltv.ok) return ltv;
      if (ltv.value! > lt.value!) return fail('invalid_rules', `${p}.ltv must not exceed liquidationThreshold`, `${p}.ltv`);
      assets[asset] = { liquidationThreshold: lt.value!, liquidationBonus: lb.value!, ltv: ltv.value! };
    }
    lending = { closeFactor: cf.value!, fullCloseFactorBelowHealthFactor: th.value!, assets };
  }

  const base = {
    venue: venue.value,
    effective: effective.value,
    effectiveSeconds,
    source: source.value,
    model,
    marginCurrency,
    shortfall: shortfallRaw,
    symbols,
  } as const;
  return ok({ ...base, ...(liquidation ? { liquidation } : {}), ...(lending ? { lending } : {}) });
}

/**
 * The table of `venue` in force at `dateSeconds` (UTC): the latest whose `effective` date is on or
 * before that date. A 2020 replay therefore never uses 2024 brackets. If every table of the venue
 * starts later, the result is a `no_rules_in_force` error naming the earliest table's date.
 */
export function selectRules(tables: readonly VenueRules[], venue: string, dateSeconds: number): Result<VenueRules> {
  let best: VenueRules | undefined;
  let earliest: VenueRules | undefined;
  for (const t of tables) {
    if (t.venue !== venue) continue;
    if (earliest === undefined || t.effectiveSeconds < earliest.effectiveSeconds) earliest = t;
    if (t.effectiveSeconds <= dateSeconds && (best === undefined || t.effectiveSeconds > best.effectiveSeconds)) best = t;
  }
  if (best) return ok(best);
  if (earliest) return fail('no_rules_in_force', `no ${venue} rule table is in force at that date; the earliest starts ${earliest.effective}. Pass a rule file with --rules.`, 'venue');
  return fail('no_rules_in_force', `no rule table for venue "${venue}"`, 'venue');
}

/** Rules for one symbol, or an error naming it. */
export function symbolRules(rules: VenueRules, symbol: string): Result<SymbolRules> {
  const s = rules.symbols[symbol];
  return s ? ok(s) : fail('unknown_symbol', `${rules.venue} (${rules.effective}) has no rules for ${symbol}`, 'symbol');
}
