/**
 * The main window's security settings with `electron` mocked: every webPreferences flag,
 * navigation / redirect / webview / window.open denial, permission denial, the CSP header
 * (replacing any other), show on 'ready-to-show', and dev-server vs file loading.
 *
 * Not covered: that Chromium enforces them (no Electron binary here).
 */
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CSP } from '../../../shared/csp';

const created: FakeWindow[] = [];

class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

class FakeWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  readonly show = vi.fn();
  readonly loadURL = vi.fn(async (_url: string) => {});
  readonly loadFile = vi.fn(async (_file: string) => {});
  constructor(readonly options: Record<string, unknown>) {
    super();
    created.push(this);
  }
}

vi.mock('electron', () => ({ BrowserWindow: FakeWindow }));

const { mainWindowOptions, hardenWebContents, hardenSession, withCsp, createMainWindow } = await import(
  '../../../electron/main/window'
);

beforeEach(() => {
  created.length = 0;
});

/** Emits a cancellable Electron-style event; returns whether a listener prevented it. */
function emitPrevented(contents: EventEmitter, name: string, ...args: unknown[]): boolean {
  let prevented = false;
  contents.emit(name, { preventDefault: () => (prevented = true) }, ...args);
  return prevented;
}

describe('mainWindowOptions', () => {
  it('isolates, sandboxes and strips Node from the renderer, with web security on', () => {
    const options = mainWindowOptions('/app/out/preload/index.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });

  it('starts hidden so the window is shown only once painted', () => {
    expect(mainWindowOptions('p').show).toBe(false);
  });
});

describe('hardenWebContents', () => {
  const contents = new FakeWebContents();
  hardenWebContents(contents as never);

  it('denies navigation to a foreign page and to a dropped file', () => {
    expect(emitPrevented(contents, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(emitPrevented(contents, 'will-navigate', 'file:///home/u/prices.csv')).toBe(true);
  });

  it('denies redirects and webviews', () => {
    expect(emitPrevented(contents, 'will-redirect', 'https://evil.example/')).toBe(true);
    expect(emitPrevented(contents, 'will-attach-webview', {}, {})).toBe(true);
  });

  it('denies window.open and target=_blank links', () => {
    expect(contents.windowOpenHandler?.({ url: 'https://www.tradingview.com/' })).toEqual({ action: 'deny' });
  });
});

describe('hardenSession', () => {
  function fakeSession() {
    return {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
      webRequest: { onHeadersReceived: vi.fn() },
    };
  }

  it('denies every permission request, check and device', () => {
    const session = fakeSession();
    hardenSession(session as never, CSP);
    const request = session.setPermissionRequestHandler.mock.calls[0]![0] as (
      wc: unknown,
      permission: string,
      callback: (granted: boolean) => void,
    ) => void;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      request({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    const check = session.setPermissionCheckHandler.mock.calls[0]![0] as (...args: unknown[]) => boolean;
    expect(check({}, 'media', 'file:///app/index.html', {})).toBe(false);
    const device = session.setDevicePermissionHandler.mock.calls[0]![0] as (...args: unknown[]) => boolean;
    expect(device({ deviceType: 'usb' })).toBe(false);
  });

  it('sets the shared CSP on every response, replacing one the server sent', () => {
    const session = fakeSession();
    hardenSession(session as never, CSP);
    const listener = session.webRequest.onHeadersReceived.mock.calls[0]![0] as (
      details: { responseHeaders?: Record<string, string[]> },
      callback: (response: { responseHeaders: Record<string, string[]> }) => void,
    ) => void;
    const callback = vi.fn();
    listener({ responseHeaders: { 'content-security-policy': ["script-src 'unsafe-eval'"], 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CSP] },
    });
  });
});

describe('the CSP', () => {
  it('allows no eval and no inline or foreign scripts', () => {
    expect(CSP).not.toContain('unsafe-eval');
    expect(CSP).toMatch(/script-src 'self';/);
    expect(CSP).toContain("object-src 'none'");
    expect(withCsp(undefined, CSP)).toEqual({ 'Content-Security-Policy': [CSP] });
  });
});

describe('createMainWindow', () => {
  it('builds a hardened window, shows it on ready-to-show and loads the built index.html', () => {
    const window = createMainWindow('/app/out/preload/index.cjs', { file: '/app/out/renderer/index.html' }) as unknown as FakeWindow;
    expect(window.options).toEqual(mainWindowOptions('/app/out/preload/index.cjs'));
    expect(window.loadFile).toHaveBeenCalledWith('/app/out/renderer/index.html');
    expect(window.loadURL).not.toHaveBeenCalled();
    expect(window.webContents.windowOpenHandler).not.toBeNull();
    expect(window.show).not.toHaveBeenCalled();
    window.emit('ready-to-show');
    expect(window.show).toHaveBeenCalledOnce();
  });

  it('loads the dev server URL when given one', () => {
    const window = createMainWindow('p', { url: 'http://localhost:5173/' }) as unknown as FakeWindow;
    expect(window.loadURL).toHaveBeenCalledWith('http://localhost:5173/');
    expect(window.loadFile).not.toHaveBeenCalled();
  });
});

describe('window.open goes to the external-link check, never to a new window', () => {
  it('hands the URL to openExternal and denies the window', () => {
    const contents = new FakeWebContents();
    const open = vi.fn();
    hardenWebContents(contents as never, open);
    expect(contents.windowOpenHandler?.({ url: 'https://www.tradingview.com/' })).toEqual({ action: 'deny' });
    expect(open).toHaveBeenCalledWith('https://www.tradingview.com/');
  });

  it('places the window at remembered bounds, or centres it at the default size', () => {
    expect(mainWindowOptions('p', { x: 5, y: 6, width: 1000, height: 700, maximized: false })).toMatchObject({ x: 5, y: 6, width: 1000, height: 700 });
    const fresh = mainWindowOptions('p');
    expect(fresh).toMatchObject({ width: 1400, height: 900, center: true });
    expect(fresh.x).toBeUndefined();
  });
});
