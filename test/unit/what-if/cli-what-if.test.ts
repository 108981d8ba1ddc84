/**
 * The `sweep` and `montecarlo` commands (electron/backend/cli/what-if-commands.ts) in-process on
 * a temp database with the real 2020-03 BTC window: one JSON document with --json, the grid's
 * shape, the Monte Carlo's VaR ordering and reproducibility from the seed (1 or 2 workers), and
 * exit 2 naming the field for bad flags.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/backend/cli/main';
import { SHARED_DATA, tempDir } from '../../helpers/temp';

const dir = tempDir();
const db = path.join(dir, 'cli-what-if.db');
const portfolioFile = path.join(dir, 'desk.json');
fs.writeFileSync(
  portfolioFile,
  JSON.stringify({
    name: 'desk',
    accounts: [{ id: 'a', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [
      { id: 'p1', symbol: 'BTCUSDT', side: 'long', qty: 1, entry: 5200, leverage: 10 },
      { id: 'p2', symbol: 'BTCUSDT', side: 'short', qty: 1, entry: 5200, leverage: 20 },
    ] }],
  }),
);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

describe('CLI sweep and montecarlo', async () => {
  const imported = await cli('import', path.join(SHARED_DATA, 'events/btcusdt_1m_2020-03-11_2020-03-14.csv'), '--db', db, '--json');
  const datasetId = String((JSON.parse(imported.stdout) as { dataset: { id: number } }[])[0]!.dataset.id);

  it('sweep --json prints one document with a leverage × shock grid', async () => {
    const { code, stdout, stderr } = await cli('sweep', '--portfolio', portfolioFile, '--dataset', datasetId, '--leverage', '5,20', '--shocks', '-5%,-15%', '--workers', '2', '--db', db, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { grid: { cells: { leverage: number; move: number }[]; workers: number } };
    expect(doc.grid.cells.map((c) => [c.leverage, c.move])).toEqual([[5, -0.05], [5, -0.15], [20, -0.05], [20, -0.15]]);
    expect(doc.grid.workers).toBe(2);
  });

  it('montecarlo --json is reproducible from its seed with one or two workers', async () => {
    const run = (workers: string) => cli('montecarlo', '--portfolio', portfolioFile, '--dataset', datasetId, '--paths', '30', '--steps', '60', '--seed', '7', '--workers', workers, '--db', db, '--json');
    const one = await run('1');
    const two = await run('2');
    expect(one.code).toBe(0);
    const a = JSON.parse(one.stdout) as { monteCarlo: { var95: number; var99: number; es99: number; liquidationProbability: unknown[] } };
    const b = JSON.parse(two.stdout) as typeof a;
    expect(b.monteCarlo.var99).toBe(a.monteCarlo.var99);
    expect(b.monteCarlo.es99).toBe(a.monteCarlo.es99);
    expect(a.monteCarlo.var99).toBeGreaterThanOrEqual(a.monteCarlo.var95);
    expect(a.monteCarlo.liquidationProbability).toHaveLength(2);
  });

  it('exits 2 naming the flag for bad input', async () => {
    const noDataset = await cli('montecarlo', '--portfolio', portfolioFile, '--db', db);
    expect(noDataset.code).toBe(2);
    expect(noDataset.stderr).toContain('dataset');
    const badWorkers = await cli('sweep', '--portfolio', portfolioFile, '--workers', '3', '--db', db);
    expect(badWorkers.code).toBe(2);
    expect(badWorkers.stderr).toContain('workers');
    const badShape = await cli('sweep', '--portfolio', portfolioFile, '--shape', 'zigzag', '--db', db);
    expect(badShape.code).toBe(2);
    expect(badShape.stderr).toContain('shape');
  });
});
