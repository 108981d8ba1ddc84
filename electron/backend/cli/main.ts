/**
 * `npm run cli -- <command> [options]`: the command line. It calls the backend in-process
 * through the same contract as the UI. Exit 0 on success, 2 on bad input (stderr names file,
 * line or field), 1 on an internal error. With `--json`, stdout holds one JSON document.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Backend } from '../services/backend';
import { createInProcessApi } from '../services/in-process';
import { defaultDbPath } from '../paths';
import { listBackups, restoreBackup } from '../store/backup';
import { ApiError, describeError } from '../../../shared/errors';
import type { CliCommand, CliOutput } from './command';
import { ENGINE_COMMANDS } from './engine-commands';
import { DOWNLOAD_COMMANDS } from './download-command';
import { WHAT_IF_COMMANDS } from './what-if-commands';
import { EXPORT_COMMANDS } from './export-run';
import { VALIDATION_COMMANDS } from './validation-commands';
import { MARKET_DATA_COMMANDS } from './market-data-commands';

const COMMON = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const COMMANDS: Record<string, CliCommand> = {
  // Import and datasets head the help; the rest of the market-data commands come last.
  import: MARKET_DATA_COMMANDS.import!,
  datasets: MARKET_DATA_COMMANDS.datasets!,
  ...ENGINE_COMMANDS,
  ...DOWNLOAD_COMMANDS,
  ...WHAT_IF_COMMANDS,
  ...EXPORT_COMMANDS,
  ...VALIDATION_COMMANDS,
  // Streaming import, dataset management, resample and the crash finder.
  ...MARKET_DATA_COMMANDS,
};

/** `--shock -15%` → `--shock=-15%`: parseArgs would read "-15%" as an option. */
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (/^--[a-z][a-z-]*$/.test(args[i]!) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else out.push(args[i]!);
  }
  return out;
}

function helpText(): string {
  const lines = ['Usage: npm run cli -- <command> [options] [--db PATH] [--json]', '', 'Commands:'];
  for (const command of Object.values(COMMANDS)) {
    // Long usages put their summary on the next line, so the list stays readable.
    if (command.usage.length <= 62) lines.push(`  ${command.usage.padEnd(62)} ${command.summary}`);
    else lines.push(`  ${command.usage}`, `      ${command.summary}`);
  }
  lines.push(`  ${'restore-backup [--from BACKUP] [--list]'.padEnd(62)} put the newest (or the named) database backup back`);
  lines.push(
    '',
    'Options:',
    '  --db PATH   database file (default: $UNDERTOW_DB, else the per-user data directory)',
    '  --json      print one JSON document on stdout and nothing else',
    '',
    'Exit status: 0 success, 2 bad input (message names file:line or field), 1 internal error.',
  );
  return lines.join('\n');
}

/** Where the CLI writes; the process's streams unless a test gives its own. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export async function runCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${helpText()}\n`);
    return name ? 0 : 2;
  }
  if (name === 'restore-backup') return restoreBackupCli(rest, io);
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`undertow: unknown command "${name}"\n\n${helpText()}\n`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: joinNegativeValues(rest), options: { ...COMMON, ...command.options }, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr.write(`undertow ${name}: ${(err as Error).message}\nUsage: npm run cli -- ${command.usage}\n`);
    return 2;
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    io.stdout.write(`Usage: npm run cli -- ${command.usage} [--db PATH] [--json]\n${command.summary}\n`);
    return 0;
  }
  const json = values.json === true;
  let document: unknown;
  const out: CliOutput = {
    json,
    line: (text) => {
      if (!json) io.stdout.write(`${text}\n`);
    },
    result: (value) => {
      document = value;
    },
  };
  let backend: Backend | undefined;
  try {
    backend = new Backend({ dbPath: values.db ? path.resolve(values.db as string) : defaultDbPath() });
    await command.run(createInProcessApi(backend, { trusted: true }), { values, positionals: parsed.positionals }, out);
    if (json) io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ApiError && err.code !== 'internal') {
      io.stderr.write(`undertow ${name}: ${describeError(err)}\n`);
      return 2;
    }
    io.stderr.write(`undertow ${name}: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  } finally {
    backend?.close();
  }
}

/**
 * `restore-backup [--db PATH] [--from BACKUP] [--list] [--json]`: never opens the database
 * (it may be the corrupt one); lists its backups, or moves it aside and copies a backup in.
 */
function restoreBackupCli(args: string[], io: CliIo): number {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args, options: { ...COMMON, from: { type: 'string' }, list: { type: 'boolean', default: false } }, strict: true }).values;
  } catch (err) {
    io.stderr.write(`undertow restore-backup: ${(err as Error).message}\n`);
    return 2;
  }
  const dbPath = values.db ? path.resolve(values.db as string) : defaultDbPath();
  const print = (text: string, document: unknown): void => {
    io.stdout.write(values.json ? `${JSON.stringify(document, null, 2)}\n` : `${text}\n`);
  };
  if (values.list) {
    const backups = listBackups(dbPath);
    const lines = backups.map((b) => `${b.file}  schema v${b.version}  ${new Date(b.takenAt).toISOString()}`);
    print(lines.length ? lines.join('\n') : `no backups of ${dbPath}`, backups);
    return 0;
  }
  try {
    const result = restoreBackup(dbPath, values.from as string | undefined);
    print(`restored ${result.restored} to ${dbPath}; the replaced file was kept as ${result.movedAside[0] ?? '(none)'}`, result);
    return 0;
  } catch (err) {
    if (err instanceof ApiError) {
      io.stderr.write(`undertow restore-backup: ${describeError(err)}\n`);
      return 2;
    }
    io.stderr.write(`undertow restore-backup: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && /cli[\\/]main\.[cm]?[jt]s$/.test(process.argv[1]);
if (isMain) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
