/**
 * `npm run bench`: runs every benchmark in test/bench/ (each prints one JSON document on
 * stdout) in its own process, one after another so they do not compete for the two cores,
 * and prints all figures as one JSON document. `npm run bench -- engine import` runs some.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = import.meta.dirname;
const only = process.argv.slice(2);
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')))
  .sort();

const results: Record<string, unknown> = {};
let failed = false;
for (const file of files) {
  const name = file.replace(/\.ts$/, '');
  process.stderr.write(`bench: ${name}…\n`);
  const run = spawnSync(path.join(dir, '../../node_modules/.bin/tsx'), [path.join(dir, file)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() },
  });
  try {
    results[name] = JSON.parse(run.stdout);
  } catch {
    failed = true;
    results[name] = { error: `exit ${run.status}: no JSON on stdout`, stdout: run.stdout.slice(-2000) };
  }
}
process.stdout.write(
  `${JSON.stringify({ machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, memoryGiB: Math.round(os.totalmem() / 2 ** 30) }, results }, null, 2)}\n`,
);
process.exitCode = failed ? 1 : 0;
