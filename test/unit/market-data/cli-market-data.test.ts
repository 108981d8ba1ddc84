/**
 * The market-data CLI commands end to end in-process: import, datasets (list, rename,
 * delete), resample and crashes with --json, and their refusals (exit 2 naming the field).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/backend/cli/main';
import { SHARED_DATA, tempDir } from '../../helpers/temp';

const dir = tempDir();
const db = path.join(dir, 'cli.db');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

describe('market-data commands', () => {
  it('import, crashes --json, resample --json, rename and delete', async () => {
    const file = path.join(SHARED_DATA, 'events/ethusdt_1h_2020-03-11_2020-03-14.csv');
    expect((await cli('import', file, '--db', db)).code).toBe(0);

    const crashes = await cli('crashes', '1', '--window', '1h', '--limit', '2', '--db', db, '--json');
    expect(crashes.code).toBe(0);
    const report = JSON.parse(crashes.stdout) as { windows: { drops: { drop: number; fromTime: number; toTime: number }[] }[]; events: { id: string }[] };
    // ../shared/data/README.md: ethusdt_1h 2020-03 window, largest 1h drop 25.6% (2020-03-12 09:00 → 10:00).
    const worst = report.windows[0]!.drops[0]!;
    expect(Math.round(worst.drop * 1000) / 10).toBe(25.6);
    expect([worst.fromTime, worst.toTime]).toEqual([Date.UTC(2020, 2, 12, 9) / 1000, Date.UTC(2020, 2, 12, 10) / 1000]);
    expect(report.events.map((e) => e.id)).toEqual(['2020-03-12']);

    const daily = JSON.parse((await cli('resample', '1', '--timeframe', '1d', '--db', db, '--json')).stdout) as { time: number[] };
    expect(daily.time).toEqual([1583884800, 1583971200, 1584057600, 1584144000]);
    expect((await cli('resample', '1', '--timeframe', '1d', '--db', db)).stdout.split('\n')[0]).toBe('time,open,high,low,close,volume');

    const renamed = JSON.parse((await cli('datasets', 'rename', '1', 'Black', 'Thursday', '--db', db, '--json')).stdout) as { name: string };
    expect(renamed.name).toBe('Black Thursday');
    expect((await cli('datasets', '--db', db)).stdout).toContain('Black Thursday');
    expect((await cli('datasets', 'delete', '1', '--db', db)).stdout).toBe('dataset 1 deleted\n');
    expect(JSON.parse((await cli('datasets', '--db', db, '--json')).stdout)).toEqual([]);
  });

  it('refuses bad ids, timeframes and windows with exit 2', async () => {
    expect((await cli('crashes', 'x', '--db', db)).stderr).toContain('field "ID"');
    expect((await cli('crashes', '1', '--window', '1w', '--db', db)).code).toBe(2);
    expect((await cli('resample', '1', '--db', db)).stderr).toContain('give --timeframe');
    expect((await cli('datasets', 'delete', '999', '--db', db)).code).toBe(2);
  });
});
