/**
 * What the Electron preload exposes to the sandboxed renderer as `window.undertow`.
 * Deliberately tiny: one request/reply call and one push subscription. The renderer wraps
 * it into an `Api`, exactly as it wraps HTTP in browser mode.
 */
import type { PushEvent, ReplyMessage } from './contract';

export interface PreloadBridge {
  /** Sends one request; resolves with the reply (never rejects for API errors). */
  call(method: string, params: unknown): Promise<ReplyMessage>;
  /** Server pushes and menu commands; returns the unsubscribe function. */
  onPush(listener: (event: PushEvent | MenuCommand) => void): () => void;
  readonly platform: string;
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
  | { type: 'menu'; command: 'open-recent'; item: RecentItem };

/** IPC channel names, shared by preload and main. */
export const IPC = {
  call: 'undertow:call',
  push: 'undertow:push',
} as const;

declare global {
  interface Window {
    undertow?: PreloadBridge;
  }
}
