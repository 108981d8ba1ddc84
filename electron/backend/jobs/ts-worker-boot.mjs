// Runs a TypeScript worker module from source (tests, `npm run web`, the CLI): registers tsx's
// loader in this worker thread, then imports the entry named in workerData. Built code never
// comes here; it starts out/main/worker.js directly.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
