/**
 * Stable LSD radix argsort of float64 keys (4 passes of 16 bits over the IEEE-754 bit pattern).
 *
 * Sorting a million liquidation prices with a comparator costs hundreds of milliseconds; this costs
 * a few tens and is exact (total order on finite doubles, −0 before +0).
 */
import { assert } from './assert';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Indices 0…n−1 ordered so that keys[order[k]] is non-decreasing; ties keep index order. */
export function argsortFloat64(keys: Float64Array): Uint32Array {
  assert(LITTLE_ENDIAN, 'radix sort assumes a little-endian platform');
  const n = keys.length;
  const words = new Uint32Array(keys.buffer, keys.byteOffset, n * 2);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  let idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let l = words[2 * i]!;
    let h = words[2 * i + 1]!;
    // Map doubles to unsigned integers with the same order: flip all bits of negatives, the sign bit of positives.
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | 0x80000000) >>> 0;
    }
    lo[i] = l;
    hi[i] = h;
    idx[i] = i;
  }
  const counts = new Uint32Array(4 * 65536);
  for (let i = 0; i < n; i++) {
    const l = lo[i]!;
    const h = hi[i]!;
    counts[l & 0xffff]!++;
    counts[65536 + (l >>> 16)]!++;
    counts[131072 + (h & 0xffff)]!++;
    counts[196608 + (h >>> 16)]!++;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * 65536;
    // Skip a pass whose digit is the same for every key.
    let nonEmpty = 0;
    for (let d = 0; d < 65536 && nonEmpty < 2; d++) if (counts[base + d]! > 0) nonEmpty++;
    if (nonEmpty < 2) continue;
    let offset = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[base + d]!;
      counts[base + d] = offset;
      offset += c;
    }
    const useHi = pass >= 2;
    const shift = pass % 2 === 0 ? 0 : 16;
    for (let i = 0; i < n; i++) {
      const w = useHi ? hi[i]! : lo[i]!;
      const d = (w >>> shift) & 0xffff;
      const pos = counts[base + d]!++;
      lo2[pos] = lo[i]!;
      hi2[pos] = hi[i]!;
      idx2[pos] = idx[i]!;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}
