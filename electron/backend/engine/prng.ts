/**
 * Seeded pseudo-random numbers: xoshiro128** seeded by splitmix32.
 *
 * The engine never calls `Math.random`. Every random draw comes from a {@link Prng} whose state is
 * four 32-bit words that can be saved and restored exactly, so a Monte Carlo run can be resumed and
 * re-run bit for bit. 32-bit arithmetic (`Math.imul`, `>>> 0`) is exact in JavaScript, so the same
 * seed gives the same sequence on every platform.
 *
 * Reference: Blackman & Vigna, "Scrambled linear pseudorandom number generators" (xoshiro128**).
 */

/** The saved state of a {@link Prng}: four unsigned 32-bit integers, not all zero. */
export type PrngState = readonly [number, number, number, number];

/** splitmix32 step: expands a 32-bit seed into well-mixed words. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A deterministic random number generator with saveable state. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(state: PrngState) {
    [this.s0, this.s1, this.s2, this.s3] = state;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is a fixed point
  }

  /** A generator seeded from one integer (any 32-bit value; higher bits are folded in). */
  static fromSeed(seed: number): Prng {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const mix = splitmix32(lo ^ Math.imul(hi, 0x27d4eb2d));
    return new Prng([mix(), mix(), mix(), mix()]);
  }

  /** A generator continuing exactly from a state returned by {@link Prng.saveState}. */
  static fromState(state: PrngState): Prng {
    return new Prng(state);
  }

  /** The current state; `Prng.fromState(p.saveState())` continues the same sequence. */
  saveState(): PrngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal draw (Box–Muller; uses two uniforms per call, no cached spare). */
  nextNormal(): number {
    let u = this.nextFloat();
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
