/**
 * The application menu (`electron` mocked): File ▸ Import… with its accelerator runs the
 * native dialog and imports each chosen file through the backend's trusted method; failures
 * are listed in one error box; Help ▸ About shows versions and the lightweight-charts
 * attribution. Not covered: real native dialogs (no Electron binary here).
 */
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { ReplyMessage } from '../../../shared/contract';

vi.mock('electron', () => ({}));

const { aboutDetail, buildMenuTemplate, CHART_ATTRIBUTION, IMPORT_DIALOG, importViaDialog, showAbout } = await import(
  '../../../electron/main/menu'
);

function findItem(template: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | undefined {
  for (const item of template) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const found = findItem(item.submenu, id);
      if (found) return found;
    }
  }
  return undefined;
}

function fakeDialogs(filePaths: string[] | null) {
  return {
    showOpenDialog: vi.fn(async () => ({ canceled: filePaths === null, filePaths: filePaths ?? [] })),
    showMessageBox: vi.fn(async () => ({ response: 0 })),
  };
}

describe('buildMenuTemplate', () => {
  const actions = { importFiles: vi.fn(), showAbout: vi.fn() };

  it('has File ▸ Import… on CmdOrCtrl+O and Help ▸ About, on every platform', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const template = buildMenuTemplate(actions, { platform, isPackaged: true });
      const importItem = findItem(template, 'file.import');
      expect(importItem).toMatchObject({ label: 'Import…', accelerator: 'CmdOrCtrl+O' });
      (importItem?.click as () => void)();
      const about = findItem(template, 'help.about');
      (about?.click as () => void)();
    }
    expect(actions.importFiles).toHaveBeenCalledTimes(3);
    expect(actions.showAbout).toHaveBeenCalledTimes(3);
  });

  it('offers reload and devtools only in development', () => {
    const roles = (isPackaged: boolean) =>
      JSON.stringify(buildMenuTemplate(actions, { platform: 'linux', isPackaged }));
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(false)).toContain('toggleDevTools');
  });
});

describe('importViaDialog', () => {
  it('asks for .csv files and imports each chosen one with the user’s authority (trusted)', async () => {
    const dialogs = fakeDialogs(['/data/a.csv', '/data/b.csv']);
    const backend = { call: vi.fn(async (): Promise<ReplyMessage> => ({ id: 1, ok: true, result: {} })) };
    const failures = await importViaDialog(null, dialogs, backend);
    expect(dialogs.showOpenDialog).toHaveBeenCalledWith(null, IMPORT_DIALOG);
    expect(IMPORT_DIALOG.filters).toEqual([{ name: 'Candle CSV', extensions: ['csv'] }]);
    expect(IMPORT_DIALOG.properties).toEqual(['openFile', 'multiSelections']);
    expect(backend.call.mock.calls).toEqual([
      ['datasets.importFile', { path: '/data/a.csv' }, true],
      ['datasets.importFile', { path: '/data/b.csv' }, true],
    ]);
    expect(failures).toEqual([]);
    expect(dialogs.showMessageBox).not.toHaveBeenCalled();
  });

  it('does nothing when the dialog is cancelled', async () => {
    const dialogs = fakeDialogs(null);
    const backend = { call: vi.fn() };
    expect(await importViaDialog(null, dialogs, backend)).toEqual([]);
    expect(backend.call).not.toHaveBeenCalled();
  });

  it('lists failed files with file and line in one error box and keeps importing the rest', async () => {
    const dialogs = fakeDialogs(['/data/bad.csv', '/data/good.csv']);
    const backend = {
      call: vi.fn(async (_m: string, params: unknown): Promise<ReplyMessage> =>
        (params as { path: string }).path === '/data/bad.csv'
          ? { id: 1, ok: false, error: { code: 'invalid_input', message: 'low > high', where: { file: 'bad.csv', line: 3 } } }
          : { id: 2, ok: true, result: {} },
      ),
    };
    const failures = await importViaDialog(null, dialogs, backend);
    expect(failures.map((f) => f.path)).toEqual(['/data/bad.csv']);
    expect(backend.call).toHaveBeenCalledTimes(2);
    expect(dialogs.showMessageBox).toHaveBeenCalledOnce();
    const box = (dialogs.showMessageBox.mock.calls[0] as unknown[])[1] as { type: string; detail: string };
    expect(box.type).toBe('error');
    expect(box.detail).toContain('bad.csv:3: low > high');
  });
});

describe('About', () => {
  it('carries the attribution the lightweight-charts licence requires', () => {
    expect(CHART_ATTRIBUTION).toContain('TradingView Lightweight Charts™');
    expect(CHART_ATTRIBUTION).toContain('https://www.tradingview.com/');
    expect(CHART_ATTRIBUTION).toContain('Apache License 2.0');
  });

  it('shows versions, the database and the attribution', async () => {
    const dialogs = fakeDialogs(null);
    const info = { name: 'Undertow', version: '0.1.0', dbPath: '/u/db/undertow.db', schemaVersion: 1, node: '22.0.0' };
    const backend = { call: vi.fn(async (): Promise<ReplyMessage> => ({ id: 1, ok: true, result: info })) };
    await showAbout(null, dialogs, backend, { app: '0.1.0', electron: '45.4.1', chrome: '140.0', node: '22.0.0' });
    expect(backend.call).toHaveBeenCalledWith('app.info', {}, false);
    const box = (dialogs.showMessageBox.mock.calls[0] as unknown[])[1] as { message: string; detail: string };
    expect(box.message).toBe('Undertow 0.1.0');
    expect(box.detail).toContain('Electron 45.4.1');
    expect(box.detail).toContain('/u/db/undertow.db (schema 1)');
    expect(box.detail).toContain(CHART_ATTRIBUTION);
  });

  it('still shows the attribution when the backend does not answer', () => {
    expect(aboutDetail({ app: '0.1.0' }, null)).toContain(CHART_ATTRIBUTION);
  });
});

describe('View, Replay and Recent menus', () => {
  const actions = {
    importFiles: vi.fn(),
    showAbout: vi.fn(),
    setTheme: vi.fn(),
    setTimeZone: vi.fn(),
    replay: vi.fn(),
    exportRun: vi.fn(),
    openRecent: vi.fn(),
    clearRecent: vi.fn(),
  };

  it('offers the theme (system/dark/light) and the time zone (UTC/local) as radio items', () => {
    const template = buildMenuTemplate(actions, { platform: 'linux', isPackaged: true, theme: 'light', timeZone: 'utc' });
    expect(findItem(template, 'view.theme.light')).toMatchObject({ type: 'radio', checked: true });
    expect(findItem(template, 'view.theme.system')).toMatchObject({ type: 'radio', checked: false });
    expect(findItem(template, 'view.time-zone.utc')).toMatchObject({ type: 'radio', checked: true });
    (findItem(template, 'view.theme.dark')?.click as () => void)();
    (findItem(template, 'view.time-zone.local')?.click as () => void)();
    expect(actions.setTheme).toHaveBeenCalledWith('dark');
    expect(actions.setTimeZone).toHaveBeenCalledWith('local');
  });

  it('shows the transport keys on the Replay items without registering them (text fields keep Space and the arrows)', () => {
    const template = buildMenuTemplate(actions, { platform: 'linux', isPackaged: true });
    const expected = {
      'play-pause': 'Space',
      'step-back': 'Left',
      'step-forward': 'Right',
      'step-back-10': 'Shift+Left',
      'step-forward-10': 'Shift+Right',
    };
    for (const [action, accelerator] of Object.entries(expected)) {
      const item = findItem(template, `replay.${action}`);
      expect(item, action).toMatchObject({ accelerator, registerAccelerator: false });
      (item?.click as () => void)();
      expect(actions.replay).toHaveBeenLastCalledWith(action);
    }
  });

  it('offers Replay ▸ Export with the Replay screen’s four exports, each opening a dialog (…), no accelerator', () => {
    const template = buildMenuTemplate(actions, { platform: 'linux', isPackaged: true });
    const submenu = findItem(template, 'replay.export')?.submenu as MenuItemConstructorOptions[];
    expect(submenu.map((item) => item.label)).toEqual(['Chart as PNG…', 'Events as CSV…', 'Series as CSV…', 'Run as JSON…']);
    for (const format of ['png', 'events', 'series', 'json']) {
      const item = findItem(template, `replay.export.${format}`);
      expect(item?.accelerator).toBeUndefined();
      (item?.click as () => void)();
      expect(actions.exportRun).toHaveBeenLastCalledWith(format);
    }
  });

  it('lists recent runs and datasets under File ▸ Open Recent, with Clear', () => {
    const empty = buildMenuTemplate(actions, { platform: 'linux', isPackaged: true, recent: [] });
    expect(findItem(empty, 'file.recent.empty')).toMatchObject({ enabled: false });
    const item = { kind: 'dataset' as const, id: 3, label: 'S&P 500 1d' };
    const template = buildMenuTemplate(actions, { platform: 'linux', isPackaged: true, recent: [item] });
    expect(findItem(template, 'file.recent.0')?.label).toBe('Dataset: S&&P 500 1d');
    (findItem(template, 'file.recent.0')?.click as () => void)();
    expect(actions.openRecent).toHaveBeenCalledWith(item);
    (findItem(template, 'file.recent.clear')?.click as () => void)();
    expect(actions.clearRecent).toHaveBeenCalledOnce();
  });
});
