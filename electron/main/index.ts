/**
 * Electron main process: lifecycle, one window, the menu, and the relay between the renderer
 * and the backend `utilityProcess`. No domain logic lives here — main never opens the database
 * or parses a file; it only checks who is calling and passes messages on. The one file it
 * writes for the renderer is an export, where the user chose in a Save dialog (save-file.ts).
 *
 * Built to out/main/index.js (ESM); siblings after the build: out/main/backend.js,
 * out/preload/index.cjs, out/renderer/index.html.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, screen, session, shell, utilityProcess, type IpcMainInvokeEvent } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IPC, type MenuCommand, type ThemePreference, type TimeZonePreference } from '../../shared/bridge';
import type { PushEvent } from '../../shared/contract';
import { CSP } from '../../shared/csp';
import { describeError } from '../../shared/errors';
import { BackendProcess } from './backend-process';
import { CHARTS_SITE_URL, openExternalSafely } from './external';
import { registerImportPath } from './import-path';
import { registerIpc, type AppUrls } from './ipc';
import { buildMenuTemplate, importViaDialog, showAbout, type Dialogs } from './menu';
import { RecentList, recentFromReply } from './recent';
import { registerSaveFile } from './save-file';
import { createMainWindow, hardenSession, hardenWebContents } from './window';
import { loadWindowState, saveWindowState, trackWindowState } from './window-state';

const here = dirname(fileURLToPath(import.meta.url));
const PATHS = {
  preload: join(here, '../preload/index.cjs'),
  backend: join(here, 'backend.js'),
  rendererIndex: join(here, '../renderer/index.html'),
};

if (!app.requestSingleInstanceLock()) {
  // Another Undertow owns the database; it focuses its window on 'second-instance'.
  app.quit();
} else {
  startApp();
}

function startApp(): void {
  // Sandbox every renderer, whatever its options say.
  app.enableSandbox();

  // The dev server only while developing: a packaged app must never load a page named by the environment.
  const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL || undefined : undefined;
  const urls: AppUrls = { indexFileUrl: pathToFileURL(PATHS.rendererIndex).href, devServerUrl };
  let mainWindow: BrowserWindow | null = null;

  const sendToRenderer = (message: PushEvent | MenuCommand): void => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) window.webContents.send(IPC.push, message);
    }
  };

  const backend = new BackendProcess({
    entry: PATHS.backend,
    dbPath: join(app.getPath('userData'), 'db', 'undertow.db'),
    fork: (modulePath, args, options) => utilityProcess.fork(modulePath, args, options),
    onPush: sendToRenderer,
    onFatal: (error) => dialog.showErrorBox('Undertow cannot open its database', describeError(error)),
  });

  const dialogs: Dialogs = {
    showOpenDialog: (window, options) => (window ? dialog.showOpenDialog(window, options) : dialog.showOpenDialog(options)),
    showMessageBox: (window, options) => (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options)),
  };

  const userData = app.getPath('userData');
  const openExternal = (url: string): void => {
    openExternalSafely(url, (allowed) => shell.openExternal(allowed));
  };

  const openWindow = (): BrowserWindow => {
    const workAreas = screen.getAllDisplays().map((display) => display.workArea);
    const window = createMainWindow(PATHS.preload, devServerUrl ? { url: devServerUrl } : { file: PATHS.rendererIndex }, {
      bounds: loadWindowState(userData, workAreas),
      openExternal,
    });
    trackWindowState(window, (state) => saveWindowState(userData, state));
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    return window;
  };

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Every web contents, including any a bug might create later, gets the same denials.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) mainWindow = openWindow();
  });

  // Let the backend close its database cleanly before the app exits.
  let backendStopped = false;
  app.on('before-quit', (event) => {
    if (backendStopped) return;
    event.preventDefault();
    void backend.stop().finally(() => {
      backendStopped = true;
      app.quit();
    });
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession, CSP);
    // The View menu's last choices (radio marks); the renderer owns and persists the preferences.
    let theme: ThemePreference = 'system';
    let timeZone: TimeZonePreference = 'utc';
    const versions = {
      app: app.getVersion(),
      electron: process.versions.electron,
      chrome: process.versions.chrome,
      node: process.versions.node,
    };
    const installMenu = (): void => {
      Menu.setApplicationMenu(
        Menu.buildFromTemplate(
          buildMenuTemplate(
            {
              importFiles: () =>
                void importViaDialog(mainWindow, dialogs, backend, (result) => {
                  const item = recentFromReply('datasets.importFile', result);
                  if (item) recent.add(item);
                }),
              showAbout: () => void showAbout(mainWindow, dialogs, backend, versions),
              setTheme: (value) => {
                theme = value;
                sendToRenderer({ type: 'menu', command: 'theme', theme: value });
              },
              setTimeZone: (value) => {
                timeZone = value;
                sendToRenderer({ type: 'menu', command: 'time-zone', timeZone: value });
              },
              replay: (action) => sendToRenderer({ type: 'menu', command: 'replay', action }),
              exportRun: (format) => sendToRenderer({ type: 'menu', command: 'export', format }),
              openRecent: (item) => sendToRenderer({ type: 'menu', command: 'open-recent', item }),
              clearRecent: () => recent.clear(),
              openChartsSite: () => openExternal(CHARTS_SITE_URL),
            },
            { platform: process.platform, isPackaged: app.isPackaged, recent: recent.list, theme, timeZone },
          ),
        ),
      );
    };
    const recent = new RecentList(userData, installMenu);
    registerIpc(ipcMain, backend, urls, (method, result) => {
      const item = recentFromReply(method, result);
      if (item) recent.add(item);
    });
    registerImportPath(ipcMain, backend, urls, (result) => {
      const item = recentFromReply('datasets.importFile', result);
      if (item) recent.add(item);
    });
    registerSaveFile(
      ipcMain,
      {
        showSaveDialog: (window, options) => (window ? dialog.showSaveDialog(window, options) : dialog.showSaveDialog(options)),
        windowFor: (event) => BrowserWindow.fromWebContents((event as IpcMainInvokeEvent).sender),
        defaultDirectory: () => app.getPath('downloads'),
      },
      urls,
    );
    backend.start();
    installMenu();
    mainWindow = openWindow();
  });
}
