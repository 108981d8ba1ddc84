/**
 * Stable LSD radix argsort of float64 keys.
 *
 * Sorting a million liquidation prices with a comparator costs hundreds of milliseconds; this is
 * comparable to the built-in `Float64Array.prototype.sort` while also returning the permutation.
 * Method: map each double to an unsigned 64-bit pattern with the same order, radix-sort by the top
 * 48 bits in four passes of 12 bits (4096 buckets keep the scatter cache-friendly), then finish with
 * an insertion pass on the full key, which only reorders runs that share the top 48 bits (rare, so
 * the pass is O(n)). The result is exact: a total order on finite doubles, −0 before +0, stable.
 */
import { assert } from './assert';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const BITS = 12;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;

/**
 * Indices 0…n−1 ordered so that keys[order[k]] is non-decreasing; ties keep index order.
 * When `sortedOut` is given it receives the keys in sorted order (rebuilt from the sorted bit
 * patterns, so no random reads).
 */
export function argsortFloat64(keys: Float64Array, sortedOut?: Float64Array): Uint32Array {
  assert(LITTLE_ENDIAN, 'radix sort assumes a little-endian platform');
  const n = keys.length;
  const words = new Uint32Array(keys.buffer, keys.byteOffset, n * 2);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  let idx = new Uint32Array(n);
  const counts = new Uint32Array(4 * RADIX);
  for (let i = 0; i < n; i++) {
    let l = words[2 * i]!;
    let h = words[2 * i + 1]!;
    // Same order as the doubles: flip all bits of negatives, only the sign bit of positives.
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | 0x80000000) >>> 0;
    }
    lo[i] = l;
    hi[i] = h;
    idx[i] = i;
    // Digits over bits 16…63: lo[16..27], lo[28..31]+hi[0..7], hi[8..19], hi[20..31].
    counts[(l >>> 16) & MASK]!++;
    counts[RADIX + (((l >>> 28) | (h << 4)) & MASK)]!++;
    counts[2 * RADIX + ((h >>> 8) & MASK)]!++;
    counts[3 * RADIX + (h >>> 20)]!++;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * RADIX;
    let nonEmpty = 0;
    for (let d = 0; d < RADIX && nonEmpty < 2; d++) if (counts[base + d]! > 0) nonEmpty++;
    if (nonEmpty < 2) continue; // every key has the same digit: nothing to do
    let offset = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[base + d]!;
      counts[base + d] = offset;
      offset += c;
    }
    for (let i = 0; i < n; i++) {
      const l = lo[i]!;
      const h = hi[i]!;
      const d = pass === 0 ? (l >>> 16) & MASK : pass === 1 ? ((l >>> 28) | (h << 4)) & MASK : pass === 2 ? (h >>> 8) & MASK : h >>> 20;
      const pos = counts[base + d]!++;
      lo2[pos] = l;
      hi2[pos] = h;
      idx2[pos] = idx[i]!;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [idx, idx2] = [idx2, idx];
  }
  // Finish on the low 16 bits: insertion sort, moving only within runs equal in the top 48 bits.
  for (let i = 1; i < n; i++) {
    const h = hi[i]!;
    const l = lo[i]!;
    let j = i - 1;
    if (hi[j]! !== h || (lo[j]! >>> 16) !== (l >>> 16) || (lo[j]! & 0xffff) <= (l & 0xffff)) continue;
    const id = idx[i]!;
    while (j >= 0 && hi[j] === h && lo[j]! >>> 16 === l >>> 16 && (lo[j]! & 0xffff) > (l & 0xffff)) {
      lo[j + 1] = lo[j]!;
      hi[j + 1] = hi[j]!;
      idx[j + 1] = idx[j]!;
      j--;
    }
    lo[j + 1] = l;
    hi[j + 1] = h;
    idx[j + 1] = id;
  }
  if (sortedOut) {
    const outWords = new Uint32Array(sortedOut.buffer, sortedOut.byteOffset, n * 2);
    for (let i = 0; i < n; i++) {
      let h = hi[i]!;
      let l = lo[i]!;
      if (h & 0x80000000) h = (h & 0x7fffffff) >>> 0;
      else {
        h = ~h >>> 0;
        l = ~l >>> 0;
      }
      outWords[2 * i] = l;
      outWords[2 * i + 1] = h;
    }
  }
  return idx;
}
