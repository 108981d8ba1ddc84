/**
 * The crash finder: the largest drops within a window, as defined in the sample data's
 * README: for each bar t, (close_t − lowest low over the bars in (t, t + window]) / close_t.
 * A sliding-window minimum (monotonic deque) makes it one pass, O(n), whatever the window.
 * The biggest drops are then picked greedily so that no two overlap in time.
 */
import type { CrashDrop } from '../../../shared/market-data';
import type { Columns } from './candle-blocks';

export function largestDrops(blocks: Iterable<Columns>, windowSeconds: number, limit: number): CrashDrop[] {
  const parts = [...blocks];
  const n = parts.reduce((sum, b) => sum + b.rows, 0);
  const time = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  let at = 0;
  for (const b of parts) {
    time.set(b.time, at);
    low.set(b.low, at);
    close.set(b.close, at);
    at += b.rows;
  }

  const drop = new Float64Array(n);
  const trough = new Int32Array(n).fill(-1);
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let right = 0; // next index to enter the window
  for (let i = 0; i < n; i++) {
    while (head < tail && deque[head]! <= i) head++;
    if (right <= i) right = i + 1;
    const end = time[i]! + windowSeconds;
    while (right < n && time[right]! <= end) {
      // Of equal lows keep the latest: the bottom is where the price last stood at its
      // lowest (the README's convention: 2025-10-10 touched 102,000 at 21:20 and 21:24).
      while (head < tail && low[deque[tail - 1]!]! >= low[right]!) tail--;
      deque[tail++] = right++;
    }
    if (head < tail) {
      const j = deque[head]!;
      const d = (close[i]! - low[j]!) / close[i]!;
      if (d > 0) {
        drop[i] = d;
        trough[i] = j;
      }
    }
  }

  const candidates: number[] = [];
  for (let i = 0; i < n; i++) if (trough[i]! >= 0) candidates.push(i);
  candidates.sort((a, b) => drop[b]! - drop[a]! || a - b);
  const picked: CrashDrop[] = [];
  for (const i of candidates) {
    if (picked.length >= limit) break;
    const from = time[i]!;
    const to = time[trough[i]!]!;
    if (picked.some((p) => from <= p.toTime && to >= p.fromTime)) continue;
    picked.push({ windowSeconds, fromTime: from, fromPrice: close[i]!, toTime: to, toPrice: low[trough[i]!]!, drop: drop[i]! });
  }
  return picked;
}
