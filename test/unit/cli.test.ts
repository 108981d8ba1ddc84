/**
 * The command line: exit codes (0 success, 2 bad input naming file:line, 1 internal),
 * `--json` printing exactly one JSON document, and help. Runs `runCli` in-process on a
 * temp database; the `npm run cli` wrapper is exercised by the README's commands.
 */
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/backend/cli/main';
import { deimpactLine } from '../../electron/backend/cli/validation-commands';
import type { DesignMatrixInfo, RobustnessInfo, ValidationReportInfo } from '../../shared/validation';
import { SHARED_DATA, tempDir } from '../helpers/temp';

const dir = tempDir();
const db = path.join(dir, 'cli.db');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

describe('npm run cli', () => {
  it('--help lists the commands', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('import FILE…');
    expect(stdout).toContain('datasets');
  });

  it('imports a real file and prints one JSON document with --json', async () => {
    const file = path.join(SHARED_DATA, 'events/ethusdt_1h_2024-08-04_2024-08-06.csv');
    const { code, stdout, stderr } = await cli('import', file, '--db', db, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { added: number; dataset: { symbol: string; rows: number } }[];
    expect(doc).toHaveLength(1);
    expect(doc[0]).toMatchObject({ added: 72, dataset: { symbol: 'ETHUSDT', rows: 72 } });
    const list = await cli('datasets', '--db', db, '--json');
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  });

  it('exits 2 naming file and line for a bad row, and stores nothing', async () => {
    const bad = path.join(dir, 'xyzusdt_1m_bad.csv');
    fs.writeFileSync(bad, 'time,open,high,low,close,volume\n60,1,1,1,1,1\n120,1,1,1,oops,1\n');
    const { code, stderr, stdout } = await cli('import', bad, '--db', db);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${bad}`.split('/').pop()!);
    expect(stderr).toMatch(/xyzusdt_1m_bad\.csv:3 field "close": close "oops" is not a number/);
    const list = await cli('datasets', '--db', db, '--json');
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  });

  it('exits 2 for a missing file, an unknown command and an unknown flag', async () => {
    expect((await cli('import', path.join(dir, 'nope.csv'), '--db', db)).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('datasets', '--nope', '--db', db)).code).toBe(2);
  });

  it('exits 2 with a clear message for a database that is not one', async () => {
    const notDb = path.join(dir, 'not.db');
    fs.writeFileSync(notDb, 'hello '.repeat(1000));
    const { code, stderr } = await cli('datasets', '--db', notDb);
    expect(code).toBe(2);
    expect(stderr).toMatch(/not an Undertow database or is corrupt/);
  });
});

describe('npm run cli — engine commands', () => {
  const portfolio = path.join(dir, 'ladder.json');
  fs.writeFileSync(
    portfolio,
    JSON.stringify({
      name: 'ladder',
      accounts: [{ id: 'iso', venue: 'binance-usdm', mode: 'isolated', wallet: 0, positions: [
        { id: 'l', symbol: 'BTCUSDT', side: 'long', qty: 1, entry: 10000, margin: 1000 },
        { id: 's', symbol: 'BTCUSDT', side: 'short', qty: 1, entry: 10000, margin: 1000 },
      ] }],
    }),
  );

  it('margin prints the documented liquidation prices (DESIGN.md §3.1: 9,036.14 and 10,956.18)', async () => {
    const { code, stdout } = await cli('margin', '--portfolio', portfolio, '--at', '2021-05-19', '--db', db, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { rows: { positionId: string; liquidationPrice: number }[] };
    expect(report.rows.map((r) => [r.positionId, r.liquidationPrice.toFixed(2)])).toEqual([['l', '9036.14'], ['s', '10956.18']]);
  });

  it('stress takes a negative shock without "=" and prints one JSON document', async () => {
    const { code, stdout, stderr } = await cli('stress', '--portfolio', portfolio, '--shock', '-15%', '--over', '10m', '--db', db, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { run: { summary: { portfolioLiquidated: string[]; minExogenousLow: number } }; amplification: number };
    // −15% from 10,000 reaches 8,500, below the long's 9,036.14; the short's 10,956.18 is not touched.
    expect(doc.run.summary.portfolioLiquidated).toEqual(['l']);
    expect(doc.run.summary.minExogenousLow).toBeCloseTo(8500, 6);
    expect(doc.amplification).toBe(1); // impact off
  });

  it('replay --file imports and replays, and names bad flags and files', async () => {
    const file = path.join(SHARED_DATA, 'events/btcusdt_1m_2024-08-04_2024-08-06.csv');
    const ok = await cli('replay', '--file', file, '--db', db, '--json');
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { run: { summary: { bars: number } } }).run.summary.bars).toBe(4320);
    expect((await cli('stress', '--portfolio', portfolio, '--shock', 'lots', '--db', db)).stderr).toMatch(/field "shock"/);
    expect((await cli('margin', '--portfolio', path.join(dir, 'missing.json'), '--db', db)).code).toBe(2);
    const badJson = path.join(dir, 'bad.json');
    fs.writeFileSync(badJson, '{\n  "name": "x",\n  "accounts": [}\n');
    const bad = await cli('margin', '--portfolio', badJson, '--db', db);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.json:3');
  });
});

describe('npm run cli — design', () => {
  it('says per event whether the de-impacted path converged, with its iterations and residual (the --json matrix\'s)', async () => {
    const designDb = path.join(dir, 'design.db');
    const text = await cli('design', '--db', designDb);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    // The second call reads the stored matrix (the same one the text was printed from).
    const json = await cli('design', '--db', designDb, '--json');
    expect(json.code).toBe(0);
    const { matrix } = JSON.parse(json.stdout) as { matrix: DesignMatrixInfo };
    expect(matrix.events).toHaveLength(6);
    const lines = text.stdout.split('\n');
    for (const ev of matrix.events) {
      const at = lines.findIndex((l) => l.startsWith(`${ev.id} ${ev.title}:`));
      expect(at, ev.id).toBeGreaterThanOrEqual(0);
      const x = ev.exogenousPath;
      const line = lines[at + 1]!;
      expect(line).toBe(`  ${deimpactLine(x)}`);
      expect(line).toContain(x.converged ? `converged in ${x.iterations} iterations` : `NOT converged after ${x.iterations} iterations`);
      expect(line).toContain(`residual ${x.residual.toExponential(2)}`);
    }
  }, 120_000);
});

describe('npm run cli — validate', () => {
  it('prints the score, the other calibration splits and the lending check; --json holds what the text says', async () => {
    const vdb = path.join(dir, 'validate.db');
    const text = await cli('validate', '--db', vdb);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const json = await cli('validate', '--db', vdb, '--json');
    expect(json.code).toBe(0);
    const { report, robustness } = JSON.parse(json.stdout) as { report: ValidationReportInfo; robustness: RobustnessInfo };
    expect(text.stdout).toContain(`Within 2×: ${report.score.within2x} of 6 (${report.score.within2xOutOfSample} out of sample)`);
    expect(text.stdout).toContain(`leave-one-out, ${robustness.leaveOneOutWithin2x} of 6 held-out events within 2×`);
    for (const s of robustness.leaveOneOut) {
      const held = s.ratios.find((x) => x.sample === 'out')!;
      expect(text.stdout).toContain(`  ${held.id} held out: ratio ${held.ratio.toFixed(2)}${held.within2x ? '' : ' (miss)'}`);
    }
    // The assumptions name the aged population, the owners' reaction and the in-window inflow.
    expect(text.stdout).toContain('Owners reacting');
    expect(text.stdout).toContain('Positions opened during the window');
    // The fitted population says whether positions open during the window.
    expect(text.stdout).toContain(report.parameters.inflow ? 'positions turn over and reopen during the window' : 'no positions opened during the window');
    // ...and which mark model the fit chose (a calibration dimension: candle path or 1m closes).
    expect(text.stdout).toMatch(/Fitted on [^\n]*, mark on the (candle path|1m closes)/);
    expect(text.stdout).toContain((report.parameters.markWick ?? 1) === 0 ? 'mark on the 1m closes' : 'mark on the candle path');
    expect(text.stdout).toContain('Mark price: A calibration dimension');
  }, 120_000);

  it('refuses an unknown --liquidity for design, naming the flag', async () => {
    const r = await cli('design', '--liquidity', 'deep', '--db', path.join(dir, 'design-bad.db'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--liquidity deep: expected calibrated or resting');
  });
});
