/** Temp directories for file databases, removed after each test file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export function tempDir(prefix = 'undertow-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Repo root and the shared data folder beside the repo (never copied into it). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');

/** Reads a shared data CSV (time,open,high,low,close,volume with header) independently of the importer. */
export function readSharedCsv(relative: string): { time: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] } {
  const text = fs.readFileSync(path.join(SHARED_DATA, relative), 'utf8').trim().split('\n');
  const out = { time: [] as number[], open: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[], volume: [] as number[] };
  for (const line of text.slice(1)) {
    const [t, o, h, l, c, v] = line.split(',').map(Number);
    out.time.push(t!); out.open.push(o!); out.high.push(h!); out.low.push(l!); out.close.push(c!); out.volume.push(v!);
  }
  return out;
}
