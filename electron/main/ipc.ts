/**
 * The renderer's one IPC entry point, `IPC.call`. Main validates who is calling and relays:
 *
 * - the sender must be the top frame showing the app itself (our file:// index.html, or the
 *   electron-vite dev server in development); anything else — a foreign page after some
 *   navigation slipped through, an iframe, a destroyed frame — is refused;
 * - methods marked `trusted` in the contract (they take file-system paths) are refused here:
 *   the renderer never holds the user's authority over files; main calls them itself after a
 *   native dialog;
 * - everything else goes to the backend with `trusted:false`, which validates the payload.
 *
 * Always resolves with a `ReplyMessage`; refusals are error values, never exceptions.
 */
import type { IpcMain } from 'electron';
import { IPC } from '../../shared/bridge';
import { isMethodName, methods, type ReplyMessage } from '../../shared/contract';
import type { ErrorCode } from '../../shared/errors';
import type { BackendCaller } from './backend-process';

/** Where the app's own page is loaded from. */
export interface AppUrls {
  /** `file://…/out/renderer/index.html` (as produced by `pathToFileURL`). */
  indexFileUrl: string;
  /** `ELECTRON_RENDERER_URL` in development only; never set in a packaged app. */
  devServerUrl?: string | undefined;
}

/** The parts of `IpcMainInvokeEvent` checked here (structural so tests can build one). */
export interface CallEvent {
  senderFrame: { url: string; parent: unknown } | null;
}

/** True when `url` is the app's own page: the exact index file, or the dev server's origin. */
export function isAppUrl(url: string, urls: AppUrls): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (urls.devServerUrl && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) {
    try {
      if (parsed.origin === new URL(urls.devServerUrl).origin) return true;
    } catch {
      return false;
    }
  }
  const index = new URL(urls.indexFileUrl);
  // Same file; query and hash (client-side routing) may differ.
  return parsed.protocol === 'file:' && parsed.host === index.host && parsed.pathname === index.pathname;
}

/** True when the IPC message comes from the app's own top-level frame. */
export function isTrustedSender(event: CallEvent, urls: AppUrls): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url, urls);
}

export async function handleRendererCall(
  event: CallEvent,
  method: unknown,
  params: unknown,
  backend: BackendCaller,
  urls: AppUrls,
): Promise<ReplyMessage> {
  if (!isTrustedSender(event, urls)) {
    return refusal('forbidden', 'this frame may not call the Undertow API');
  }
  if (typeof method !== 'string') return refusal('bad_request', 'method must be a string');
  if (isMethodName(method) && methods[method].trusted) {
    return refusal('forbidden', `${method} is not available to the renderer`);
  }
  return backend.call(method, params, false);
}

/**
 * Registers the `IPC.call` handler; returns a function that removes it. `onReply` sees each
 * successful relayed reply (File ▸ Recent learns what was opened from it); it cannot change it.
 */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  backend: BackendCaller,
  urls: AppUrls,
  onReply?: (method: string, result: unknown) => void,
): () => void {
  ipcMain.handle(IPC.call, async (event, method: unknown, params: unknown) => {
    const reply = await handleRendererCall(event, method, params, backend, urls);
    if (reply.ok && onReply && typeof method === 'string') {
      try {
        onReply(method, reply.result);
      } catch (err) {
        console.warn(`Undertow: reply observer failed: ${(err as Error)?.message ?? String(err)}`);
      }
    }
    return reply;
  });
  return () => ipcMain.removeHandler(IPC.call);
}

function refusal(code: ErrorCode, message: string): ReplyMessage {
  return { id: 0, ok: false, error: { code, message, where: {} } };
}
