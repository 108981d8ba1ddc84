/**
 * The application menu: File ▸ Import… (native open dialog, then the backend's trusted
 * `datasets.importFile` for each chosen file) and File ▸ Recent (our own list, see recent.ts);
 * View ▸ Theme and Time Zone (sent to the renderer, which owns and persists them); Replay with
 * the transport keys and Export (sent to the renderer, which holds the run and saves through
 * the Save dialog of save-file.ts); Help ▸ About (versions and the chart library's attribution, which its
 * licence requires). The template and the texts are pure functions; the dialogs are passed in
 * so a unit test can drive them.
 *
 * The Replay items show Space and the arrows but do not register them (`registerAccelerator:
 * false`): a registered single-key accelerator would swallow those keys in every text field.
 * The renderer's transport keymap handles the keys themselves; a click on the item sends the
 * same key as a menu command.
 */
import type { BrowserWindow, MenuItemConstructorOptions, MessageBoxOptions, OpenDialogOptions } from 'electron';
import {
  REPLAY_EXPORTS,
  REPLAY_MENU_KEYS,
  type RecentItem,
  type ReplayExportFormat,
  type ReplayMenuAction,
  type ThemePreference,
  type TimeZonePreference,
} from '../../shared/bridge';
import type { AppInfo, ReplyMessage } from '../../shared/contract';
import { describeError, type ApiErrorShape } from '../../shared/errors';
import type { BackendCaller } from './backend-process';

/** The attribution lightweight-charts' licence (Apache-2.0, with its NOTICE) asks for. */
export const CHART_ATTRIBUTION =
  'Charts by TradingView Lightweight Charts™, https://www.tradingview.com/ (licensed under the Apache License 2.0).';

export interface MenuActions {
  importFiles(): void;
  showAbout(): void;
  setTheme?(theme: ThemePreference): void;
  setTimeZone?(timeZone: TimeZonePreference): void;
  replay?(action: ReplayMenuAction): void;
  /** Replay ▸ Export: asks the renderer to export the open run (it holds the data; main saves it). */
  exportRun?(format: ReplayExportFormat): void;
  openRecent?(item: RecentItem): void;
  clearRecent?(): void;
  /** Opens the chart library's site in the browser (Help). */
  openChartsSite?(): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  recent?: readonly RecentItem[];
  theme?: ThemePreference;
  timeZone?: TimeZonePreference;
}

const THEMES: { value: ThemePreference; label: string }[] = [
  { value: 'system', label: 'Follow System' },
  { value: 'dark', label: 'Dark' },
  { value: 'light', label: 'Light' },
];
const TIME_ZONES: { value: TimeZonePreference; label: string }[] = [
  { value: 'utc', label: 'UTC' },
  { value: 'local', label: 'Local Time' },
];

/** File ▸ Recent's submenu: the entries (runs and datasets), then Clear. */
export function recentSubmenu(actions: MenuActions, recent: readonly RecentItem[]): MenuItemConstructorOptions[] {
  if (recent.length === 0) return [{ id: 'file.recent.empty', label: 'No Recent Items', enabled: false }];
  return [
    ...recent.map(
      (item, index): MenuItemConstructorOptions => ({
        id: `file.recent.${index}`,
        // `&` would be read as a mnemonic marker on Windows and Linux.
        label: `${item.kind === 'run' ? 'Run' : 'Dataset'}: ${item.label.replace(/&/g, '&&')}`,
        click: () => actions.openRecent?.(item),
      }),
    ),
    { type: 'separator' },
    { id: 'file.recent.clear', label: 'Clear Recent', click: () => actions.clearRecent?.() },
  ];
}

export function buildMenuTemplate(actions: MenuActions, options: MenuOptions): MenuItemConstructorOptions[] {
  const isMac = options.platform === 'darwin';
  const theme = options.theme ?? 'system';
  const timeZone = options.timeZone ?? 'utc';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  template.push(
    {
      label: '&File',
      submenu: [
        { id: 'file.import', label: 'Import…', accelerator: 'CmdOrCtrl+O', click: () => actions.importFiles() },
        { id: 'file.recent', label: 'Open Recent', submenu: recentSubmenu(actions, options.recent ?? []) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        // Reload and devtools only while developing: a packaged app has nothing to debug for users.
        ...(options.isPackaged
          ? []
          : ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])),
        {
          id: 'view.theme',
          label: 'Theme',
          submenu: THEMES.map((t) => ({
            id: `view.theme.${t.value}`,
            label: t.label,
            type: 'radio' as const,
            checked: t.value === theme,
            click: () => actions.setTheme?.(t.value),
          })),
        },
        {
          id: 'view.time-zone',
          label: 'Time Zone',
          submenu: TIME_ZONES.map((z) => ({
            id: `view.time-zone.${z.value}`,
            label: z.label,
            type: 'radio' as const,
            checked: z.value === timeZone,
            click: () => actions.setTimeZone?.(z.value),
          })),
        },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: '&Replay',
      submenu: [
        ...(Object.keys(REPLAY_MENU_KEYS) as ReplayMenuAction[]).map(
          (action): MenuItemConstructorOptions => ({
            id: `replay.${action}`,
            label: REPLAY_MENU_KEYS[action].label,
            accelerator: REPLAY_MENU_KEYS[action].accelerator,
            registerAccelerator: false,
            click: () => actions.replay?.(action),
          }),
        ),
        { type: 'separator' },
        {
          id: 'replay.export',
          label: 'Export',
          submenu: (Object.keys(REPLAY_EXPORTS) as ReplayExportFormat[]).map((format) => ({
            id: `replay.export.${format}`,
            label: REPLAY_EXPORTS[format].label,
            click: () => actions.exportRun?.(format),
          })),
        },
      ],
    },
    { role: 'windowMenu' },
    {
      label: '&Help',
      role: 'help',
      submenu: [
        { id: 'help.charts', label: 'TradingView Lightweight Charts™', click: () => actions.openChartsSite?.() },
        { id: 'help.about', label: 'About Undertow', click: () => actions.showAbout() },
      ],
    },
  );
  return template;
}

/** The dialog functions the menu uses (Electron's `dialog` in the app; `null` = no parent window). */
export interface Dialogs {
  showOpenDialog(window: BrowserWindow | null, options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
  showMessageBox(window: BrowserWindow | null, options: MessageBoxOptions): Promise<unknown>;
}

export const IMPORT_DIALOG: OpenDialogOptions = {
  title: 'Import candle files',
  buttonLabel: 'Import',
  properties: ['openFile', 'multiSelections'],
  filters: [{ name: 'Candle CSV', extensions: ['csv'] }],
};

export interface ImportFailure {
  path: string;
  error: ApiErrorShape;
}

/**
 * File ▸ Import…: asks for files, imports each with the user's authority (`trusted`), and
 * shows one error box listing the files that failed. The backend pushes `datasets.changed`
 * for each new dataset, so the renderer refreshes without being told here.
 */
export async function importViaDialog(
  window: BrowserWindow | null,
  dialogs: Dialogs,
  backend: BackendCaller,
  onImported?: (result: unknown) => void,
): Promise<ImportFailure[]> {
  const choice = await dialogs.showOpenDialog(window, IMPORT_DIALOG);
  if (choice.canceled) return [];
  const failures: ImportFailure[] = [];
  // One at a time: the backend imports in one transaction each and would serialise them anyway.
  for (const path of choice.filePaths) {
    const reply = await backend.call('datasets.importFile', { path }, true);
    if (!reply.ok) failures.push({ path, error: reply.error });
    else onImported?.(reply.result);
  }
  if (failures.length > 0) {
    await dialogs.showMessageBox(window, {
      type: 'error',
      title: 'Import failed',
      message:
        failures.length === 1 ? 'One file could not be imported.' : `${failures.length} files could not be imported.`,
      detail: failures.map((f) => `${f.path}\n  ${describeError(f.error)}`).join('\n\n'),
      buttons: ['OK'],
    });
  }
  return failures;
}

export interface AboutVersions {
  app: string;
  electron?: string | undefined;
  chrome?: string | undefined;
  node?: string | undefined;
}

/** The About box's text; the database line only when the backend answered. */
export function aboutDetail(versions: AboutVersions, info: AppInfo | null): string {
  const lines = [
    `Electron ${versions.electron ?? '?'} · Chromium ${versions.chrome ?? '?'} · Node ${versions.node ?? '?'}`,
  ];
  if (info) lines.push(`Database: ${info.dbPath} (schema ${info.schemaVersion})`);
  lines.push('', CHART_ATTRIBUTION);
  return lines.join('\n');
}

/** Help ▸ About: asks the backend for the database facts, then shows a plain message box. */
export async function showAbout(window: BrowserWindow | null, dialogs: Dialogs, backend: BackendCaller, versions: AboutVersions): Promise<void> {
  const reply: ReplyMessage = await backend.call('app.info', {}, false);
  const info = reply.ok ? (reply.result as AppInfo) : null;
  await dialogs.showMessageBox(window, {
    type: 'info',
    title: 'About Undertow',
    message: `Undertow ${versions.app}`,
    detail: aboutDetail(versions, info),
    buttons: ['OK'],
  });
}
