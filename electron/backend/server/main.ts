/**
 * `npm run web`: browser mode. Serves the built renderer and the backend on 127.0.0.1 and
 * prints the URL (with its per-launch token) to open.
 *
 *   npm run web -- [--db PATH] [--port N]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Backend } from '../services/backend';
import { defaultDbPath } from '../paths';
import { startHttpServer } from './http-server';
import { describeError, ApiError } from '../../../shared/errors';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      port: { type: 'string' },
      renderer: { type: 'string' },
    },
  });
  const dbPath = values.db ? path.resolve(values.db) : defaultDbPath();
  const port = values.port ? Number(values.port) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ApiError('invalid_input', `--port ${values.port} is not a port number`, { field: 'port' });
  }
  const rendererDir = path.resolve(values.renderer ?? path.join(process.cwd(), 'out', 'renderer'));
  const backend = new Backend({ dbPath });
  const server = await startHttpServer({ backend, rendererDir, port });
  process.stdout.write(`Undertow browser mode\n  database: ${dbPath}\n  open: ${server.appUrl}\n`);
  const stop = async (): Promise<void> => {
    await server.close();
    backend.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`undertow: ${err instanceof ApiError ? describeError(err) : String(err)}\n`);
  process.exit(err instanceof ApiError ? 2 : 1);
});
