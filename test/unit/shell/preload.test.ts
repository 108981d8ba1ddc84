/**
 * The preload (`electron` mocked): exposes exactly `window.undertow` with `call`, `onPush`,
 * `platform`; uses only the two IPC channels; never hands the renderer an IPC event; turns a
 * failed send into an error value. Also checks the built CommonJS file when a build exists.
 *
 * Not covered: contextBridge's real cloning between worlds (no Electron binary here).
 */
import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { IPC, type PreloadBridge } from '../../../shared/bridge';

const exposed = new Map<string, unknown>();
const rendererSide = new EventEmitter();
const invoke = vi.fn(async (_channel: string, method: string, _params: unknown) => {
  if (method === 'throws') throw new Error('An object could not be cloned.');
  return { id: 1, ok: true, result: [] };
});

vi.mock('electron', () => ({
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
  it('exposes only window.undertow, with exactly call, onPush and platform', () => {
    expect([...exposed.keys()]).toEqual(['undertow']);
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce();
    const bridge = exposed.get('undertow') as PreloadBridge;
    expect(Object.keys(bridge).sort()).toEqual(['call', 'onPush', 'platform']);
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

  it('uses no IPC channel other than IPC.call and IPC.push', () => {
    const channels = new Set([
      ...invoke.mock.calls.map((call) => call[0]),
      ...vi.mocked(electron.ipcRenderer.on).mock.calls.map((call) => call[0]),
    ]);
    expect([...channels].sort()).toEqual([IPC.call, IPC.push].sort());
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
