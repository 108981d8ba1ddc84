/**
 * Reads what the validation needs from outside the engine: the event catalog (checked in at
 * resources/validation/events.json, bundled) and the real files in the shared data folder, read
 * in place (never copied): the crash-window candles and the Jupiter Lend liquidation records.
 */
import fs from 'node:fs';
import path from 'node:path';
import catalogJson from '../../../resources/validation/events.json' with { type: 'json' };
import { ApiError } from '../../../shared/errors';
import type { CandleColumns } from '../engine';
import type { ValidationEvent } from '../engine/validation';
import type { LendingRecord } from '../engine/lending-check';

export interface ValidationCatalog {
  about: string;
  scaling: string;
  openInterestRule: string;
  depthRule: string;
  calibration: { inSample: string[]; rule: string };
  events: ValidationEvent[];
}

export const CATALOG = catalogJson as unknown as ValidationCatalog;

/** The shared data folder: `$UNDERTOW_SHARED_DATA`, else `../shared/data` beside the repo (from the cwd or this module). */
export function sharedDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.UNDERTOW_SHARED_DATA) return path.resolve(env.UNDERTOW_SHARED_DATA);
  const starts = [process.cwd(), path.dirname(new URL(import.meta.url).pathname)];
  for (const start of starts) {
    let dir = start;
    for (let i = 0; i < 8; i++) {
      const candidate = path.join(dir, '..', 'shared', 'data');
      if (fs.existsSync(path.join(candidate, 'events'))) return path.resolve(candidate);
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new ApiError('not_found', 'the shared data folder (../shared/data) was not found: set UNDERTOW_SHARED_DATA to it', { field: 'UNDERTOW_SHARED_DATA' });
}

/** Parse a `time,open,high,low,close,volume` CSV (header required) into columns. */
export function parseCandleCsv(text: string, file: string): CandleColumns {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2 || !/^time,open,high,low,close,volume/.test(lines[0]!.trim())) throw new ApiError('invalid_input', 'expected a time,open,high,low,close,volume CSV', { file, line: 1 });
  const n = lines.length - 1;
  const c = { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const p = lines[i + 1]!.split(',').map(Number);
    if (p.length < 6 || p.some((v) => !Number.isFinite(v))) throw new ApiError('invalid_input', 'non-numeric field', { file, line: i + 2 });
    c.time[i] = p[0]!;
    c.open[i] = p[1]!;
    c.high[i] = p[2]!;
    c.low[i] = p[3]!;
    c.close[i] = p[4]!;
    c.volume[i] = p[5]!;
  }
  return c;
}

export function readEventCandles(dataDir: string, relative: string): CandleColumns {
  const file = path.join(dataDir, relative);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ApiError('not_found', 'crash-window file missing from the shared data folder', { file });
  }
  return parseCandleCsv(text, file);
}

export const JUPITER_FILE = 'defi/jupiter-lend_liquidations_2025-10-10.csv';

/** The Jupiter Lend records (see defi/PROVENANCE.md for the columns). */
export function readLendingRecords(dataDir: string): LendingRecord[] {
  const file = path.join(dataDir, JUPITER_FILE);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]!.split(',');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new ApiError('invalid_input', `column ${name} missing`, { file, line: 1 });
    return i;
  };
  const [t, pos, cs, ds, cu, du] = ['block_time', 'position', 'collateral_symbol', 'debt_symbol', 'collateral_seized_usd', 'debt_repaid_usd'].map(col) as [number, number, number, number, number, number];
  return lines.slice(1).map((line) => {
    const f = line.split(',');
    return {
      time: Date.parse(f[t]!.replace(' UTC', 'Z').replace(' ', 'T')) / 1000,
      position: f[pos]!,
      collateralSymbol: f[cs]!,
      debtSymbol: f[ds]!,
      collateralUsd: Number(f[cu]),
      debtUsd: Number(f[du]),
    };
  });
}
