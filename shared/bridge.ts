/**
 * What the Electron preload exposes to the sandboxed renderer as `window.undertow`.
 * Deliberately small: one request/reply call and one push subscription, which the renderer
 * wraps into an `Api` exactly as it wraps HTTP in browser mode; plus the two things only a
 * desktop app does with files — save an export where the user chooses in a native Save
 * dialog, and import a file the user picked or dropped by its path on disk.
 */
import type { PushEvent, ReplyMessage } from './contract';
import type { ApiErrorShape } from './errors';

export interface PreloadBridge {
  /** Sends one request; resolves with the reply (never rejects for API errors). */
  call(method: string, params: unknown): Promise<ReplyMessage>;
  /** Server pushes and menu commands; returns the unsubscribe function. */
  onPush(listener: (event: PushEvent | MenuCommand) => void): () => void;
  /**
   * Shows the native Save dialog (main suggests `request.fileName`) and writes `request.data`
   * where the user chose. Resolves `{ ok: true, path: null }` when the dialog was cancelled
   * (nothing written); never rejects.
   */
  saveFile(request: SaveFileRequest): Promise<SaveFileReply>;
  /**
   * Imports a `File` the user picked or dropped by its path on disk: the preload resolves the
   * path (`webUtils.getPathForFile`) and main imports it with the backend's trusted
   * `datasets.importFile`, so nothing is read into the page. The path itself never reaches
   * the page. Resolves `null` when the file has no path on disk (a `File` made in the page)
   * or its name is not one imported by path (`importsByPath`): send its content instead.
   * Otherwise the reply of `datasets.importFile`; never rejects.
   */
  importLocalFile(file: File, options: LocalImportOptions): Promise<ReplyMessage | null>;
  readonly platform: string;
}

/** What an export is: picks the Save dialog's filter and how main checks `data`. */
export const SAVE_FILE_KINDS = {
  png: { filter: 'PNG image', mimeType: 'image/png' },
  csv: { filter: 'CSV', mimeType: 'text/csv' },
  json: { filter: 'JSON', mimeType: 'application/json' },
} as const;
export type SaveFileKind = keyof typeof SAVE_FILE_KINDS;

/** Largest export main writes, in bytes (a series CSV of a long run is tens of MB). */
export const MAX_SAVE_BYTES = 256 * 1024 * 1024;

/** An export to save. Main refuses anything else (see electron/main/save-file.ts). */
export interface SaveFileRequest {
  kind: SaveFileKind;
  /** The name the dialog suggests: a plain file name ending in `.<kind>`, no folders. */
  fileName: string;
  /** Text for csv and json (written as UTF-8); the image's bytes for png. */
  data: string | Uint8Array;
}

/** `path`: where the file was written, `null` when the user cancelled. */
export type SaveFileReply = { ok: true; path: string | null } | { ok: false; error: ApiErrorShape };

/** The import options a picked or dropped file may carry (the backend validates them). */
export interface LocalImportOptions {
  symbol?: string;
  timeframe?: string;
  job?: string;
}
export const LOCAL_IMPORT_OPTION_KEYS: readonly (keyof LocalImportOptions)[] = ['symbol', 'timeframe', 'job'];

/** True for file names imported by path in Electron (the Import button's kinds: csv, txt, zip). */
export function importsByPath(name: string): boolean {
  return /\.(csv|txt|zip)$/i.test(name);
}

/** Display preferences the View menu sets (the renderer owns and persists them). */
export type ThemePreference = 'system' | 'dark' | 'light';
export type TimeZonePreference = 'utc' | 'local';

/**
 * Replay transport steps the Replay menu sends, as the key the renderer's transport keymap
 * already understands (so a menu click and a key press take one path).
 */
export const REPLAY_MENU_KEYS = {
  'play-pause': { key: ' ', shiftKey: false, accelerator: 'Space', label: 'Play / Pause' },
  'step-back': { key: 'ArrowLeft', shiftKey: false, accelerator: 'Left', label: 'Step Back' },
  'step-forward': { key: 'ArrowRight', shiftKey: false, accelerator: 'Right', label: 'Step Forward' },
  'step-back-10': { key: 'ArrowLeft', shiftKey: true, accelerator: 'Shift+Left', label: 'Back 10 Bars' },
  'step-forward-10': { key: 'ArrowRight', shiftKey: true, accelerator: 'Shift+Right', label: 'Forward 10 Bars' },
} as const;
export type ReplayMenuAction = keyof typeof REPLAY_MENU_KEYS;

/** Replay ▸ Export's items; the same four as the Replay screen's Export buttons. */
export const REPLAY_EXPORTS = {
  png: { label: 'Chart as PNG…' },
  events: { label: 'Events as CSV…' },
  series: { label: 'Series as CSV…' },
  json: { label: 'Run as JSON…' },
} as const;
export type ReplayExportFormat = keyof typeof REPLAY_EXPORTS;

/** The window event App dispatches for Replay ▸ Export; the open Replay screen handles it (preventDefault). */
export const REPLAY_EXPORT_EVENT = 'undertow:replay-export';

/** An entry of File ▸ Recent: a dataset or a stored run the user opened. */
export interface RecentItem {
  kind: 'dataset' | 'run';
  id: number;
  label: string;
}

/** Commands the application menu sends to the renderer. */
export type MenuCommand =
  | { type: 'menu'; command: 'import' | 'about' }
  | { type: 'menu'; command: 'theme'; theme: ThemePreference }
  | { type: 'menu'; command: 'time-zone'; timeZone: TimeZonePreference }
  | { type: 'menu'; command: 'replay'; action: ReplayMenuAction }
  | { type: 'menu'; command: 'export'; format: ReplayExportFormat }
  | { type: 'menu'; command: 'open-recent'; item: RecentItem };

/** IPC channel names, shared by preload and main. */
export const IPC = {
  call: 'undertow:call',
  push: 'undertow:push',
  saveFile: 'undertow:save-file',
  importPath: 'undertow:import-path',
} as const;

declare global {
  interface Window {
    undertow?: PreloadBridge;
  }
}
