/**
 * The message protocol between the Electron main process and the backend running in a
 * `utilityProcess`. Pure: no Electron import, so a unit test drives it with a real `Backend`
 * and a fake port.
 *
 * main → backend: `BackendRequest` (`{id, method, params, trusted}`) or `{type:'shutdown'}`.
 * backend → main: `{type:'reply', reply}` for each request, `{type:'push', event}` for each
 * backend push, `{type:'ready'}` once, or `{type:'fatal', error}` when the backend could not
 * start (a corrupt or newer database): every later request is then answered with that error.
 *
 * `trusted` is set by main, never by the renderer: main forwards renderer calls with
 * `trusted:false` and only its own calls (File ▸ Import… after a native dialog) with `true`.
 */
import type { PushEvent, ReplyMessage } from '../../shared/contract';
import { ApiError, type ApiErrorShape } from '../../shared/errors';
import type { CallContext } from './services/backend';

export interface BackendRequest {
  id: number;
  method: string;
  params: unknown;
  trusted: boolean;
}

export type MainToBackend = BackendRequest | { type: 'shutdown' };

export type BackendToMain =
  | { type: 'reply'; reply: ReplyMessage }
  | { type: 'push'; event: PushEvent }
  | { type: 'ready' }
  | { type: 'fatal'; error: ApiErrorShape };

/** What the protocol needs from `Backend` (a structural slice, so tests can pass either). */
export interface DispatchingBackend {
  dispatch(method: unknown, params: unknown, context: CallContext): Promise<unknown>;
  subscribe(listener: (event: PushEvent) => void): () => void;
  close(): void;
}

/** The slice of Electron's `ParentPort` the protocol uses. */
export interface PortLike {
  on(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown;
  postMessage(message: BackendToMain): void;
}

/** Narrows an incoming message to a request; anything else is `null` (ignored, never thrown on). */
export function parseBackendRequest(data: unknown): BackendRequest | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) return null;
  if (typeof m.method !== 'string') return null;
  // Anything but a literal `true` is untrusted.
  return { id: m.id, method: m.method, params: m.params, trusted: m.trusted === true };
}

export function isShutdownMessage(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'shutdown';
}

/**
 * Runs one request against the backend (or answers with the start-up error) and returns the
 * reply. Never rejects: a bug in a handler becomes an `internal` error value.
 */
export async function handleBackendRequest(
  backend: DispatchingBackend | ApiError,
  request: BackendRequest,
): Promise<ReplyMessage> {
  if (backend instanceof ApiError) return { id: request.id, ok: false, error: backend.toJSON() };
  try {
    const result = await backend.dispatch(request.method, request.params, { trusted: request.trusted });
    return { id: request.id, ok: true, result };
  } catch (err) {
    const error =
      err instanceof ApiError
        ? err.toJSON()
        : { code: 'internal' as const, message: `internal error: ${(err as Error)?.message ?? String(err)}`, where: {} };
    return { id: request.id, ok: false, error };
  }
}

/**
 * Wires a backend (or its start-up error) to a port: answers requests, forwards pushes, and
 * closes the backend on `shutdown`. Returns a function that stops forwarding pushes.
 */
export function serveBackendOnPort(
  backend: DispatchingBackend | ApiError,
  port: PortLike,
  onShutdown: () => void = () => {},
): () => void {
  const unsubscribe =
    backend instanceof ApiError ? () => {} : backend.subscribe((event) => port.postMessage({ type: 'push', event }));
  port.on('message', ({ data }) => {
    if (isShutdownMessage(data)) {
      unsubscribe();
      if (!(backend instanceof ApiError)) backend.close();
      onShutdown();
      return;
    }
    const request = parseBackendRequest(data);
    if (!request) return;
    void handleBackendRequest(backend, request).then((reply) => port.postMessage({ type: 'reply', reply }));
  });
  port.postMessage(backend instanceof ApiError ? { type: 'fatal', error: backend.toJSON() } : { type: 'ready' });
  return unsubscribe;
}

/**
 * The database path from `--db PATH` / `--db=PATH` anywhere in argv (a utility process may carry
 * Chromium switches before the fork arguments), else `$UNDERTOW_DB`, else `null`.
 */
export function dbPathFromArgs(argv: readonly string[], env: NodeJS.ProcessEnv): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--db' && argv[i + 1]) return argv[i + 1]!;
    if (arg.startsWith('--db=') && arg.length > 5) return arg.slice(5);
  }
  return env.UNDERTOW_DB || null;
}

/**
 * The start-up error to report, with a fix named when the cause is a native module built for
 * plain Node rather than Electron (the usual state of a development checkout: the tests need
 * the Node build, the app needs the Electron one).
 */
export function startupError(err: unknown): ApiError {
  const base =
    err instanceof ApiError ? err : new ApiError('internal', `cannot start the backend: ${(err as Error)?.message ?? String(err)}`);
  if (!/NODE_MODULE_VERSION/.test(base.message)) return base;
  return new ApiError(
    base.code,
    `${base.message}\nbetter-sqlite3 is built for another runtime. Rebuild it for Electron with ` +
      '`npx electron-builder install-app-deps`; run `npm rebuild better-sqlite3` before running the Node tests again.',
    base.where,
  );
}
