/**
 * Lending check (issue 9): hold the lending model (lending.ts, Aave-v3-like) against real on-chain
 * liquidation records (Jupiter Lend, 2025-10-10). Pure: the caller parses the CSV.
 *
 * What can be compared without the borrowers' positions (the records hold only what each
 * liquidation seized and repaid):
 * - the liquidation bonus: seized value / repaid value − 1 per record, against the model's bonus;
 * - how positions are closed: instructions per position, against the model's close factor (50%,
 *   then 100% at HF ≤ 0.95: at most a few calls per position on a falling price);
 * - timing: observed debt repaid per hour against the lending model's liquidations per hour for a
 *   borrower book spread evenly in health factor over the same BTC path (BTC-backed records only
 *   are like for like; the rest are SOL-family collateral, whose path is not stored here).
 */
import type { CandleColumns } from './candles';
import { liquidateLending, lendingLiquidationPrice } from './lending';
import type { LendingAssetRules, LendingRules } from './venue-rules';

/** One parsed record. */
export interface LendingRecord {
  readonly time: number;
  readonly position: string;
  readonly collateralSymbol: string;
  readonly debtSymbol: string;
  readonly collateralUsd: number;
  readonly debtUsd: number;
}

const BTC_COLLATERAL = new Set(['cbBTC', 'xBTC', 'LBTC', 'WBTC']);

export interface LendingCheck {
  readonly records: number;
  readonly positions: number;
  readonly collateralUsd: number;
  readonly debtUsd: number;
  readonly bonus: readonly { readonly collateral: string; readonly records: number; readonly medianImpliedBonus: number; readonly modelBonus: number | null }[];
  readonly closes: { readonly medianPerPosition: number; readonly maxPerPosition: number; readonly positionsOver3: number; readonly modelMaxOnMonotoneFall: number };
  /** Per UTC hour of the day: observed debt repaid (all, BTC-backed) and the model's share. */
  readonly hourly: readonly { readonly hour: number; readonly observedDebtUsd: number; readonly observedBtcBackedUsd: number; readonly observedShare: number; readonly modelShare: number; readonly btcLow: number }[];
  /** Pearson correlation of observed and modelled hourly shares over the hours with records. */
  readonly hourlyCorrelation: number;
}

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Compare the records with the lending model. `btc` covers the records' day; `book` borrowers have
 * health factors spread evenly over [1, 1 + hfSpread] at the price of `fromTime`.
 */
export function checkLending(records: readonly LendingRecord[], btc: CandleColumns, asset: LendingAssetRules, rules: LendingRules, fromTime: number, book = 400, hfSpread = 0.3): LendingCheck {
  const byCollateral = new Map<string, number[]>();
  const perPosition = new Map<string, number>();
  let collateralUsd = 0;
  let debtUsd = 0;
  for (const r of records) {
    collateralUsd += r.collateralUsd;
    debtUsd += r.debtUsd;
    perPosition.set(r.position, (perPosition.get(r.position) ?? 0) + 1);
    // Dust rows carry no information about the bonus (hourly prices, rounding).
    if (r.debtUsd >= 1 && r.collateralUsd > 0) {
      const list = byCollateral.get(r.collateralSymbol) ?? [];
      list.push(r.collateralUsd / r.debtUsd - 1);
      byCollateral.set(r.collateralSymbol, list);
    }
  }
  const bonus = [...byCollateral.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([collateral, xs]) => ({ collateral, records: xs.length, medianImpliedBonus: median(xs), modelBonus: BTC_COLLATERAL.has(collateral) ? asset.liquidationBonus : null }));
  const counts = [...perPosition.values()];

  // Model: borrowers with HF evenly in [1, 1+spread] at fromTime, liquidated along the 1m path (bar lows).
  let start = 0;
  while (start < btc.time.length && btc.time[start]! < fromTime) start++;
  const p0 = btc.open[start] ?? btc.close[btc.time.length - 1]!;
  const debt = new Float64Array(book);
  const coll = new Float64Array(book);
  for (let i = 0; i < book; i++) {
    const hf = 1 + (hfSpread * (i + 0.5)) / book;
    coll[i] = 1;
    debt[i] = (p0 * asset.liquidationThreshold) / hf;
  }
  const modelHourly = new Float64Array(24);
  const btcLow = new Float64Array(24).fill(Number.POSITIVE_INFINITY);
  for (let k = 0; k < btc.time.length; k++) {
    const hour = Math.floor((btc.time[k]! % 86400) / 3600);
    btcLow[hour] = Math.min(btcLow[hour]!, btc.low[k]!);
    if (k < start) continue;
    const p = btc.low[k]!;
    for (let i = 0; i < book; i++) {
      if (debt[i]! <= 0 || coll[i]! <= 0) continue;
      if (lendingLiquidationPrice({ collateralAmount: coll[i]!, debt: debt[i]! }, asset) < p) continue;
      const r = liquidateLending({ collateralAmount: coll[i]!, debt: debt[i]! }, p, asset, rules);
      modelHourly[hour]! += r.debtRepaid;
      coll[i] = r.remaining.collateralAmount;
      debt[i] = r.remaining.debt;
    }
  }
  const obs = new Float64Array(24);
  const obsBtc = new Float64Array(24);
  for (const r of records) {
    const hour = Math.floor((r.time % 86400) / 3600);
    obs[hour]! += r.debtUsd;
    if (BTC_COLLATERAL.has(r.collateralSymbol)) obsBtc[hour]! += r.debtUsd;
  }
  const obsTotal = obs.reduce((s, v) => s + v, 0);
  const modelTotal = modelHourly.reduce((s, v) => s + v, 0);
  const hourly = Array.from({ length: 24 }, (_, hour) => ({
    hour,
    observedDebtUsd: obs[hour]!,
    observedBtcBackedUsd: obsBtc[hour]!,
    observedShare: obsTotal > 0 ? obs[hour]! / obsTotal : 0,
    modelShare: modelTotal > 0 ? modelHourly[hour]! / modelTotal : 0,
    btcLow: Number.isFinite(btcLow[hour]!) ? btcLow[hour]! : 0,
  }));
  const firstHour = Math.floor((fromTime % 86400) / 3600);
  const used = hourly.filter((h) => h.hour >= firstHour);
  return {
    records: records.length,
    positions: perPosition.size,
    collateralUsd,
    debtUsd,
    bonus,
    closes: {
      medianPerPosition: median(counts),
      maxPerPosition: Math.max(0, ...counts),
      positionsOver3: counts.filter((c) => c > 3).length,
      // Close factor 50% then 100% at HF ≤ 0.95: on a falling price, two or three calls close a position.
      modelMaxOnMonotoneFall: 3,
    },
    hourly,
    hourlyCorrelation: correlation(used.map((h) => h.observedShare), used.map((h) => h.modelShare)),
  };
}

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  if (n < 2) return Number.NaN;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}
