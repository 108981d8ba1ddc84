/**
 * Browser mode: the same backend and renderer as the desktop app, over loopback HTTP.
 *
 * - Bound to 127.0.0.1 only; a random token per launch is required on every API request
 *   (header `x-undertow-token`, or `?token=` for the SSE stream, which cannot set headers).
 * - Host must be this server's own loopback address and port (defeats DNS rebinding);
 *   a present Origin must be the same; no CORS headers are ever sent.
 * - Bodies are size-limited and requests time out: every request but an upload must arrive
 *   whole (headers and body) within `requestTimeoutMs`; an upload may take as long as it
 *   needs while bytes keep coming, and is cut off after `uploadIdleTimeoutMs` without any.
 *
 * Routes: `GET /…` static renderer files, `POST /api/call` one request/reply,
 * `GET /api/events` server push as Server-Sent Events, `POST /api/upload?fileName=…` a candle
 * file (CSV or zip) as the raw body, streamed into the importer (token in the header only).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { MAX_IMPORT_TEXT, type ReplyMessage } from '../../../shared/contract';
import { ApiError, type ApiErrorShape } from '../../../shared/errors';
import { CSP } from '../../../shared/csp';
import type { Backend } from '../services/backend';

export interface HttpServerOptions {
  backend: Backend;
  /** Directory of the built renderer (index.html and assets); omit to serve the API only. */
  rendererDir?: string;
  port?: number;
  /** Fixed token (tests); default: 32 random bytes. */
  token?: string;
  /** Largest request body in bytes. */
  maxBodyBytes?: number;
  /** Largest uploaded file in bytes (default 64 GiB: uploads stream, nothing is buffered whole). */
  maxUploadBytes?: number;
  /**
   * Time to receive a whole request (headers and body) on every route but `/api/upload`; a
   * client that trickles its body is answered 408 and cut off. Headers (uploads' included)
   * must arrive within the smaller of this and 20 s. Default 120 s.
   */
  requestTimeoutMs?: number;
  /**
   * `/api/upload` only: longest wait for the next bytes of the body (default 60 s). There is
   * no total limit — a multi-GB file over a slow disk or link may take many minutes — but a
   * client that stops sending is answered 408 and cut off. Time the importer spends on a chunk
   * (backpressure: we are not reading) does not count.
   */
  uploadIdleTimeoutMs?: number;
  /** Largest request header block in bytes (default 16 KiB); larger ones get 431. */
  maxHeaderBytes?: number;
  /** Most open connections at once (default 256); more are closed on arrival. */
  maxConnections?: number;
}

export interface RunningServer {
  url: string;
  /** The URL to open, with the token. */
  appUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Content-Security-Policy for the served page: the Electron window's, from `shared/csp.ts`. */
export { CSP };

export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const maxBody = options.maxBodyBytes ?? MAX_IMPORT_TEXT + 1024 * 1024;
  const maxUpload = options.maxUploadBytes ?? 64 * 1024 ** 3;
  const { backend } = options;
  const sseClients = new Set<http.ServerResponse>();
  let port = 0;

  const hostAllowed = (host: string | undefined): boolean =>
    host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  const originAllowed = (origin: string | undefined): boolean =>
    origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
  const tokenMatches = (given: string | undefined | null): boolean => {
    if (!given) return false;
    const bytes = Buffer.from(given);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  };

  const requestTimeout = options.requestTimeoutMs ?? 120_000;
  const uploadIdleTimeout = options.uploadIdleTimeoutMs ?? 60_000;
  const headersTimeout = Math.min(requestTimeout, 20_000);
  const server = http.createServer(
    {
      // Node's own `requestTimeout` counts from the first byte to the last of every request,
      // uploads included, and cannot be lifted for one route; so it is off here and
      // `limitRequestTime` applies the same total per request, to every route but uploads.
      requestTimeout: 0,
      headersTimeout,
      // Node checks the headers timeout only this often (30 s by default, which would let a
      // short timeout run long); a quarter of the timeout keeps the cut-off within 25 %.
      connectionsCheckingInterval: Math.max(25, Math.min(30_000, Math.floor(headersTimeout / 4))),
      maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024,
      keepAliveTimeout: 5_000,
    },
    (req, res) => {
      const stopRequestClock = limitRequestTime(req, res, requestTimeout);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', 'no-store');
      if (!hostAllowed(req.headers.host)) return sendError(res, 421, 'forbidden', 'wrong Host header');
      if (!originAllowed(req.headers.origin)) return sendError(res, 403, 'forbidden', 'foreign Origin');
      // A request target like `//` or `/\\` is no valid URL: answer it, never throw (a throw
      // here would be an uncaught exception in the server process).
      let url: URL;
      try {
        url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      } catch {
        return sendError(res, 400, 'bad_request', 'bad request target');
      }


      if (url.pathname.startsWith('/api/')) {
        const given = (req.headers['x-undertow-token'] as string | undefined) ?? url.searchParams.get('token');
        if (!tokenMatches(given)) return sendError(res, 401, 'forbidden', 'missing or wrong token');
        if (url.pathname === '/api/call' && req.method === 'POST') return handleCall(req, res);
        if (url.pathname === '/api/events' && req.method === 'GET') return handleEvents(req, res);
        if (url.pathname === '/api/upload' && req.method === 'POST') {
          if (!tokenMatches(req.headers['x-undertow-token'] as string | undefined)) {
            req.resume();
            return sendError(res, 401, 'forbidden', 'uploads need the token in the x-undertow-token header');
          }
          // Only an authorised upload leaves the total clock, for its own idle clock.
          stopRequestClock();
          return handleUpload(req, res, url);
        }
        return sendError(res, 404, 'not_found', `no route ${req.method} ${url.pathname}`);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'bad_request', 'method not allowed');
      return serveStatic(url.pathname, res);
    },
  );
  server.maxConnections = options.maxConnections ?? 256;

  function handleCall(req: http.IncomingMessage, res: http.ServerResponse): void {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('application/json')) {
      req.resume();
      return sendError(res, 415, 'bad_request', 'content-type must be application/json');
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > maxBody) {
      req.resume();
      return sendError(res, 413, 'bad_request', `body larger than ${maxBody} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody && !aborted) {
        // Answer now and drop what follows; drain a little so the client reads the answer,
        // then cut off a sender that keeps going.
        aborted = true;
        chunks.length = 0;
        res.setHeader('Connection', 'close');
        sendError(res, 413, 'bad_request', `body larger than ${maxBody} bytes`);
      }
      if (aborted) {
        if (size > 2 * maxBody + 1024 * 1024) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', async () => {
      if (aborted) return;
      let message: { id?: unknown; method?: unknown; params?: unknown };
      try {
        message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof message;
        if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new Error('not an object');
      } catch {
        return sendError(res, 400, 'bad_request', 'body is not a JSON object {id, method, params}');
      }
      const id = typeof message.id === 'number' && Number.isSafeInteger(message.id) ? message.id : 0;
      let reply: ReplyMessage;
      try {
        const result = await backend.dispatch(message.method, message.params, { trusted: false });
        reply = { id, ok: true, result };
      } catch (err) {
        const error: ApiErrorShape =
          err instanceof ApiError ? err.toJSON() : { code: 'internal', message: String(err), where: {} };
        reply = { id, ok: false, error };
      }
      sendJson(res, 200, reply);
    });
    req.on('error', () => {
      /* client went away; nothing to answer */
    });
  }

  function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
    if (declared !== undefined && declared > maxUpload) {
      req.resume();
      return sendError(res, 413, 'bad_request', `upload larger than ${maxUpload} bytes`);
    }
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) if (key !== 'token') query[key] = value;
    let received = 0;
    let idle = false;
    const idleMessage = `upload stopped: no bytes for ${uploadIdleTimeout / 1000} s`;
    async function* body(): AsyncGenerator<Uint8Array> {
      const chunks = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      while (true) {
        // The idle clock runs only while we wait for the client, never while the importer works.
        const timer = setTimeout(() => {
          idle = true;
          res.setHeader('Connection', 'close');
          sendError(res, 408, 'cancelled', idleMessage);
          res.once('finish', () => req.socket.destroy());
        }, uploadIdleTimeout);
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (err) {
          if (idle) throw new ApiError('cancelled', idleMessage, { file: query.fileName });
          throw err;
        } finally {
          clearTimeout(timer);
        }
        // A cut-off connection may look like the end of the body: never import a truncated file.
        if (idle) throw new ApiError('cancelled', idleMessage, { file: query.fileName });
        if (next.done) return;
        received += next.value.length;
        if (received > maxUpload) throw new ApiError('invalid_input', `upload larger than ${maxUpload} bytes`, { file: query.fileName });
        yield next.value;
      }
    }
    backend.importUpload(query, body(), declared).then(
      (result) => sendJson(res, 200, { id: 0, ok: true, result } satisfies ReplyMessage),
      (err: unknown) => {
        const error: ApiErrorShape = err instanceof ApiError ? err.toJSON() : { code: 'internal', message: String(err), where: {} };
        // Drain what the client still sends so it reads the answer, then close.
        if (!req.complete) {
          res.setHeader('Connection', 'close');
          req.resume();
        }
        sendJson(res, 200, { id: 0, ok: false, error } satisfies ReplyMessage);
      },
    );
    req.on('error', () => {
      /* client went away; the importer sees the stream end and stores nothing */
    });
  }

  function handleEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    sseClients.add(res);
    req.on('close', () => sseClients.delete(res));
  }

  const unsubscribe = backend.subscribe((event) => {
    const data = `data: ${JSON.stringify(event)}\n\n`;
    for (const client of sseClients) client.write(data);
  });

  function serveStatic(pathname: string, res: http.ServerResponse): void {
    const root = options.rendererDir;
    if (!root) return sendError(res, 404, 'not_found', 'no renderer is served');
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendError(res, 400, 'bad_request', 'bad path');
    }
    const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
    const file = path.resolve(root, relative);
    if (!file.startsWith(path.resolve(root) + path.sep)) return sendError(res, 404, 'not_found', 'not found');
    fs.readFile(file, (err, body) => {
      if (err) return sendError(res, 404, 'not_found', 'not found');
      const ext = path.extname(file);
      res.setHeader('Content-Type', MIME[ext] ?? 'application/octet-stream');
      if (ext === '.html') res.setHeader('Content-Security-Policy', CSP);
      res.writeHead(200);
      res.end(body);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    appUrl: `${url}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const client of sseClients) client.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Answers 408 and closes the connection when `req` has not arrived whole (body included)
 * within `ms` of its headers. Headers themselves are bounded by the server's headersTimeout.
 * Returns the function that stops this clock.
 */
function limitRequestTime(req: http.IncomingMessage, res: http.ServerResponse, ms: number): () => void {
  if (ms <= 0 || req.complete) return () => {};
  const timer = setTimeout(() => {
    if (req.complete) return;
    if (res.headersSent) {
      req.destroy();
      return;
    }
    res.setHeader('Connection', 'close');
    sendError(res, 408, 'cancelled', `request not received within ${ms / 1000} s`);
    // Give the answer a moment to reach the client, then drop a sender that keeps going.
    res.once('finish', () => req.socket.destroy());
  }, ms);
  const stop = (): void => clearTimeout(timer);
  req.once('end', stop);
  req.once('close', stop);
  return stop;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: http.ServerResponse, status: number, code: ApiErrorShape['code'], message: string): void {
  sendJson(res, status, { id: 0, ok: false, error: { code, message, where: {} } });
}
