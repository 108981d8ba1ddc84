/**
 * Risk measures (engine/risk-measures.ts) against closed forms, and the Monte Carlo's random
 * streams (engine/paths.ts, engine/monte-carlo.ts): VaR and ES of a normal loss match
 * VaR_α = μ + σ·Φ⁻¹(α) and ES_α = μ + σ·φ(Φ⁻¹(α))/(1 − α) (McNeil, Frey & Embrechts,
 * "Quantitative Risk Management", 2005, Example 2.14); the discrete ES is exact on a small
 * sample; xoshiro128** jumps commute with steps; path i is the same whichever range computes it;
 * the same seed gives the same bits and another seed does not; calibration recovers a known
 * diffusion. Not covered: workers (test/integration/what-if.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  calibrateJumpDiffusion,
  expectedShortfall,
  jumpState,
  lossHistogram,
  mergeMonteCarloChunks,
  pathStreams,
  Prng,
  runMonteCarloRange,
  simulatePath,
  sortLosses,
  splitPaths,
  valueAtRisk,
} from '../../../electron/backend/engine';
import { loadAllTables } from './rules-fixtures';

/**
 * Inverse standard normal CDF, P. J. Acklam's rational approximation (relative error < 1.15e-9;
 * "An algorithm for computing the inverse normal cumulative distribution function", 2003).
 */
function normInv(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normInv(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

describe('VaR and ES', () => {
  it('the inverse normal reproduces the tabulated quantiles 1.6448536 (95%) and 2.3263479 (99%)', () => {
    // Abramowitz & Stegun, Table 26.5 (percentage points of the normal distribution).
    expect(normInv(0.95)).toBeCloseTo(1.6448536, 6);
    expect(normInv(0.99)).toBeCloseTo(2.3263479, 6);
  });

  it('on a normal loss sample they match the closed forms μ + σΦ⁻¹(α) and μ + σφ(Φ⁻¹(α))/(1 − α)', () => {
    const mu = 1000;
    const sigma = 250;
    // A deterministic sample with exactly normal quantiles: L_i = μ + σ·Φ⁻¹((i − ½)/n).
    const n = 200_000;
    const sample = Float64Array.from({ length: n }, (_, i) => mu + sigma * normInv((i + 0.5) / n));
    const sorted = sortLosses(sample);
    for (const alpha of [0.95, 0.99]) {
      const z = normInv(alpha);
      expect(valueAtRisk(sorted, alpha)).toBeCloseTo(mu + sigma * z, 0);
      expect(expectedShortfall(sorted, alpha) / (mu + (sigma * phi(z)) / (1 - alpha))).toBeCloseTo(1, 4);
    }
    // And on 100,000 seeded random normal draws, within sampling error (σ_VaR ≈ 0.05σ at 99%).
    const prng = Prng.fromSeed(2024);
    const random = sortLosses(Float64Array.from({ length: 100_000 }, () => mu + sigma * prng.nextNormal()));
    expect(Math.abs(valueAtRisk(random, 0.99) - (mu + sigma * normInv(0.99)))).toBeLessThan(0.05 * sigma);
    expect(Math.abs(expectedShortfall(random, 0.99) - (mu + (sigma * phi(normInv(0.99))) / 0.01))).toBeLessThan(0.06 * sigma);
  });

  it('the discrete ES weighs exactly 1 − α of the sample (Acerbi & Tasche 2002)', () => {
    const losses = sortLosses(Float64Array.from({ length: 100 }, (_, i) => i + 1)); // 1…100
    expect(valueAtRisk(losses, 0.95)).toBe(95);
    expect(expectedShortfall(losses, 0.95)).toBeCloseTo((96 + 97 + 98 + 99 + 100) / 5, 12);
    // n·α not an integer: 10 losses at α = 0.95 → m = 10, tail = (10 − 9.5)·L_(10) / 0.5 = L_(10).
    const ten = sortLosses(Float64Array.from({ length: 10 }, (_, i) => i + 1));
    expect(valueAtRisk(ten, 0.95)).toBe(10);
    expect(expectedShortfall(ten, 0.95)).toBeCloseTo(10, 12);
    const h = lossHistogram(losses, 10);
    expect(h.counts.reduce((s, c) => s + c, 0)).toBe(100);
    expect(h.edges[0]).toBe(1);
    expect(h.edges[10]).toBe(100);
  });
});

describe('random streams and paths', () => {
  it('a jump commutes with a step (both are powers of the same linear map)', () => {
    const g = Prng.fromSeed(7);
    const s = g.saveState();
    g.nextUint32();
    const stepThenJump = jumpState(g.saveState());
    const h = Prng.fromState(jumpState(s));
    h.nextUint32();
    expect(h.saveState()).toEqual(stepThenJump);
    expect(jumpState(s)).not.toEqual(s);
  });

  it('path i draws the same numbers whichever range starts it', () => {
    const a = pathStreams(11, 0);
    const first = Array.from({ length: 6 }, () => a.next().value.nextUint32());
    const b = pathStreams(11, 4);
    expect(b.next().value.nextUint32()).toBe(first[4]);
    expect(b.next().value.nextUint32()).toBe(first[5]);
  });

  it('calibration recovers the volatility of a simulated diffusion, and finds jumps where they are', () => {
    const prices = new Float64Array(20_001);
    simulatePath({ kind: 'gbm-jump', driftPerBar: 0, volatilityPerBar: 0.001, jumpProbability: 0.002, jumpMean: -0.02, jumpStdDev: 0.002 }, Prng.fromSeed(3), 100, prices);
    const m = calibrateJumpDiffusion(prices);
    expect(m.volatilityPerBar).toBeCloseTo(0.001, 4);
    expect(m.jumpProbability).toBeGreaterThan(0.001);
    expect(m.jumpProbability).toBeLessThan(0.003);
    expect(m.jumpMean).toBeCloseTo(-0.02, 2);
  });

  it('a Monte Carlo gives the same bits from the same seed, in one range or two, and other bits from another seed', () => {
    const rules = loadAllTables();
    const input = {
      portfolio: { accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [{ id: 'p', symbol: 'BTCUSDT', side: 'long', qty: 1, entry: 8000, leverage: 20 }] }] },
      rules,
      scenario: { venue: 'binance-usdm', symbol: 'BTCUSDT', impact: { model: 'linear' as const, depth1Pct: 1e6 } },
      model: { kind: 'gbm-jump' as const, driftPerBar: 0, volatilityPerBar: 0.002, jumpProbability: 0.01, jumpMean: -0.01, jumpStdDev: 0.005 },
      paths: 24,
      steps: 200,
      barSeconds: 60,
      startPrice: 8000,
      startTime: 1_583_971_200,
      seed: 99,
    };
    const whole = runMonteCarloRange(input, 0, 24);
    const parts = splitPaths(24, 2).map(([f, t]) => runMonteCarloRange(input, f, t));
    const other = runMonteCarloRange({ ...input, seed: 100 }, 0, 24);
    if (!whole.ok || !other.ok || parts.some((p) => !p.ok)) throw new Error('run failed');
    const merged = mergeMonteCarloChunks(parts.map((p) => (p.ok ? p.value : null!)).reverse());
    expect(Array.from(merged.losses)).toEqual(Array.from(whole.value.losses));
    expect(Array.from(merged.liquidatedCounts)).toEqual(Array.from(whole.value.liquidatedCounts));
    expect(Array.from(other.value.losses)).not.toEqual(Array.from(whole.value.losses));
  });
});
