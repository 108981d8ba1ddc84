/**
 * The main entry's wiring (`electron` mocked, the module imported fresh per test): the
 * single-instance lock, sandbox for all renderers, the backend fork with the userData
 * database, IPC, session hardening, menu, the window source (dev server only when not
 * packaged), pushes relayed to windows, and a clean backend shutdown before quitting; the
 * desktop feel: the window opens where it was left (state in userData), View/Replay/Recent
 * menu items reach the renderer as menu commands, relayed replies fill File ▸ Recent, and
 * links open externally only from the allow-list; Replay ▸ Export reaches the renderer, an
 * export is saved where the (faked) Save dialog says, in the sender's window, and a picked or
 * dropped file's path reaches the backend as a trusted import that lands in File ▸ Recent.
 *
 * Not covered: a real Electron lifecycle, real native dialogs (no Electron binary here).
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IPC } from '../../../shared/bridge';
import { CSP } from '../../../shared/csp';

interface Options {
  lock?: boolean;
  isPackaged?: boolean;
  userData?: string;
}

function electronMock({ lock = true, isPackaged = false, userData = '/home/u/.config/Undertow' }: Options) {
  const windows: FakeWindow[] = [];
  class FakeWindow extends EventEmitter {
    static getAllWindows = () => windows.filter((w) => !w.destroyed);
    static fromWebContents = vi.fn((contents: unknown) => windows.find((w) => w.webContents === contents) ?? null);
    destroyed = false;
    readonly webContents = Object.assign(new EventEmitter(), { send: vi.fn(), setWindowOpenHandler: vi.fn() });
    readonly loadURL = vi.fn(async () => {});
    readonly loadFile = vi.fn(async () => {});
    readonly show = vi.fn();
    readonly maximize = vi.fn();
    bounds = { x: 10, y: 20, width: 1000, height: 700 };
    getNormalBounds() {
      return this.bounds;
    }
    isMaximized() {
      return false;
    }
    constructor(readonly options: { webPreferences: Record<string, unknown>; x?: number; y?: number; width?: number; height?: number }) {
      super();
      windows.push(this);
    }
    isDestroyed() {
      return this.destroyed;
    }
  }
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const childMessages: unknown[] = [];
  const child = Object.assign(new EventEmitter(), {
    postMessage: vi.fn((message: unknown) => {
      childMessages.push(message);
      if ((message as { type?: string }).type === 'shutdown') queueMicrotask(() => child.emit('exit', 0));
    }),
    kill: vi.fn(() => true),
  });
  const app = Object.assign(new EventEmitter(), {
    isPackaged,
    requestSingleInstanceLock: vi.fn(() => lock),
    quit: vi.fn(),
    enableSandbox: vi.fn(),
    whenReady: vi.fn(() => ready),
    isReady: vi.fn(() => true),
    getPath: vi.fn((name: string) => (name === 'userData' ? userData : `/tmp/${name}`)),
    getVersion: vi.fn(() => '0.1.0'),
  });
  const mock = {
    app,
    BrowserWindow: FakeWindow,
    dialog: {
      showOpenDialog: vi.fn(),
      showMessageBox: vi.fn(),
      showErrorBox: vi.fn(),
      showSaveDialog: vi.fn(async (..._args: unknown[]): Promise<{ canceled: boolean; filePath: string }> => ({ canceled: true, filePath: '' })),
    },
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    Menu: { buildFromTemplate: vi.fn((template: unknown) => ({ template })), setApplicationMenu: vi.fn() },
    session: {
      defaultSession: {
        setPermissionRequestHandler: vi.fn(),
        setPermissionCheckHandler: vi.fn(),
        setDevicePermissionHandler: vi.fn(),
        webRequest: { onHeadersReceived: vi.fn() },
      },
    },
    utilityProcess: { fork: vi.fn(() => child) },
    screen: { getAllDisplays: vi.fn(() => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }]) },
    shell: { openExternal: vi.fn(async () => {}) },
  };
  return { mock, windows, child, childMessages, ready: async () => (resolveReady(), await ready, await Promise.resolve()) };
}

async function loadMain(options: Options = {}) {
  vi.resetModules();
  const fake = electronMock(options);
  vi.doMock('electron', () => fake.mock);
  await import('../../../electron/main/index');
  return fake;
}

const mainDir = path.resolve(import.meta.dirname, '../../../electron/main');

afterEach(() => {
  vi.doUnmock('electron');
  delete process.env.ELECTRON_RENDERER_URL;
});

describe('main entry', () => {
  it('quits at once, touching nothing else, when another instance holds the lock', async () => {
    const { mock } = await loadMain({ lock: false });
    expect(mock.app.quit).toHaveBeenCalledOnce();
    expect(mock.app.whenReady).not.toHaveBeenCalled();
    expect(mock.utilityProcess.fork).not.toHaveBeenCalled();
    expect(mock.ipcMain.handle).not.toHaveBeenCalled();
  });

  it('once ready: sandbox everywhere, hardened session, IPC, backend fork, menu, one hidden window', async () => {
    const fake = await loadMain();
    expect(fake.mock.app.enableSandbox).toHaveBeenCalledOnce();
    await fake.ready();

    const ses = fake.mock.session.defaultSession;
    expect(ses.setPermissionRequestHandler).toHaveBeenCalledOnce();
    expect(ses.setPermissionCheckHandler).toHaveBeenCalledOnce();
    expect(ses.webRequest.onHeadersReceived).toHaveBeenCalledOnce();
    const onHeaders = ses.webRequest.onHeadersReceived.mock.calls[0]![0] as (d: object, cb: (r: unknown) => void) => void;
    const callback = vi.fn();
    onHeaders({ responseHeaders: {} }, callback);
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': [CSP] } });

    expect(fake.mock.ipcMain.handle).toHaveBeenCalledWith(IPC.call, expect.any(Function));
    expect(fake.mock.ipcMain.handle.mock.calls.map((c) => c[0]).sort()).toEqual([IPC.call, IPC.importPath, IPC.saveFile].sort());
    expect(fake.mock.utilityProcess.fork).toHaveBeenCalledWith(
      path.join(mainDir, 'backend.js'),
      ['--db', path.join('/home/u/.config/Undertow', 'db', 'undertow.db')],
      expect.objectContaining({ serviceName: 'Undertow backend' }),
    );
    expect(fake.mock.Menu.setApplicationMenu).toHaveBeenCalledOnce();

    expect(fake.windows).toHaveLength(1);
    const window = fake.windows[0]!;
    expect(window.options).toMatchObject({
      show: false,
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true },
    });
    expect(window.options.webPreferences.preload).toBe(path.join(mainDir, '../preload/index.cjs'));
    expect(window.loadFile).toHaveBeenCalledWith(path.join(mainDir, '../renderer/index.html'));
  });

  it('loads ELECTRON_RENDERER_URL in development', async () => {
    process.env.ELECTRON_RENDERER_URL = 'http://localhost:5173';
    const fake = await loadMain({ isPackaged: false });
    await fake.ready();
    expect(fake.windows[0]!.loadURL).toHaveBeenCalledWith('http://localhost:5173');
  });

  it('ignores ELECTRON_RENDERER_URL in a packaged app', async () => {
    process.env.ELECTRON_RENDERER_URL = 'https://evil.example/';
    const fake = await loadMain({ isPackaged: true });
    await fake.ready();
    expect(fake.windows[0]!.loadURL).not.toHaveBeenCalled();
    expect(fake.windows[0]!.loadFile).toHaveBeenCalled();
  });

  it('hardens every web contents the app ever creates', async () => {
    const fake = await loadMain();
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    fake.mock.app.emit('web-contents-created', {}, contents);
    expect(contents.setWindowOpenHandler).toHaveBeenCalledOnce();
    let prevented = false;
    contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://evil.example/');
    expect(prevented).toBe(true);
  });

  it('relays backend pushes to the window over IPC.push', async () => {
    const fake = await loadMain();
    await fake.ready();
    fake.child.emit('message', { type: 'push', event: { type: 'datasets.changed' } });
    expect(fake.windows[0]!.webContents.send).toHaveBeenCalledWith(IPC.push, { type: 'datasets.changed' });
  });

  it('shuts the backend down before quitting', async () => {
    const fake = await loadMain();
    await fake.ready();
    let prevented = false;
    fake.mock.app.emit('before-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(fake.childMessages).toContainEqual({ type: 'shutdown' });
    await vi.waitFor(() => expect(fake.mock.app.quit).toHaveBeenCalledOnce());
    // The second before-quit (from that quit) goes through.
    let preventedAgain = false;
    fake.mock.app.emit('before-quit', { preventDefault: () => (preventedAgain = true) });
    expect(preventedAgain).toBe(false);
  });

  it('focuses the existing window when a second instance starts', async () => {
    const fake = await loadMain();
    await fake.ready();
    const window = Object.assign(fake.windows[0]!, { isMinimized: vi.fn(() => true), restore: vi.fn(), focus: vi.fn() });
    fake.mock.app.emit('second-instance');
    expect(window.restore).toHaveBeenCalledOnce();
    expect(window.focus).toHaveBeenCalledOnce();
  });

  it('opens the window where it was left, and remembers where it is closed', async () => {
    const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-main-'));
    try {
      fs.writeFileSync(path.join(userData, 'window-state.json'), JSON.stringify({ x: 100, y: 50, width: 1200, height: 800, maximized: false }));
      const fake = await loadMain({ userData });
      await fake.ready();
      const window = fake.windows[0]!;
      expect(window.options).toMatchObject({ x: 100, y: 50, width: 1200, height: 800 });
      window.bounds = { x: 300, y: 200, width: 1000, height: 700 };
      window.emit('close');
      expect(JSON.parse(fs.readFileSync(path.join(userData, 'window-state.json'), 'utf8'))).toEqual({
        x: 300, y: 200, width: 1000, height: 700, maximized: false,
      });
    } finally {
      fs.rmSync(userData, { recursive: true, force: true });
    }
  });

  it('sends View, Replay and Recent menu choices to the renderer as menu commands', async () => {
    const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-main-'));
    try {
      const fake = await loadMain({ userData });
      await fake.ready();
      const send = fake.windows[0]!.webContents.send;
      const template = () => (fake.mock.Menu.buildFromTemplate.mock.calls.at(-1)![0] as MenuItem[]);
      click(template(), 'view.theme.light');
      expect(send).toHaveBeenCalledWith(IPC.push, { type: 'menu', command: 'theme', theme: 'light' });
      click(template(), 'view.time-zone.local');
      expect(send).toHaveBeenCalledWith(IPC.push, { type: 'menu', command: 'time-zone', timeZone: 'local' });
      click(template(), 'replay.step-forward-10');
      expect(send).toHaveBeenCalledWith(IPC.push, { type: 'menu', command: 'replay', action: 'step-forward-10' });

      // A run the renderer opened through the relay lands in File ▸ Recent (menu rebuilt, file written).
      const handler = fake.mock.ipcMain.handle.mock.calls[0]![1] as (e: unknown, m: string, p: unknown) => Promise<unknown>;
      const reply = handler({ senderFrame: { url: 'file:///nowhere', parent: null } }, 'runs.get', { id: 4 });
      await reply; // refused (not the app's frame): nothing recorded
      expect(find(template(), 'file.recent.empty')).toBeDefined();
      const recent = [{ kind: 'run', id: 4, label: 'BTCUSDT replay' }];
      fs.writeFileSync(path.join(userData, 'recent.json'), JSON.stringify(recent));
      const again = await loadMain({ userData });
      await again.ready();
      const items = again.mock.Menu.buildFromTemplate.mock.calls.at(-1)![0] as MenuItem[];
      expect(find(items, 'file.recent.0')?.label).toBe('Run: BTCUSDT replay');
      click(items, 'file.recent.0');
      expect(again.windows[0]!.webContents.send).toHaveBeenCalledWith(IPC.push, {
        type: 'menu', command: 'open-recent', item: { kind: 'run', id: 4, label: 'BTCUSDT replay' },
      });
    } finally {
      fs.rmSync(userData, { recursive: true, force: true });
    }
  });

  it('sends Replay ▸ Export to the renderer, and saves the export where the Save dialog says', async () => {
    const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-main-'));
    try {
      const fake = await loadMain({ userData });
      await fake.ready();
      const window = fake.windows[0]!;
      click(fake.mock.Menu.buildFromTemplate.mock.calls.at(-1)![0] as MenuItem[], 'replay.export.series');
      expect(window.webContents.send).toHaveBeenCalledWith(IPC.push, { type: 'menu', command: 'export', format: 'series' });

      const target = path.join(userData, 'series.csv');
      fake.mock.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: target });
      const save = handlerFor(fake.mock.ipcMain.handle, IPC.saveFile);
      const event = { senderFrame: { url: appIndexUrl, parent: null }, sender: window.webContents };
      expect(await save(event, { kind: 'csv', fileName: 'undertow-run-4-series.csv', data: 'utc,close\n' })).toEqual({ ok: true, path: target });
      expect(fs.readFileSync(target, 'utf8')).toBe('utc,close\n');
      // Modal on the window that asked, suggesting the name in Downloads.
      expect(fake.mock.dialog.showSaveDialog).toHaveBeenCalledWith(window, expect.objectContaining({ defaultPath: path.join('/tmp/downloads', 'undertow-run-4-series.csv') }));
      // Cancelled: nothing written.
      expect(await save(event, { kind: 'json', fileName: 'undertow-run-4.json', data: '{}' })).toEqual({ ok: true, path: null });
      // A foreign frame gets no dialog.
      const calls = fake.mock.dialog.showSaveDialog.mock.calls.length;
      expect(await save({ senderFrame: { url: 'https://evil.example/', parent: null }, sender: window.webContents }, { kind: 'csv', fileName: 'a.csv', data: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(fake.mock.dialog.showSaveDialog.mock.calls.length).toBe(calls);
    } finally {
      fs.rmSync(userData, { recursive: true, force: true });
    }
  });

  it('imports a dropped file’s path through the backend’s trusted method, and adds the dataset to File ▸ Recent', async () => {
    const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'undertow-main-'));
    try {
      const fake = await loadMain({ userData });
      await fake.ready();
      const importPath = handlerFor(fake.mock.ipcMain.handle, IPC.importPath);
      const reply = importPath({ senderFrame: { url: appIndexUrl, parent: null } }, '/home/u/Downloads/BTCUSDT-1m.csv', { job: 'ui-1' });
      const request = fake.childMessages.at(-1) as { id: number; method: string; params: unknown; trusted: boolean };
      expect(request).toMatchObject({ method: 'datasets.importFile', params: { job: 'ui-1', path: '/home/u/Downloads/BTCUSDT-1m.csv' }, trusted: true });
      const result = { dataset: { id: 9, symbol: 'BTCUSDT', barSeconds: 60, name: null }, added: 3, alreadyImported: false, warnings: [] };
      fake.child.emit('message', { type: 'reply', reply: { id: request.id, ok: true, result } });
      expect(await reply).toEqual({ id: request.id, ok: true, result });
      const items = fake.mock.Menu.buildFromTemplate.mock.calls.at(-1)![0] as MenuItem[];
      expect(find(items, 'file.recent.0')?.label).toBe('Dataset: BTCUSDT 1m');
    } finally {
      fs.rmSync(userData, { recursive: true, force: true });
    }
  });

  it('opens the chart library site externally, and a window.open of a foreign page nowhere', async () => {
    const fake = await loadMain();
    await fake.ready();
    const template = fake.mock.Menu.buildFromTemplate.mock.calls.at(-1)![0] as MenuItem[];
    click(template, 'help.charts');
    expect(fake.mock.shell.openExternal).toHaveBeenCalledWith('https://www.tradingview.com/lightweight-charts/');
    const openHandler = fake.windows[0]!.webContents.setWindowOpenHandler.mock.calls[0]![0] as (d: { url: string }) => { action: string };
    expect(openHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(openHandler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(fake.mock.shell.openExternal).toHaveBeenCalledTimes(1);
  });
});

/** The index.html URL main trusts (the built renderer beside out/main). */
const appIndexUrl = pathToFileURL(path.join(mainDir, '../renderer/index.html')).href;

function handlerFor(handle: { mock: { calls: unknown[][] } }, channel: string): (...args: unknown[]) => Promise<unknown> {
  const call = handle.mock.calls.find((c) => c[0] === channel);
  if (!call) throw new Error(`no handler for ${channel}`);
  return call[1] as (...args: unknown[]) => Promise<unknown>;
}

interface MenuItem {
  id?: string;
  label?: string;
  click?: () => void;
  submenu?: MenuItem[];
}

function find(items: MenuItem[], id: string): MenuItem | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const inner = Array.isArray(item.submenu) ? find(item.submenu, id) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

function click(items: MenuItem[], id: string): void {
  const item = find(items, id);
  if (!item?.click) throw new Error(`no menu item ${id}`);
  item.click();
}
