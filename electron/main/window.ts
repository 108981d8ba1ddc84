/**
 * The main window and the security settings around it (Electron's security checklist):
 * isolated, sandboxed renderer without Node; CSP on every response; navigation, new windows,
 * webviews and permission requests denied. Each piece is a small function so a unit test can
 * check it with Electron mocked.
 */
import { BrowserWindow, type BrowserWindowConstructorOptions, type Session, type WebContents } from 'electron';
import type { WindowState } from './window-state';

/**
 * The window's options; every security flag is spelled out even where it is Electron's default.
 * `bounds`: the remembered (already validated) position and size; without it, the default size, centred.
 */
export function mainWindowOptions(preloadPath: string, bounds?: WindowState | null): BrowserWindowConstructorOptions {
  return {
    width: bounds?.width ?? 1400,
    height: bounds?.height ?? 900,
    ...(bounds ? { x: bounds.x, y: bounds.y } : { center: true }),
    minWidth: 900,
    minHeight: 600,
    title: 'Undertow',
    backgroundColor: '#131722',
    // Shown on 'ready-to-show', so the user never sees an empty white frame.
    show: false,
    autoHideMenuBar: false,
    webPreferences: {
      preload: preloadPath,
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
      spellcheck: false,
    },
  };
}

/** The `WebContents` slice `hardenWebContents` touches. */
export type HardenableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Denies every navigation, redirect, new window and webview for one web contents. The app is a
 * single page: it never navigates, and a dropped file or a stray link must not replace it.
 * A `window.open` / `target=_blank` link is denied too; when `openExternal` is given, it gets
 * the URL and decides whether the user's browser may open it (see external.ts).
 */
export function hardenWebContents(contents: HardenableContents, openExternal?: (url: string) => void): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternal?.(url);
    return { action: 'deny' };
  });
}

/** The `Session` slice `hardenSession` touches. */
export type HardenableSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
> & { webRequest: Pick<Session['webRequest'], 'onHeadersReceived'> };

/** Denies every permission and adds the CSP to every response in the session. */
export function hardenSession(session: HardenableSession, csp: string): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.responseHeaders, csp) });
  });
}

/**
 * Response headers with ours as the only Content-Security-Policy: any existing one (in any
 * letter case, e.g. from the dev server) is replaced, not combined.
 */
export function withCsp(
  headers: Record<string, string[]> | undefined,
  csp: string,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [csp];
  return result;
}

/** What the window shows: the dev server (development) or the built index.html. */
export type RendererSource = { url: string } | { file: string };

/** Creates the hardened main window at `bounds` (if any), shows it once painted, and loads the renderer. */
export function createMainWindow(
  preloadPath: string,
  source: RendererSource,
  options: { bounds?: WindowState | null; openExternal?: (url: string) => void } = {},
): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(preloadPath, options.bounds));
  hardenWebContents(window.webContents, options.openExternal);
  window.once('ready-to-show', () => {
    if (options.bounds?.maximized) window.maximize();
    window.show();
  });
  const loaded = 'url' in source ? window.loadURL(source.url) : window.loadFile(source.file);
  loaded.catch((err: unknown) => {
    console.error(`Undertow: cannot load the renderer: ${(err as Error)?.message ?? String(err)}`);
  });
  return window;
}
