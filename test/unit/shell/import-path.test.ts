/**
 * Importing a picked or dropped file by path (`electron` mocked): only the app's own frame may
 * ask; the path must be absolute, local, and name a .csv, .txt or .zip file; only the
 * symbol, timeframe and job options pass (as strings), and none can replace the path; a good
 * request reaches the backend as the trusted `datasets.importFile`, and its result is shown to
 * File ▸ Recent's observer.
 *
 * Not covered: the preload's `webUtils.getPathForFile` on a real dropped file (no Electron
 * binary here; the preload's use of it is in preload.test.ts).
 */
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { IPC } from '../../../shared/bridge';
import type { ReplyMessage } from '../../../shared/contract';

vi.mock('electron', () => ({}));

const { handleImportPath, registerImportPath } = await import('../../../electron/main/import-path');

const urls = { indexFileUrl: pathToFileURL('/opt/Undertow/resources/app.asar/out/renderer/index.html').href };
const fromApp = { senderFrame: { url: urls.indexFileUrl, parent: null } };
const imported = { dataset: { id: 7, symbol: 'BTCUSDT', barSeconds: 60, name: null }, added: 10, alreadyImported: false, warnings: [] };

function fakeBackend() {
  return { call: vi.fn(async (_method: string, _params: unknown, _trusted: boolean): Promise<ReplyMessage> => ({ id: 1, ok: true, result: imported })) };
}

describe('handleImportPath', () => {
  it('imports the path with the backend’s trusted datasets.importFile, with the options', async () => {
    const backend = fakeBackend();
    const reply = await handleImportPath(fromApp, '/home/u/Downloads/BTCUSDT-1m-2020-03-12.csv', { job: 'ui-1', symbol: 'BTCUSDT', timeframe: '1m' }, backend, urls);
    expect(reply).toEqual({ id: 1, ok: true, result: imported });
    expect(backend.call).toHaveBeenCalledExactlyOnceWith(
      'datasets.importFile',
      { job: 'ui-1', symbol: 'BTCUSDT', timeframe: '1m', path: '/home/u/Downloads/BTCUSDT-1m-2020-03-12.csv' },
      true,
    );
    await handleImportPath(fromApp, '/data/BTCUSDT-1m-2020-03.ZIP', undefined, backend, urls);
    expect(backend.call).toHaveBeenLastCalledWith('datasets.importFile', { path: '/data/BTCUSDT-1m-2020-03.ZIP' }, true);
  });

  it('refuses a frame that is not the app’s own top-level page', async () => {
    const backend = fakeBackend();
    for (const event of [{ senderFrame: { url: 'https://evil.example/', parent: null } }, { senderFrame: { url: urls.indexFileUrl, parent: {} } }, { senderFrame: null }]) {
      expect(await handleImportPath(event, '/home/u/a.csv', {}, backend, urls)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(backend.call).not.toHaveBeenCalled();
  });

  it.each([
    [42, 'bad_request'],
    ['', 'bad_request'],
    ['a.csv', 'bad_request'],
    ['../../etc/passwd.csv', 'bad_request'],
    ['/home/u/a.csv\0.png', 'bad_request'],
    [`/${'a'.repeat(4096)}.csv`, 'bad_request'],
    ['/etc/passwd', 'forbidden'],
    ['/home/u/.ssh/id_ed25519', 'forbidden'],
    ['/home/u/.config/Undertow/db/undertow.db', 'forbidden'],
    ['/home/u/a.csv.exe', 'forbidden'],
  ] as [unknown, string][])('refuses the path %j', async (filePath, code) => {
    const backend = fakeBackend();
    const reply = await handleImportPath(fromApp, filePath, {}, backend, urls);
    expect(reply).toMatchObject({ ok: false, error: { code, where: { field: 'path' } } });
    expect(backend.call).not.toHaveBeenCalled();
  });

  it('refuses a UNC (network) path on every platform', async () => {
    const backend = fakeBackend();
    // Absolute on Windows (refused as a network path), relative elsewhere.
    expect(await handleImportPath(fromApp, '\\\\evil.example\\share\\a.csv', {}, backend, urls)).toMatchObject({ ok: false, error: { where: { field: 'path' } } });
    expect(backend.call).not.toHaveBeenCalled();
  });

  it.each([
    [{ path: '/etc/passwd' }, 'path'],
    [{ paths: ['/etc/passwd'] }, 'paths'],
    [{ symbol: 7 }, 'symbol'],
    [{ job: { toString: () => 'x' } }, 'job'],
  ])('refuses the options %j', async (options, field) => {
    const backend = fakeBackend();
    expect(await handleImportPath(fromApp, '/home/u/a.csv', options, backend, urls)).toMatchObject({ ok: false, error: { code: 'bad_request', where: { field } } });
    expect(backend.call).not.toHaveBeenCalled();
  });

  it('refuses options that are not an object', async () => {
    const backend = fakeBackend();
    for (const options of [null, 'symbol=BTC', ['x']]) {
      expect(await handleImportPath(fromApp, '/home/u/a.csv', options, backend, urls)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(backend.call).not.toHaveBeenCalled();
  });
});

describe('registerImportPath', () => {
  it('handles exactly IPC.importPath, shows successful imports to the observer, and can be removed', async () => {
    const handlers = new Map<string, (...args: unknown[]) => unknown>();
    const ipcMain = {
      handle: vi.fn((channel: string, handler: (...args: unknown[]) => unknown) => void handlers.set(channel, handler)),
      removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
    };
    const onImported = vi.fn();
    const unregister = registerImportPath(ipcMain as never, fakeBackend(), urls, onImported);
    expect([...handlers.keys()]).toEqual([IPC.importPath]);
    expect(await handlers.get(IPC.importPath)!(fromApp, '/home/u/a.csv', { job: 'j' })).toEqual({ id: 1, ok: true, result: imported });
    await handlers.get(IPC.importPath)!(fromApp, '/etc/passwd', {});
    expect(onImported).toHaveBeenCalledExactlyOnceWith(imported);
    unregister();
    expect(handlers.size).toBe(0);
  });
});
