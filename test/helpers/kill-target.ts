/**
 * Child process for the SIGKILL tests (`test/integration/crash-*.test.ts`). Run as
 * `node --import tsx test/helpers/kill-target.ts <mode> <db> [file]` — one process, so SIGKILL
 * hits the process doing the writing (the `tsx` CLI would run it in a grandchild).
 *
 * Modes: `import` opens the backend and imports the candle file (one transaction);
 * `open` opens the database, which backs it up and migrates it. Prints `ready` just before the
 * work starts and `done <ms>` when it finished, so the parent can time its kill.
 */
import { Backend } from '../../electron/backend/services/backend';
import { openDatabase } from '../../electron/backend/store/db';

const [mode, dbPath, file] = process.argv.slice(2);
if (!dbPath || (mode !== 'import' && mode !== 'open')) {
  process.stderr.write('usage: kill-target.ts import|open <db> [file]\n');
  process.exit(2);
}

if (mode === 'import') {
  const backend = new Backend({ dbPath });
  process.stdout.write('ready\n');
  const started = performance.now();
  await backend.dispatch('datasets.importFile', { path: file, symbol: 'KILLUSDT', timeframe: '1m' }, { trusted: true });
  process.stdout.write(`done ${Math.round(performance.now() - started)}\n`);
  backend.close();
} else {
  process.stdout.write('ready\n');
  const started = performance.now();
  const db = openDatabase(dbPath);
  process.stdout.write(`done ${Math.round(performance.now() - started)}\n`);
  db.close();
}
