/**
 * Electron main process: lifecycle, one window, the menu, and the relay between the renderer
 * and the backend `utilityProcess`. No domain logic lives here — main never opens the database
 * or parses a file; it only checks who is calling and passes messages on.
 *
 * Built to out/main/index.js (ESM); siblings after the build: out/main/backend.js,
 * out/preload/index.cjs, out/renderer/index.html.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, session, utilityProcess } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IPC, type MenuCommand } from '../../shared/bridge';
import type { PushEvent } from '../../shared/contract';
import { CSP } from '../../shared/csp';
import { describeError } from '../../shared/errors';
import { BackendProcess } from './backend-process';
import { registerIpc, type AppUrls } from './ipc';
import { buildMenuTemplate, importViaDialog, showAbout, type Dialogs } from './menu';
import { createMainWindow, hardenSession, hardenWebContents } from './window';

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

  const openWindow = (): BrowserWindow => {
    const window = createMainWindow(PATHS.preload, devServerUrl ? { url: devServerUrl } : { file: PATHS.rendererIndex });
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
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

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
    registerIpc(ipcMain, backend, urls);
    backend.start();
    const versions = {
      app: app.getVersion(),
      electron: process.versions.electron,
      chrome: process.versions.chrome,
      node: process.versions.node,
    };
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        buildMenuTemplate(
          {
            importFiles: () => void importViaDialog(mainWindow, dialogs, backend),
            showAbout: () => void showAbout(mainWindow, dialogs, backend, versions),
          },
          { platform: process.platform, isPackaged: app.isPackaged },
        ),
      ),
    );
    mainWindow = openWindow();
  });
}
