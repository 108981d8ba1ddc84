/**
 * Known-answer tests of the cascade on small hand-made candle paths: where and at what price a
 * position is liquidated, the fee to the insurance fund, a shortfall paid by the fund then by ADL
 * (or socialised), the circuit breaker, Hyperliquid slices and backstop, a lending liquidation,
 * a cross account, impact models and runShock. Each expected number is worked out in a comment.
 * Not covered here: the invariants over random inputs (cascade-properties.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { computeMargins, runReplay, runShock, createImpactModel, calibrateSqrtImpact, type ReplayInput, type Candle } from '../../../electron/backend/engine/index';
import { loadAllTables } from './rules-fixtures';

const tables = loadAllTables();
const T0 = 1_600_000_000; // a bar open time; 2020-09-13, all Binance rows use the 2020-01-01 table
const bar = (i: number, o: number, h: number, l: number, c: number): Candle => ({ time: T0 + 60 * i, open: o, high: h, low: l, close: c, volume: 1 });
const flat = (i: number, p: number) => bar(i, p, p, p, p);
const round2 = (x: number) => Math.round(x * 100) / 100;

function replay(over: Partial<ReplayInput> & Pick<ReplayInput, 'candles'>) {
  const r = runReplay({ rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' } }, ...over });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const isolatedLong = { accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [{ id: 'A', symbol: 'BTCUSDT', side: 'long', qty: 1, entry: 10000, margin: 1000 }] }] };

describe('a single isolated long', () => {
  it('is liquidated at its liquidation price 9,036.14 on the low of the bearish bar, fee 0.3% to the fund', () => {
    // LP = 9036.1446 (margin-math.test). Bar 1 is bearish: O 10000 → H 10000 → L 9000 → C 9100; the
    // low point is at ⅔ of the bar (T0 + 60 + 40). The price passes through the LP: fill = LP.
    // Equity at the fill = 1000 + (9036.1446 − 10000) = 36.1446 (= MM 0.4%); fee = 0.3%·9036.1446 = 27.1084.
    const r = replay({ candles: [flat(0, 10000), bar(1, 10000, 10000, 9000, 9100)], portfolio: isolatedLong });
    const ev = r.events.filter((e) => e.kind === 'liquidation');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.positionId).toBe('A');
    expect(ev[0]!.time).toBe(T0 + 60 + 40);
    expect(round2(ev[0]!.price)).toBe(9036.14);
    expect(round2(r.summary.insuranceFundEnd)).toBe(27.11);
    expect(r.summary.badDebt).toBe(0);
    expect(r.summary.ledgerImbalance).toBeLessThan(1e-9);
    // Margin call at 80% (9045.23) comes first, at the same point.
    expect(r.events[0]!.kind).toBe('margin_call');
    expect(r.summary.portfolioLiquidated).toEqual(['A']);
  });

  it('survives a bullish bar whose low stays above 9,036.14', () => {
    const r = replay({ candles: [flat(0, 10000), bar(1, 10000, 10100, 9040, 10050)], portfolio: isolatedLong });
    expect(r.events.filter((e) => e.kind === 'liquidation')).toHaveLength(0);
    expect(r.positions[0]!.remainingQty).toBe(1);
  });

  it('the rule table in force is chosen by the first replayed bar (2020 table for a 2020 replay)', () => {
    const r = replay({ candles: [flat(0, 10000)], portfolio: isolatedLong });
    expect(r.rules.effective).toBe('2020-01-01');
    expect(r.markSource).toBe('candle-path');
  });
});

describe('shortfall: circuit breaker, insurance fund, ADL or socialised loss', () => {
  // Bar 1's low (9800) is −2% against bar 0's close → halt through bar 2 (window 1 bar, 1%, 1 bar).
  // Bar 2 falls to 8500 while halted; bar 3 opens at 8500, not halted, and A fills there:
  // PnL −1500, equity −500 → fund pays 100 of it, 400 is left.
  const candles = [flat(0, 10000), bar(1, 10000, 10000, 9800, 9800), bar(2, 9800, 9800, 8500, 8500), flat(3, 8500)];
  const circuitBreaker = { windowBars: 1, threshold: 0.01, haltBars: 1 };
  const portfolio = {
    accounts: [
      ...isolatedLong.accounts,
      // B: short 1 @ 9000 with 2000 margin (LP (2000 + 9000)/1.004 = 10956.18, never reached); +500 at 8500.
      { id: 'b', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [{ id: 'B', symbol: 'BTCUSDT', side: 'short', qty: 1, entry: 9000, margin: 2000 }] },
    ],
  };

  it('ADL: the fund pays 100, the profitable short covers 400 and is closed', () => {
    const r = replay({ candles, portfolio, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, circuitBreaker, insuranceFund: 100, adl: 'adl' } });
    const halts = r.events.filter((e) => e.kind === 'halt');
    expect(halts).toHaveLength(1);
    expect(Array.from(r.steps.halted)).toEqual([0, 1, 1, 0]);
    const liq = r.events.find((e) => e.kind === 'liquidation')!;
    expect(liq.positionId).toBe('A');
    expect(liq.time).toBe(T0 + 180);
    expect(liq.price).toBe(8500);
    expect(liq.pnl).toBe(-1500);
    const adl = r.events.find((e) => e.kind === 'adl')!;
    expect(adl.positionId).toBe('B');
    expect(adl.pnl).toBe(100); // profit 500 − haircut 400
    expect(r.summary.ledger.fundPaid).toBe(100);
    expect(r.summary.ledger.adlCovered).toBe(400);
    expect(r.summary.insuranceFundEnd).toBe(0);
    expect(r.summary.badDebt).toBe(0);
    expect(r.summary.adlVolume).toBe(8500);
    expect(r.summary.ledgerImbalance).toBe(0);
  });

  it('socialised: the 400 is bad debt and the short stays open', () => {
    const r = replay({ candles, portfolio, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, circuitBreaker, insuranceFund: 100, adl: 'socialised' } });
    expect(r.summary.badDebt).toBe(400);
    expect(r.events.some((e) => e.kind === 'adl')).toBe(false);
    expect(r.positions.find((p) => p.id === 'B')!.remainingQty).toBe(1);
  });

  it('without the circuit breaker A fills at its liquidation price and nothing is short', () => {
    const r = replay({ candles, portfolio, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, insuranceFund: 100 } });
    expect(round2(r.events.find((e) => e.kind === 'liquidation')!.price)).toBe(9036.14);
    expect(r.summary.badDebt).toBe(0);
    expect(r.summary.ledger.fundPaid).toBe(0);
  });
});

describe('Hyperliquid-like slices and backstop', () => {
  it('a 500k long loses a 20% slice at 96,202.53, then is backstopped at 95,000', () => {
    // 5 BTC @ 100,000 at 20x: margin 25,000; LP = (25000 − 500000)/(5·0.0125 − 5) = 96202.53.
    // Bar 1 low 96,000 (at +40 s): equity 5,000 ≥ ⅔·MM (⅔·6,000 = 4,000) and notional > 100k → slice 1 BTC
    // at 96202.53: PnL −3797.47, margin 21202.53, 4 BTC left; new LP = (21202.53 − 400000)/(0.05 − 4) = 95898.09.
    // Bar 2 low 95,000 (+100 s, after the 30 s cooldown): equity 21202.53 − 20000 = 1202.53 < ⅔·4,750 → backstop;
    // the vault keeps 1202.53.
    const portfolio = { accounts: [{ id: 'h', venue: 'hyperliquid', mode: 'isolated', wallet: 0, positions: [{ id: 'H', symbol: 'BTC', side: 'long', qty: 5, entry: 100000, leverage: 20 }] }] };
    const t = 1_740_000_000; // 2025-02-19, Hyperliquid table in force
    const candles = [
      { time: t, open: 100000, high: 100000, low: 100000, close: 100000, volume: 1 },
      { time: t + 60, open: 100000, high: 100000, low: 96000, close: 96000, volume: 1 },
      { time: t + 120, open: 96000, high: 96000, low: 95000, close: 95000, volume: 1 },
    ];
    const r = runReplay({ candles, portfolio, rules: tables, seed: 1, scenario: { venue: 'hyperliquid', symbol: 'BTC', impact: { model: 'none' } } });
    if (!r.ok) throw new Error(r.error.message);
    const ev = r.value.events.filter((e) => e.kind !== 'margin_call');
    expect(ev.map((e) => e.kind)).toEqual(['partial_liquidation', 'liquidation']);
    expect(round2(ev[0]!.price)).toBe(96202.53);
    expect(round2(ev[0]!.notional)).toBe(96202.53);
    expect(round2(ev[0]!.pnl)).toBe(-3797.47);
    expect(ev[1]!.detail).toBe('backstop');
    expect(ev[1]!.time).toBe(t + 120 + 40);
    expect(round2(r.value.summary.insuranceFundEnd)).toBe(1202.53);
    expect(r.value.summary.ledgerImbalance).toBeLessThan(1e-9);
  });
});

describe('Aave-v3-like lending', () => {
  it('10 WETH against 16,000 debt: half the debt repaid at 1,900, 4.421 WETH seized and sold', () => {
    // HF at 1900 = 10·1900·0.825/16000 = 0.9797 → close factor 50%: repay 8000, seize 8000·1.05/1900 = 4.421053.
    // The rest (5.578947 WETH vs 8000) has LP 8000/(5.578947·0.825) = 1738.1 → not reached.
    const portfolio = { accounts: [{ id: 'l', venue: 'aave-v3', mode: 'isolated', wallet: 0, positions: [{ id: 'L', symbol: 'WETH', side: 'long', qty: 10, entry: 2000, debt: 16000 }] }] };
    const t = 1_700_000_000;
    const candles = [
      { time: t, open: 2000, high: 2000, low: 2000, close: 2000, volume: 1 },
      { time: t + 60, open: 2000, high: 2000, low: 1900, close: 1900, volume: 1 },
    ];
    const r = runReplay({ candles, portfolio, rules: tables, seed: 1, scenario: { venue: 'aave-v3', symbol: 'WETH', impact: { model: 'none' } } });
    if (!r.ok) throw new Error(r.error.message);
    const ev = r.value.events.filter((e) => e.kind !== 'margin_call');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.kind).toBe('partial_liquidation');
    expect(ev[0]!.notional).toBeCloseTo(4.421053 * 1900, 2); // 8400
    expect(ev[0]!.pnl).toBeCloseTo(-400, 6); // borrower loses the 5% bonus on 8000
    expect(r.value.positions[0]!.remainingQty).toBeCloseTo(5.578947, 6);
  });
});

describe('cross account', () => {
  const portfolio = {
    accounts: [{ id: 'x', venue: 'binance-usdm', mode: 'cross', wallet: 2000, positions: [
      { id: 'X1', symbol: 'BTCUSDT', side: 'long', qty: 1, entry: 10000 },
    ] }],
  };
  it('liquidation price from computeMargins and the replay agree: 8,032.13', () => {
    // (2000 + 0 − 10000)/(0.004 − 1) = −8000/−0.996 = 8032.13 (2020 table, tier 1).
    const m = computeMargins(portfolio as never, { BTCUSDT: 10000 }, { 'binance-usdm': tables.find((t) => t.effective === '2020-01-01')! });
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(round2(m.value[0]!.liquidationPrice)).toBe(8032.13);
    expect(m.value[0]!.bankruptcyPrice).toBe(8000);
    const r = replay({ candles: [flat(0, 10000), bar(1, 10000, 10000, 7900, 7950)], portfolio });
    expect(round2(r.events.find((e) => e.kind === 'liquidation')!.price)).toBe(8032.13);
  });

  it('rejects long and short of one symbol in a one-way cross account, naming the field', () => {
    const bad = { accounts: [{ id: 'x', venue: 'binance-usdm', mode: 'cross', wallet: 2000, positions: [
      { id: 'X1', symbol: 'BTCUSDT', side: 'long', qty: 1, entry: 10000 },
      { id: 'X2', symbol: 'BTCUSDT', side: 'short', qty: 1, entry: 10000 },
    ] }] };
    const r = runReplay({ candles: [flat(0, 10000)], portfolio: bad, rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' } } });
    expect(!r.ok && r.error.field).toBe('accounts[0].positions');
  });

  it('rejects a position with qty ≤ 0 and leverage above the tier maximum', () => {
    const r = runReplay({ candles: [flat(0, 10000)], portfolio: { accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [{ id: 'A', symbol: 'BTCUSDT', side: 'long', qty: 0, entry: 1, leverage: 5 }] }] }, rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' } } });
    expect(!r.ok && r.error.field).toBe('accounts[0].positions[0].qty');
    const m = computeMargins({ accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [{ id: 'A', symbol: 'BTCUSDT', side: 'long', qty: 100, entry: 10000, leverage: 100 }] }] }, {}, { 'binance-usdm': tables.find((t) => t.effective === '2020-01-01')! });
    // 1,000,000 notional is in tier 4 (max 20x).
    expect(!m.ok && m.error.field).toBe('accounts[0].positions[0].leverage');
  });
});

describe('scenario validation', () => {
  const base = { candles: [flat(0, 10000)], rules: tables, seed: 1 };
  it('names the bad scenario field', () => {
    const cb = runReplay({ ...base, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' }, circuitBreaker: { windowBars: 0, threshold: 0.1, haltBars: 1 } } });
    expect(!cb.ok && cb.error.field).toBe('scenario.circuitBreaker');
    const d = runReplay({ ...base, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear', depth1Pct: 0 } } });
    expect(!d.ok && d.error.field).toBe('scenario.impact.depth1Pct');
    const s = runReplay({ ...base, scenario: { venue: 'binance-usdm', symbol: 'ETHBTC', impact: { model: 'none' } } });
    expect(!s.ok && s.error.code).toBe('unknown_symbol');
  });
  it('rejects a replayed position whose leverage exceeds its tier (1,000,000 notional allows 20x in 2020)', () => {
    const r = runReplay({ ...base, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' } }, portfolio: { accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [{ id: 'A', symbol: 'BTCUSDT', side: 'long', qty: 100, entry: 10000, leverage: 50 }] }] } });
    expect(!r.ok && r.error.field).toBe('accounts[0].positions[0].leverage');
  });
});

describe('impact models', () => {
  it('linear: selling 1% of d1 moves the price −1% and fills at −0.5% on average', () => {
    // DESIGN.md §3.3: p → p·(1 − V/(100·d1)); fill at the average of pre and post.
    const f = createImpactModel({ model: 'linear', depth1Pct: 1_000_000 }).execute(1_000_000, -1);
    expect(f.after).toBeCloseTo(0.99, 15);
    expect(f.averageFill).toBeCloseTo(0.995, 15);
  });
  it('square root: ΔP/P = Y·σ·√(V/ADV); average fill at ⅔ of the move', () => {
    // Y 1, σ 4%, V/ADV = 1/100 → 0.04·0.1 = 0.4% move; average fill −0.2667%.
    const f = createImpactModel({ model: 'sqrt', y: 1, dailyVolatility: 0.04, dailyVolumeNotional: 1e8 }).execute(1e6, -1);
    expect(f.after).toBeCloseTo(0.996, 15);
    expect(f.averageFill).toBeCloseTo(1 - 0.004 * (2 / 3), 15);
  });
  it('ladder: walks levels in order', () => {
    // Sell 3M against 1M at −0.1% and 5M at −0.5%: fills 1M at 0.999 and 2M at 0.995 → average 0.99633…
    const f = createImpactModel({ model: 'ladder', levels: [{ offsetPct: 0.5, notional: 5e6 }, { offsetPct: 0.1, notional: 1e6 }] }).execute(3e6, -1);
    expect(f.after).toBeCloseTo(0.995, 15);
    expect(f.averageFill).toBeCloseTo((1e6 * 0.999 + 2e6 * 0.995) / 3e6, 15);
  });
  it('calibration from candles: σ of a ±1% alternating path and the mean daily notional', () => {
    // 1440 one-minute bars alternating ln-returns of ±ln(1.01): per-bar σ ≈ ln(1.01) (mean ~0),
    // σ_daily = ln(1.01)·√1440 = 0.3776; volume 1 at ~100 per bar → ADV ≈ 1440·100.
    const n = 1441;
    const cols = { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n).fill(1) };
    for (let i = 0; i < n; i++) {
      cols.time[i] = i * 60;
      cols.close[i] = i % 2 === 0 ? 100 : 101;
    }
    const s = calibrateSqrtImpact(cols, 60, 0.7);
    expect(s.dailyVolatility).toBeCloseTo(Math.log(1.01) * Math.sqrt(1440), 2);
    expect(s.dailyVolumeNotional / 1440).toBeGreaterThan(100);
    expect(s.dailyVolumeNotional / 1440).toBeLessThan(101);
  });

  it('with linear impact, a liquidation pushes the effective price below the exogenous low', () => {
    // A sells 9036.14 of notional against d1 = 100,000: move −0.9036% → effective low 9000·(1 − 0.009036) ≈ 8918.7.
    const r = replay({ candles: [flat(0, 10000), bar(1, 10000, 10000, 9000, 9100)], portfolio: isolatedLong, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear', depth1Pct: 100_000 }, resilience: { halfLifeSeconds: Infinity, permanentShare: 1 } } });
    expect(r.summary.minEffectiveLow).toBeCloseTo(9000 * (1 - 9036.1446 / 1e7), 1);
    expect(r.summary.finalEffective).toBeCloseTo(9100 * (1 - 9036.1446 / 1e7), 1);
  });
});

describe('runShock', () => {
  it('−15% over 10 minutes from 10,000 liquidates the 10x long (LP 9,036.14) in the 7th minute', () => {
    // Per-minute factor 0.85^(1/10) = 0.983881; after 6 minutes 10000·0.85^0.6 = 9072.0, after 7 = 8925.8,
    // so the 7th bar (index 6, opening at 360 s) crosses 9036.14 at its low (⅔ of the bar: a bearish bar is walked O→H→L→C).
    const r = runShock({ portfolio: isolatedLong, rules: tables, seed: 1, scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'none' } }, shock: { startPrice: 10000, move: -0.15, overSeconds: 600, startTime: T0 } });
    if (!r.ok) throw new Error(r.error.message);
    const liq = r.value.events.find((e) => e.kind === 'liquidation')!;
    expect(liq.time).toBe(T0 + 360 + 40);
    expect(round2(liq.price)).toBe(9036.14);
  });
});
