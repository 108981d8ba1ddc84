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

/** Commands the application menu sends to the renderer. */
export type MenuCommand = { type: 'menu'; command: 'import' | 'about' };

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
