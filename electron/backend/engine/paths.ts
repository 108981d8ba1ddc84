/**
 * Seeded price paths for the Monte Carlo (DESIGN.md §1, STYLE.md "pure-rand"): a log-normal
 * diffusion with Bernoulli-Poisson jumps calibrated from a dataset's closes (Merton 1976, "Option
 * pricing when underlying stock returns are discontinuous", in per-bar discrete form), or a
 * bootstrap of the dataset's own log returns (Efron 1979). Pure: no Node, clock or Math.random.
 *
 * Streams: path i draws from its own generator, the base generator (seeded by the run's seed)
 * advanced by i jumps of 2^64 draws (xoshiro128** `jump()`, Blackman & Vigna's reference code),
 * so path i is the same whichever worker computes it and whatever the worker count; no path can
 * reach the next one's draws (a path uses fewer than 2^20 of its 2^64).
 */
import type { CandleColumns } from './candles';
import { Prng, type PrngState } from './prng';

/** Jump polynomial of xoshiro128** (reference implementation: xoshiro128starstar.c, `jump`): 2^64 steps. */
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b] as const;

/** The state 2^64 draws after `state` (the generator's transition applied 2^64 times). */
export function jumpState(state: PrngState): PrngState {
  const g = Prng.fromState(state);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (const word of JUMP) {
    for (let b = 0; b < 32; b++) {
      if ((word >>> b) & 1) {
        const cur = g.saveState();
        s0 = (s0 ^ cur[0]) >>> 0;
        s1 = (s1 ^ cur[1]) >>> 0;
        s2 = (s2 ^ cur[2]) >>> 0;
        s3 = (s3 ^ cur[3]) >>> 0;
      }
      g.nextUint32();
    }
  }
  return [s0, s1, s2, s3];
}

/** Generators of paths first, first+1, …: path i's state is the seed's state jumped i times. */
export function* pathStreams(seed: number, first: number): Generator<Prng, never, undefined> {
  let state = Prng.fromSeed(seed).saveState();
  for (let i = 0; i < first; i++) state = jumpState(state);
  for (;;) {
    yield Prng.fromState(state);
    state = jumpState(state);
  }
}

/** A per-bar log-return model. */
export type PathModel =
  | {
      readonly kind: 'gbm-jump';
      /** Mean log return per bar of the diffusion part. */
      readonly driftPerBar: number;
      /** Standard deviation of the diffusion's log return per bar. */
      readonly volatilityPerBar: number;
      /** Probability of a jump in a bar. */
      readonly jumpProbability: number;
      readonly jumpMean: number;
      readonly jumpStdDev: number;
    }
  | { readonly kind: 'bootstrap'; readonly returns: Float64Array };

/** Log returns of consecutive closes. */
export function logReturns(closes: ArrayLike<number>): Float64Array {
  const n = Math.max(0, closes.length - 1);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = Math.log(closes[i + 1]! / closes[i]!);
  return r;
}

function meanStd(x: ArrayLike<number>, keep?: (v: number) => boolean): { mean: number; std: number; n: number } {
  let n = 0, s = 0, ss = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (keep && !keep(v)) continue;
    n++;
    s += v;
  }
  const mean = n ? s / n : 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (keep && !keep(v)) continue;
    ss += (v - mean) * (v - mean);
  }
  return { mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, n };
}

/**
 * Calibrate the jump-diffusion: returns farther than `threshold` standard deviations from the
 * mean are jumps (their frequency, mean and spread give the jump part); the rest give the
 * diffusion's drift and volatility (a one-pass threshold filter, as in Mancini 2009).
 */
export function calibrateJumpDiffusion(closes: ArrayLike<number>, threshold = 4): Extract<PathModel, { kind: 'gbm-jump' }> {
  const r = logReturns(closes);
  const all = meanStd(r);
  const limit = threshold * all.std;
  const isJump = (v: number): boolean => all.std > 0 && Math.abs(v - all.mean) > limit;
  const diffusion = meanStd(r, (v) => !isJump(v));
  const jumps = meanStd(r, isJump);
  return {
    kind: 'gbm-jump',
    driftPerBar: diffusion.mean,
    volatilityPerBar: diffusion.std,
    jumpProbability: r.length ? jumps.n / r.length : 0,
    jumpMean: jumps.mean,
    jumpStdDev: jumps.n > 1 ? jumps.std : Math.abs(jumps.mean) / 2,
  };
}

/** Daily volatility (σ of log returns scaled by √(bars per day)). */
export function dailyVolatility(closes: ArrayLike<number>, barSeconds: number): number {
  return meanStd(logReturns(closes)).std * Math.sqrt(86400 / barSeconds);
}

/** Fill `out` (length steps+1) with a path from `startPrice`, drawing from `prng`. */
export function simulatePath(model: PathModel, prng: Prng, startPrice: number, out: Float64Array): void {
  let logP = Math.log(startPrice);
  out[0] = startPrice;
  if (model.kind === 'bootstrap') {
    const n = model.returns.length;
    for (let k = 1; k < out.length; k++) {
      logP += n ? model.returns[Math.floor(prng.nextFloat() * n)]! : 0;
      out[k] = Math.exp(logP);
    }
    return;
  }
  const { driftPerBar: mu, volatilityPerBar: sigma, jumpProbability: lambda, jumpMean, jumpStdDev } = model;
  for (let k = 1; k < out.length; k++) {
    let r = mu + sigma * prng.nextNormal();
    if (prng.nextFloat() < lambda) r += jumpMean + jumpStdDev * prng.nextNormal();
    logP += r;
    out[k] = Math.exp(logP);
  }
}

/** Candles whose bar k goes from prices[k] to prices[k+1] (high/low at the ends: no intrabar wick). */
export function pathCandles(prices: Float64Array, startTime: number, barSeconds: number, out?: CandleColumns): CandleColumns {
  const n = prices.length - 1;
  const c = out ?? { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const o = prices[k]!;
    const cl = prices[k + 1]!;
    (c.time as Float64Array)[k] = startTime + k * barSeconds;
    (c.open as Float64Array)[k] = o;
    (c.close as Float64Array)[k] = cl;
    (c.high as Float64Array)[k] = o > cl ? o : cl;
    (c.low as Float64Array)[k] = o < cl ? o : cl;
  }
  return c;
}
