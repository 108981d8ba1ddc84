/**
 * SIGKILL mid-import: a child process imports a large generated file (synthetic, made here)
 * and is killed while reading, and again while its one write transaction is running. The
 * database must then pass `PRAGMA integrity_check` and hold no dataset, no source, no candle
 * and no block; a later import of the same file must work.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { REPO_ROOT, tempDir } from '../helpers/temp';

const dir = tempDir();
const ROWS = 700_000;
const file = path.join(dir, 'killusdt_1m_synthetic.csv');
{
  const parts = ['time,open,high,low,close,volume\n'];
  for (let i = 0; i < ROWS; i++) {
    const p = 50 + ((i * 7) % 100) / 10;
    parts.push(`${1500000000 + i * 60},${p},${p + 1},${p - 1},${p},2\n`);
  }
  fs.writeFileSync(file, parts.join(''));
}

/** Runs the child until `phase` shows on its stdout, waits `delayMs`, then SIGKILLs it. */
function killAt(dbPath: string, phase: string, delayMs: number): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    // One process (node with tsx as a loader), not the tsx launcher: killing the launcher
    // would leave its node child running.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/fixtures/market-data-import-child.ts'), dbPath, file], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    let armed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!armed && output.includes(`phase ${phase}\n`)) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, output }));
  });
}

function inspect(dbPath: string): { integrity: unknown; counts: unknown } {
  const db = new Database(dbPath);
  try {
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      counts: { datasets: count('datasets'), sources: count('dataset_sources'), candles: count('candles'), blocks: count('candle_blocks') },
    };
  } finally {
    db.close();
  }
}

describe('SIGKILL during an import', () => {
  it.each([
    ['while reading the file', 'reading', 50],
    ['inside the write transaction', 'storing', 80],
  ])('%s leaves a consistent database with no partial dataset', { timeout: 120_000 }, async (_name, phase, delay) => {
    const dbPath = path.join(dir, `${phase}.db`);
    new Backend({ dbPath }).close(); // schema in place before the child starts
    const { signal, output } = await killAt(dbPath, phase, delay);
    expect(signal).toBe('SIGKILL');
    expect(output).toContain(`phase ${phase}`);
    expect(output).not.toContain('imported');
    expect(output).not.toContain('phase done');
    expect(inspect(dbPath)).toEqual({ integrity: 'ok', counts: { datasets: 0, sources: 0, candles: 0, blocks: 0 } });

    const backend = new Backend({ dbPath });
    const result = (await backend.dispatch('datasets.importFile', { path: file }, { trusted: true })) as { added: number };
    expect(result.added).toBe(ROWS);
    backend.close();
  });
});
