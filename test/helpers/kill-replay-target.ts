/**
 * Child process for `test/integration/crash-run-store.test.ts`. Run as
 * `node --import tsx test/helpers/kill-replay-target.ts <db> <datasetId> <portfolioId>`: opens
 * the backend on a prepared database and stores replays of the same inputs in a loop, forever,
 * until it is killed. Prints `ready` before the first replay and `stored <runId> <events>`
 * after each, so the parent can time its kills and knows what a whole run holds.
 */
import { Backend } from '../../electron/backend/services/backend';
import type { RunInfo } from '../../shared/runs';
import { REPLAY_SCENARIO, REPLAY_WINDOW } from './kill-replay-scenario';

const [dbPath, datasetId, portfolioId] = process.argv.slice(2);
if (!dbPath || !datasetId || !portfolioId) {
  process.stderr.write('usage: kill-replay-target.ts <db> <datasetId> <portfolioId>\n');
  process.exit(2);
}

const backend = new Backend({ dbPath });
process.stdout.write('ready\n');
for (;;) {
  const run = (await backend.dispatch(
    'runs.replay',
    { datasetId: Number(datasetId), portfolioId: Number(portfolioId), scenario: REPLAY_SCENARIO, seed: 7, ...REPLAY_WINDOW },
    { trusted: false },
  )) as RunInfo;
  process.stdout.write(`stored ${run.id} ${run.eventCount}\n`);
}
