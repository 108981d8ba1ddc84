/**
 * The renderer's side of files in Electron (renderer/src/lib/api/files.ts, no DOM): with the
 * bridge, an export goes to the Save dialog (cancelled = nothing, no download) and a picked or
 * dropped file is imported by path; without a path (a File made in the page) it falls back to
 * sending the content, as text or base64 for a zip; without the bridge (browser) an export is
 * a download. Errors from main arrive as `ApiError`s, and a refused path import is reported,
 * not silently replaced by a content upload.
 *
 * Not covered: the Svelte components calling these (the browser path runs in
 * test/e2e/replay.test.ts; Electron's own window is not available here).
 */
import { describe, expect, it, vi } from 'vitest';
import type { LocalImportOptions, SaveFileReply, SaveFileRequest } from '../../../shared/bridge';
import type { Api, ReplyMessage } from '../../../shared/contract';
import { ApiError } from '../../../shared/errors';
import { bridgeFiles, importThroughBridge, saveExport } from '../../../renderer/src/lib/api/files';

const imported = { dataset: { id: 7, symbol: 'BTCUSDT', barSeconds: 60 }, added: 2, alreadyImported: false, warnings: [] };
const csv: SaveFileRequest = { kind: 'csv', fileName: 'undertow-run-3-events.csv', data: 'time,utc\n' };

function fakeBridge(save: SaveFileReply, importReply: ReplyMessage | null) {
  return {
    saveFile: vi.fn(async (_request: SaveFileRequest) => save),
    importLocalFile: vi.fn(async (_file: File, _options: LocalImportOptions) => importReply),
  };
}

function fakeApi() {
  const call = vi.fn(async (_method: string, _params: unknown): Promise<unknown> => imported);
  return { api: { call: call as unknown as Api['call'] }, call };
}

describe('saveExport', () => {
  it('uses the Save dialog when the bridge has one, and never downloads', async () => {
    const bridge = fakeBridge({ ok: true, path: '/home/u/Downloads/events.csv' }, null);
    const download = vi.fn();
    expect(await saveExport(bridgeFiles(bridge), csv, download)).toEqual({ via: 'dialog', path: '/home/u/Downloads/events.csv' });
    expect(bridge.saveFile).toHaveBeenCalledExactlyOnceWith(csv);
    expect(download).not.toHaveBeenCalled();
  });

  it('passes PNG bytes through untouched', async () => {
    const bridge = fakeBridge({ ok: true, path: '/tmp/a.png' }, null);
    const png: SaveFileRequest = { kind: 'png', fileName: 'a.png', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) };
    await saveExport(bridgeFiles(bridge), png, vi.fn());
    expect(bridge.saveFile.mock.calls[0]![0].data).toBe(png.data);
  });

  it('a cancelled dialog is no error and no download', async () => {
    const download = vi.fn();
    expect(await saveExport(bridgeFiles(fakeBridge({ ok: true, path: null }, null)), csv, download)).toEqual({ via: 'dialog', path: null });
    expect(download).not.toHaveBeenCalled();
  });

  it('throws main’s error as an ApiError naming the path', async () => {
    const error = { code: 'unavailable' as const, message: 'cannot write /mnt/ro/a.csv: the disk is read-only', where: { file: '/mnt/ro/a.csv' } };
    const download = vi.fn();
    const saving = saveExport(bridgeFiles(fakeBridge({ ok: false, error }, null)), csv, download);
    await expect(saving).rejects.toBeInstanceOf(ApiError);
    await expect(saving).rejects.toMatchObject(error);
    expect(download).not.toHaveBeenCalled();
  });

  it('downloads in the browser (no bridge)', async () => {
    const download = vi.fn();
    expect(await saveExport(null, csv, download)).toEqual({ via: 'download' });
    expect(download).toHaveBeenCalledExactlyOnceWith(csv);
  });
});

describe('importThroughBridge', () => {
  it('imports by path when the preload resolves one, reading nothing into the page', async () => {
    const bridge = fakeBridge({ ok: true, path: null }, { id: 1, ok: true, result: imported });
    const { api, call } = fakeApi();
    const file = new File(['time,open\n'], 'BTCUSDT-1m.csv');
    const read = vi.spyOn(file, 'text');
    expect(await importThroughBridge(api, bridgeFiles(bridge), file, { job: 'ui-1', symbol: 'BTCUSDT' })).toEqual(imported);
    expect(bridge.importLocalFile).toHaveBeenCalledExactlyOnceWith(file, { job: 'ui-1', symbol: 'BTCUSDT' });
    expect(call).not.toHaveBeenCalled();
    expect(read).not.toHaveBeenCalled();
  });

  it('sends the content when the file has no path: text, or base64 for a zip', async () => {
    const bridge = fakeBridge({ ok: true, path: null }, null);
    const { api, call } = fakeApi();
    await importThroughBridge(api, bridgeFiles(bridge), new File(['time,open\n1,2\n'], 'made.csv'), { job: 'ui-2', timeframe: '1m' });
    expect(call).toHaveBeenLastCalledWith('datasets.importText', { fileName: 'made.csv', text: 'time,open\n1,2\n', job: 'ui-2', timeframe: '1m' });
    const zipBytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00]);
    await importThroughBridge(api, bridgeFiles(bridge), new File([zipBytes], 'klines.ZIP'), {});
    expect(call).toHaveBeenLastCalledWith('datasets.importText', { fileName: 'klines.ZIP', text: Buffer.from(zipBytes).toString('base64'), encoding: 'base64' });
  });

  it('sends the content when there is no file transport at all', async () => {
    const { api, call } = fakeApi();
    await importThroughBridge(api, null, new File(['x'], 'a.csv'), {});
    expect(call).toHaveBeenCalledExactlyOnceWith('datasets.importText', { fileName: 'a.csv', text: 'x' });
  });

  it('reports a refused or failed path import instead of uploading the content', async () => {
    const error = { code: 'invalid_input' as const, message: 'missing symbol', where: { field: 'symbol' } };
    const { api, call } = fakeApi();
    const importing = importThroughBridge(api, bridgeFiles(fakeBridge({ ok: true, path: null }, { id: 1, ok: false, error })), new File(['x'], 'a.csv'), {});
    await expect(importing).rejects.toMatchObject(error);
    expect(call).not.toHaveBeenCalled();
  });
});
