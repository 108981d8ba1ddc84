/**
 * The main ↔ backend utilityProcess protocol, with a real `Backend` on ':memory:':
 * `serveBackendOnPort` (the utility side) driven through a fake parent port, and main's
 * `BackendProcess` talking to it through a fake `fork` that structured-clones every message,
 * as Electron's MessagePort does. Also: argv/env db path, start-up failure, a crashing backend,
 * and the built out/main/backend.js started in plain Node with a faked parentPort.
 *
 * Not covered: a real utilityProcess (no Electron binary here).
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PushEvent, ReplyMessage } from '../../../shared/contract';
import { ApiError } from '../../../shared/errors';
import { Backend } from '../../../electron/backend/services/backend';
import {
  dbPathFromArgs,
  parseBackendRequest,
  serveBackendOnPort,
  startupError,
  type BackendToMain,
  type MainToBackend,
  type PortLike,
} from '../../../electron/backend/utility-protocol';
import { BackendProcess, type ChildLike, type ForkFunction } from '../../../electron/main/backend-process';

const CSV = 'time,open,high,low,close,volume\n1584000000,10,12,9,11,5\n1584000060,11,13,10,12,6\n';

/** A parent port: `deliver` is main posting to the utility; `sent` is what the utility posted. */
function fakePort() {
  const emitter = new EventEmitter();
  const sent: BackendToMain[] = [];
  const port: PortLike & { deliver(data: unknown): void } = {
    on: (event, listener) => emitter.on(event, listener),
    postMessage: (message) => sent.push(structuredClone(message)),
    deliver: (data) => emitter.emit('message', { data: structuredClone(data) }),
  };
  return { port, sent };
}

async function replyFor(sent: BackendToMain[], id: number): Promise<ReplyMessage> {
  await vi.waitFor(() => {
    if (!sent.some((m) => m.type === 'reply' && m.reply.id === id)) throw new Error(`no reply ${id} yet`);
  });
  const message = sent.find((m) => m.type === 'reply' && m.reply.id === id);
  return (message as { reply: ReplyMessage }).reply;
}

const backends: Backend[] = [];
function memoryBackend(): Backend {
  const backend = new Backend({ dbPath: ':memory:', now: () => 1_700_000_000 });
  backends.push(backend);
  return backend;
}
afterEach(() => {
  for (const backend of backends.splice(0)) backend.close();
});

describe('utility side: serveBackendOnPort', () => {
  it('announces ready, then answers datasets.list with an empty list', async () => {
    const { port, sent } = fakePort();
    serveBackendOnPort(memoryBackend(), port);
    expect(sent[0]).toEqual({ type: 'ready' });
    port.deliver({ id: 1, method: 'datasets.list', params: {}, trusted: false });
    expect(await replyFor(sent, 1)).toEqual({ id: 1, ok: true, result: [] });
  });

  it('answers an unknown method with an unknown_method error value', async () => {
    const { port, sent } = fakePort();
    serveBackendOnPort(memoryBackend(), port);
    port.deliver({ id: 7, method: 'fs.readFile', params: {}, trusted: false });
    const reply = await replyFor(sent, 7);
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error.code).toBe('unknown_method');
  });

  it('refuses a trusted method unless the request says trusted: true (a truthy non-boolean is not enough)', async () => {
    const { port, sent } = fakePort();
    serveBackendOnPort(memoryBackend(), port);
    port.deliver({ id: 2, method: 'datasets.importFile', params: { path: '/etc/passwd' }, trusted: 'yes' });
    const reply = await replyFor(sent, 2);
    expect(!reply.ok && reply.error.code).toBe('forbidden');
  });

  it('forwards backend pushes after an import', async () => {
    const { port, sent } = fakePort();
    serveBackendOnPort(memoryBackend(), port);
    port.deliver({ id: 3, method: 'datasets.importText', params: { fileName: 'BTCUSDT-1m.csv', text: CSV }, trusted: false });
    const reply = await replyFor(sent, 3);
    expect(reply.ok).toBe(true);
    expect(sent).toContainEqual({ type: 'push', event: { type: 'datasets.changed' } });
  });

  it('ignores malformed messages instead of crashing', async () => {
    const { port, sent } = fakePort();
    serveBackendOnPort(memoryBackend(), port);
    for (const junk of [null, 42, 'x', {}, { id: 'a', method: 'datasets.list' }, { id: 1.5, method: 'x' }]) port.deliver(junk);
    port.deliver({ id: 9, method: 'datasets.list', params: {}, trusted: false });
    expect(await replyFor(sent, 9)).toEqual({ id: 9, ok: true, result: [] });
    expect(sent.filter((m) => m.type === 'reply')).toHaveLength(1);
  });

  it('closes the backend on shutdown', () => {
    const { port } = fakePort();
    const backend = memoryBackend();
    const onShutdown = vi.fn();
    serveBackendOnPort(backend, port, onShutdown);
    port.deliver({ type: 'shutdown' });
    expect(backend.db.open).toBe(false);
    expect(onShutdown).toHaveBeenCalledOnce();
  });

  it('when the backend could not start, reports fatal and answers every request with that error', async () => {
    const { port, sent } = fakePort();
    const startError = new ApiError('conflict', 'database schema version 99 is newer', { file: '/x/undertow.db' });
    serveBackendOnPort(startError, port);
    expect(sent[0]).toEqual({ type: 'fatal', error: startError.toJSON() });
    port.deliver({ id: 4, method: 'datasets.list', params: {}, trusted: false });
    expect(await replyFor(sent, 4)).toEqual({ id: 4, ok: false, error: startError.toJSON() });
  });
});

describe('parseBackendRequest and dbPathFromArgs', () => {
  it('treats anything but trusted === true as untrusted', () => {
    expect(parseBackendRequest({ id: 1, method: 'm', params: 1, trusted: 1 })?.trusted).toBe(false);
    expect(parseBackendRequest({ id: 1, method: 'm', params: 1 })?.trusted).toBe(false);
    expect(parseBackendRequest({ id: 1, method: 'm', params: 1, trusted: true })?.trusted).toBe(true);
  });

  it('reads --db PATH, --db=PATH, then $UNDERTOW_DB', () => {
    expect(dbPathFromArgs(['--db', '/a.db'], {})).toBe('/a.db');
    expect(dbPathFromArgs(['--db=/b.db'], { UNDERTOW_DB: '/c.db' })).toBe('/b.db');
    expect(dbPathFromArgs([], { UNDERTOW_DB: '/c.db' })).toBe('/c.db');
    expect(dbPathFromArgs(['--db'], {})).toBeNull();
  });
});

/**
 * A fake `utilityProcess.fork`: each fork runs `serveBackendOnPort` in this process with a fresh
 * in-memory backend, and messages cross by structured clone in both directions.
 */
function inProcessFork(options: { crashOn?: string } = {}) {
  const forks: Array<{ modulePath: string; args: string[]; options: unknown }> = [];
  const fork: ForkFunction = (modulePath, args, forkOptions) => {
    forks.push({ modulePath, args, options: forkOptions });
    const childEvents = new EventEmitter();
    const portEvents = new EventEmitter();
    let alive = true;
    const exit = (code: number) => {
      if (!alive) return;
      alive = false;
      queueMicrotask(() => childEvents.emit('exit', code));
    };
    const port: PortLike = {
      on: (event, listener) => portEvents.on(event, listener),
      postMessage: (message) => {
        if (alive) queueMicrotask(() => childEvents.emit('message', structuredClone(message)));
      },
    };
    const child: ChildLike = {
      on: (event: string, listener: Parameters<EventEmitter['on']>[1]) => childEvents.on(event, listener),
      postMessage: (message: MainToBackend) => {
        if (!alive) return;
        if ('method' in message && message.method === options.crashOn) return exit(134);
        portEvents.emit('message', { data: structuredClone(message) });
      },
      kill: () => {
        exit(15);
        return true;
      },
    } as ChildLike;
    serveBackendOnPort(memoryBackend(), port, () => exit(0));
    return child;
  };
  return { fork, forks };
}

describe('main side: BackendProcess over a fake fork', () => {
  it('forks the built backend entry with --db and relays a full round trip', async () => {
    const { fork, forks } = inProcessFork();
    const pushes: PushEvent[] = [];
    const process = new BackendProcess({
      entry: '/app/out/main/backend.js',
      dbPath: '/home/u/.config/Undertow/db/undertow.db',
      fork,
      onPush: (event) => pushes.push(event),
    });
    process.start();
    expect(forks).toEqual([
      {
        modulePath: '/app/out/main/backend.js',
        args: ['--db', '/home/u/.config/Undertow/db/undertow.db'],
        options: { serviceName: 'Undertow backend', stdio: 'inherit' },
      },
    ]);

    const list = await process.call('datasets.list', {}, false);
    expect(list).toMatchObject({ ok: true, result: [] });

    const imported = await process.call('datasets.importText', { fileName: 'BTCUSDT-1m.csv', text: CSV }, false);
    expect(imported.ok).toBe(true);
    await vi.waitFor(() => expect(pushes).toContainEqual({ type: 'datasets.changed' }));

    const unknown = await process.call('nope', {}, false);
    expect(!unknown.ok && unknown.error.code).toBe('unknown_method');
    await process.stop();
  });

  it('answers pending calls with an internal error when the backend dies, and forks a new one on the next call', async () => {
    const { fork, forks } = inProcessFork({ crashOn: 'datasets.get' });
    const process = new BackendProcess({ entry: 'backend.js', dbPath: 'db', fork, onPush: () => {} });
    const crashed = await process.call('datasets.get', { id: 1 }, false);
    expect(crashed.ok).toBe(false);
    expect(!crashed.ok && crashed.error).toMatchObject({ code: 'internal', message: expect.stringContaining('exit code 134') });
    const after = await process.call('datasets.list', {}, false);
    expect(after).toMatchObject({ ok: true, result: [] });
    expect(forks).toHaveLength(2);
  });

  it('stops forking a backend that keeps crashing', async () => {
    const { fork, forks } = inProcessFork({ crashOn: 'datasets.get' });
    const process = new BackendProcess({ entry: 'backend.js', dbPath: 'db', fork, onPush: () => {}, maxRestarts: 2 });
    for (let i = 0; i < 5; i++) await process.call('datasets.get', { id: 1 }, false);
    const last = await process.call('datasets.list', {}, false);
    expect(!last.ok && last.error.message).toMatch(/keeps stopping/);
    expect(forks).toHaveLength(3);
  });

  it('stop() asks the backend to shut down and refuses later calls', async () => {
    const { fork } = inProcessFork();
    const process = new BackendProcess({ entry: 'backend.js', dbPath: 'db', fork, onPush: () => {} });
    process.start();
    await process.stop();
    expect(backends.at(-1)?.db.open).toBe(false);
    const late = await process.call('datasets.list', {}, false);
    expect(!late.ok && late.error.message).toMatch(/shutting down/);
  });
});

describe('startupError', () => {
  it('names the fix when better-sqlite3 was built for another runtime', () => {
    const error = startupError(
      new ApiError('conflict', 'cannot open database: was compiled against a different Node.js version using NODE_MODULE_VERSION 115'),
    );
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('electron-builder install-app-deps');
  });

  it('passes other errors through, wrapping non-API errors as internal', () => {
    const corrupt = new ApiError('conflict', 'not an Undertow database');
    expect(startupError(corrupt)).toBe(corrupt);
    expect(startupError(new Error('boom'))).toMatchObject({ code: 'internal', message: expect.stringContaining('boom') });
  });
});

/**
 * The built entry (out/main/backend.js, after `electron-vite build`) in a plain Node child whose
 * `process.parentPort` is faked over Node IPC: proves the bundle starts, opens the database
 * named by --db and answers. Skipped when there is no build.
 */
describe('built backend entry (out/main/backend.js), when a build exists', () => {
  const built = path.resolve(import.meta.dirname, '../../../out/main/backend.js');
  const harness = `
    import { EventEmitter } from 'node:events';
    import { pathToFileURL } from 'node:url';
    const port = new EventEmitter();
    port.postMessage = (message) => process.send(message);
    process.parentPort = port;
    process.on('message', (data) => port.emit('message', { data }));
    await import(pathToFileURL(process.env.BACKEND_ENTRY).href);
  `;

  it.runIf(fs.existsSync(built))('starts, reports ready, answers datasets.list and exits on shutdown', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-utility-'));
    const dbPath = path.join(dir, 'db', 'undertow.db');
    const child = spawn(process.execPath, ['--input-type=module', '-e', harness, '--', '--db', dbPath], {
      env: { ...process.env, BACKEND_ENTRY: built, UNDERTOW_DB: '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The next message, or a failure as soon as the child dies (a bundle that cannot start).
    const next = () =>
      new Promise<BackendToMain>((resolve, reject) => {
        child.once('message', (message) => resolve(message as BackendToMain));
        void exited.then((code) => reject(new Error(`the built backend exited with code ${code} before answering`)));
      });
    try {
      expect(await next()).toEqual({ type: 'ready' });
      const reply = next();
      child.send({ id: 1, method: 'datasets.list', params: {}, trusted: false });
      expect(await reply).toEqual({ type: 'reply', reply: { id: 1, ok: true, result: [] } });
      expect(fs.existsSync(dbPath)).toBe(true);
      child.send({ type: 'shutdown' });
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
