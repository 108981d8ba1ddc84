/**
 * The main entry's wiring (`electron` mocked, the module imported fresh per test): the
 * single-instance lock, sandbox for all renderers, the backend fork with the userData
 * database, IPC, session hardening, menu, the window source (dev server only when not
 * packaged), pushes relayed to windows, and a clean backend shutdown before quitting.
 *
 * Not covered: a real Electron lifecycle (no Electron binary here).
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IPC } from '../../../shared/bridge';
import { CSP } from '../../../shared/csp';

interface Options {
  lock?: boolean;
  isPackaged?: boolean;
}

function electronMock({ lock = true, isPackaged = false }: Options) {
  const windows: FakeWindow[] = [];
  class FakeWindow extends EventEmitter {
    static getAllWindows = () => windows.filter((w) => !w.destroyed);
    destroyed = false;
    readonly webContents = Object.assign(new EventEmitter(), { send: vi.fn(), setWindowOpenHandler: vi.fn() });
    readonly loadURL = vi.fn(async () => {});
    readonly loadFile = vi.fn(async () => {});
    readonly show = vi.fn();
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
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
    getPath: vi.fn((name: string) => (name === 'userData' ? '/home/u/.config/Undertow' : `/tmp/${name}`)),
    getVersion: vi.fn(() => '0.1.0'),
  });
  const mock = {
    app,
    BrowserWindow: FakeWindow,
    dialog: { showOpenDialog: vi.fn(), showMessageBox: vi.fn(), showErrorBox: vi.fn() },
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
});
