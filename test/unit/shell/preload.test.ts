/**
 * The preload (`electron` mocked): exposes exactly `window.undertow` with `call`, `onPush`,
 * `saveFile`, `importLocalFile`, `platform`; uses only the channels in `IPC`; never hands the
 * renderer an IPC event or a file's path; resolves a picked or dropped file's path with
 * `webUtils.getPathForFile` and sends it to main, or answers null (send the content) for a
 * file without a path or of a kind not imported by path; turns a failed send into an error
 * value. Also checks the built CommonJS file when a build exists.
 *
 * Not covered: contextBridge's real cloning between worlds, in particular of a `File`, and
 * `webUtils.getPathForFile` on a real dropped file (no Electron binary here).
 */
import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { IPC, type PreloadBridge } from '../../../shared/bridge';

const exposed = new Map<string, unknown>();
const rendererSide = new EventEmitter();
const invoke = vi.fn(async (channel: string, first: unknown, _second?: unknown) => {
  if (first === 'throws' || (channel === IPC.saveFile && (first as { fileName?: string }).fileName === 'throws.csv')) {
    throw new Error('An object could not be cloned.');
  }
  if (channel === IPC.saveFile) return { ok: true, path: '/home/u/Downloads/a.csv' };
  return { id: 1, ok: true, result: [] };
});
/** Paths of the Files the fake webUtils knows (like files picked or dropped); others: '' (made in the page). */
const diskPaths = new Map<File, string>();
const getPathForFile = vi.fn((file: File) => {
  if (!(file instanceof File)) throw new TypeError('Expected a File');
  return diskPaths.get(file) ?? '';
});

vi.mock('electron', () => ({
  webUtils: { getPathForFile },
  contextBridge: { exposeInMainWorld: vi.fn((key: string, api: unknown) => exposed.set(key, api)) },
  ipcRenderer: {
    invoke,
    on: vi.fn((channel: string, listener: (...args: unknown[]) => void) => rendererSide.on(channel, listener)),
    removeListener: vi.fn((channel: string, listener: (...args: unknown[]) => void) =>
      rendererSide.removeListener(channel, listener),
    ),
  },
}));

await import('../../../electron/preload/index');
const electron = await import('electron');

describe('preload', () => {
  it('exposes only window.undertow, with exactly call, onPush, saveFile, importLocalFile and platform', () => {
    expect([...exposed.keys()]).toEqual(['undertow']);
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce();
    const bridge = exposed.get('undertow') as PreloadBridge;
    expect(Object.keys(bridge).sort()).toEqual(['call', 'importLocalFile', 'onPush', 'platform', 'saveFile']);
    expect(bridge.platform).toBe(process.platform);
  });

  it('call goes over IPC.call and resolves with the reply', async () => {
    const bridge = exposed.get('undertow') as PreloadBridge;
    expect(await bridge.call('datasets.list', {})).toEqual({ id: 1, ok: true, result: [] });
    expect(invoke).toHaveBeenLastCalledWith(IPC.call, 'datasets.list', {});
  });

  it('call resolves with an error value when the request cannot be sent', async () => {
    const bridge = exposed.get('undertow') as PreloadBridge;
    const reply = await bridge.call('throws', { fn: 'not cloneable' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('onPush listens on IPC.push, passes the message without the IPC event, and unsubscribes', () => {
    const bridge = exposed.get('undertow') as PreloadBridge;
    const received: unknown[][] = [];
    const unsubscribe = bridge.onPush((...args: unknown[]) => received.push(args));
    const ipcEvent = { sender: { send: () => {} }, ports: [] };
    rendererSide.emit(IPC.push, ipcEvent, { type: 'datasets.changed' });
    expect(received).toEqual([[{ type: 'datasets.changed' }]]);
    unsubscribe();
    rendererSide.emit(IPC.push, ipcEvent, { type: 'datasets.changed' });
    expect(received).toHaveLength(1);
    expect(rendererSide.listenerCount(IPC.push)).toBe(0);
  });

  it('saveFile sends the export over IPC.saveFile and resolves with main’s reply', async () => {
    const bridge = exposed.get('undertow') as PreloadBridge;
    const request = { kind: 'csv' as const, fileName: 'a.csv', data: 'x,y\n' };
    expect(await bridge.saveFile(request)).toEqual({ ok: true, path: '/home/u/Downloads/a.csv' });
    expect(invoke).toHaveBeenLastCalledWith(IPC.saveFile, request);
    expect(await bridge.saveFile({ kind: 'csv', fileName: 'throws.csv', data: '' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('importLocalFile sends the path webUtils resolves over IPC.importPath, never to the page', async () => {
    const bridge = exposed.get('undertow') as PreloadBridge;
    const dropped = new File(['time,open\n'], 'BTCUSDT-1m.csv');
    diskPaths.set(dropped, '/home/u/Downloads/BTCUSDT-1m.csv');
    invoke.mockClear();
    const reply = await bridge.importLocalFile(dropped, { job: 'ui-1' });
    expect(getPathForFile).toHaveBeenLastCalledWith(dropped);
    expect(invoke).toHaveBeenCalledExactlyOnceWith(IPC.importPath, '/home/u/Downloads/BTCUSDT-1m.csv', { job: 'ui-1' });
    expect(reply).toEqual({ id: 1, ok: true, result: [] });
    expect(JSON.stringify(reply)).not.toContain('/home/u');
  });

  it('importLocalFile answers null, sending nothing, for a file without a path or not imported by path', async () => {
    const bridge = exposed.get('undertow') as PreloadBridge;
    const madeInPage = new File(['x'], 'made.csv');
    const picture = new File(['x'], 'photo.png');
    diskPaths.set(picture, '/home/u/photo.png');
    invoke.mockClear();
    expect(await bridge.importLocalFile(madeInPage, {})).toBeNull();
    expect(await bridge.importLocalFile(picture, {})).toBeNull();
    // Not a File at all (webUtils throws): still null, the page falls back to its content.
    expect(await bridge.importLocalFile({ name: 'a.csv' } as unknown as File, {})).toBeNull();
    expect(invoke).not.toHaveBeenCalled();
  });

  it('importLocalFile resolves with an error value when the request cannot be sent', async () => {
    const bridge = exposed.get('undertow') as PreloadBridge;
    const dropped = new File(['x'], 'a.csv');
    diskPaths.set(dropped, '/home/u/a.csv');
    invoke.mockImplementationOnce(async () => {
      throw new Error('main is gone');
    });
    expect(await bridge.importLocalFile(dropped, {})).toMatchObject({ ok: false, error: { code: 'bad_request', message: 'cannot send the import of a.csv: main is gone' } });
  });

  it('uses no IPC channel other than those in IPC', () => {
    const channels = new Set([
      ...invoke.mock.calls.map((call) => call[0]),
      ...vi.mocked(electron.ipcRenderer.on).mock.calls.map((call) => call[0]),
    ]);
    const known: string[] = Object.values(IPC);
    expect([...channels].filter((c) => !known.includes(c))).toEqual([]);
    expect(channels.has(IPC.push)).toBe(true);
  });
});

describe('built preload (out/preload/index.cjs), when a build exists', () => {
  const built = path.resolve(import.meta.dirname, '../../../out/preload/index.cjs');
  it.runIf(fs.existsSync(built))('is CommonJS that requires only electron', () => {
    const code = fs.readFileSync(built, 'utf8');
    expect(code).not.toMatch(/^\s*import\s/m);
    const requires = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
  });
});
