/**
 * Picks the transport at start-up: the Electron preload bridge when present, else HTTP to
 * the browser-mode server that served this page. Everything above this file sees only `Api`.
 */
import type { Api, MethodName, Params, PushEvent, ReplyMessage, Result } from '../../../../shared/contract';
import { ApiError } from '../../../../shared/errors';
import type { MenuCommand, PreloadBridge } from '../../../../shared/bridge';
import { bridgeFiles, type FileTransport } from './files';

export type AppEvent = PushEvent | MenuCommand;

export interface ClientApi extends Omit<Api, 'subscribe'> {
  /** Pushes plus menu commands (menu commands exist only in Electron). */
  subscribe(listener: (event: AppEvent) => void): () => void;
  readonly transport: 'electron' | 'http';
  /** Save dialog and import by path: Electron only; null in the browser (download / upload instead). */
  readonly files: FileTransport | null;
}

export function connectApi(): ClientApi {
  return window.undertow ? bridgeApi(window.undertow) : httpApi(readToken());
}

function unwrap<M extends MethodName>(reply: ReplyMessage): Result<M> {
  if (reply.ok) return reply.result as Result<M>;
  throw ApiError.from(reply.error);
}

function bridgeApi(bridge: PreloadBridge): ClientApi {
  return {
    transport: 'electron',
    files: bridgeFiles(bridge),
    async call<M extends MethodName>(method: M, params: Params<M>) {
      return unwrap<M>(await bridge.call(method, params));
    },
    subscribe: (listener) => bridge.onPush(listener),
  };
}

function readToken(): string {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem('undertow.token', fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem('undertow.token') ?? '';
}

function httpApi(token: string): ClientApi {
  let nextId = 1;
  const listeners = new Set<(event: AppEvent) => void>();
  let source: EventSource | undefined;

  return {
    transport: 'http',
    files: null,
    async call<M extends MethodName>(method: M, params: Params<M>) {
      const id = nextId++;
      let response: Response;
      try {
        response = await fetch('/api/call', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-undertow-token': token },
          body: JSON.stringify({ id, method, params }),
        });
      } catch (err) {
        throw new ApiError('internal', `the Undertow server cannot be reached (${(err as Error).message}); is \`npm run web\` still running?`);
      }
      let reply: ReplyMessage;
      try {
        reply = (await response.json()) as ReplyMessage;
      } catch {
        throw new ApiError('internal', `the server answered ${response.status} without a reply`);
      }
      return unwrap<M>(reply);
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!source) {
        source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
        source.onmessage = (message) => {
          const event = JSON.parse(message.data as string) as PushEvent;
          for (const l of listeners) l(event);
        };
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = undefined;
        }
      };
    },
  };
}
