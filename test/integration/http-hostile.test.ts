/**
 * Browser-mode HTTP against slow and hostile clients, over raw TCP sockets: a body trickled
 * byte by byte and headers trickled line by line are cut off by the request timeout (made
 * small here), hundreds of concurrent connections are all answered, connections past the
 * limit are closed, oversized headers get 431, garbage and unparsable request targets get 400
 * — and after each, the server still answers a normal call. The SSE stream is not a request
 * in progress, so the request timeout leaves it open.
 *
 * Time bounds are generous ceilings (the cut-off must happen long before the trickle would
 * end), never measurements.
 */
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { startHttpServer, type RunningServer } from '../../electron/backend/server/http-server';
import { tempDir } from '../helpers/temp';

const TIMEOUT_MS = 400;
const TOKEN = 'hostile-token';

const dir = tempDir('undertow-http-hostile-');
const backend = new Backend({ dbPath: path.join(dir, 'h.db') });
const server = await startHttpServer({ backend, token: TOKEN, maxBodyBytes: 256 * 1024, requestTimeoutMs: TIMEOUT_MS });
const servers: RunningServer[] = [server];
afterAll(async () => {
  for (const s of servers) await s.close();
  backend.close();
});

const CALL = JSON.stringify({ id: 1, method: 'datasets.list', params: {} });

function headerBlock(port: number, body: string | number, extra = ''): string {
  const length = typeof body === 'number' ? body : Buffer.byteLength(body);
  return (
    `POST /api/call HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
    `X-Undertow-Token: ${TOKEN}\r\nContent-Length: ${length}\r\n${extra}\r\n`
  );
}

interface SocketEnd {
  /** Everything the server sent. */
  received: string;
  /** How the connection ended: the server closed it, or it was reset. */
  how: 'closed' | 'error';
}

/** Opens a raw connection, lets `drive` write to it, and resolves once the server closes it. */
function rawConnection(port: number, drive: (socket: net.Socket) => void): Promise<SocketEnd> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let settled = false;
    const finish = (how: SocketEnd['how']): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ received, how });
    };
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('end', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('error', () => finish('error'));
    socket.on('connect', () => drive(socket));
  });
}

/** A normal call on a fresh connection: answered with the empty-or-not dataset list. */
async function normalCallAnswers(s: RunningServer = server): Promise<boolean> {
  const response = await fetch(`${s.url}/api/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-undertow-token': TOKEN, connection: 'close' },
    body: CALL,
  });
  const reply = (await response.json()) as { ok: boolean };
  return response.status === 200 && reply.ok;
}

/** Writes `text` one piece every `everyMs` until the socket closes; returns the stop function. */
function trickle(socket: net.Socket, pieces: string[], everyMs: number): () => void {
  let index = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || index >= pieces.length) return clearInterval(timer);
    socket.write(pieces[index++]!);
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
  return () => clearInterval(timer);
}

describe('slow clients', () => {
  it('cuts off a client that trickles its body, and nothing of that body is imported', async () => {
    // A valid import that would create a dataset if it ever completed.
    const csv = 'time,open,high,low,close,volume\n1600000000,1,2,0.5,1.5,10\n1600000060,1,2,0.5,1.5,10\n';
    const body = JSON.stringify({ id: 9, method: 'datasets.importText', params: { fileName: 'SLOWUSDT-1m.csv', text: csv } });
    const started = Date.now();
    const end = await rawConnection(server.port, (socket) => {
      socket.write(headerBlock(server.port, body));
      // One byte every 40 ms: the whole body would take ≥ 6 s; the timeout is 0.4 s.
      trickle(socket, body.split(''), 40);
    });
    const elapsed = Date.now() - started;
    expect(end.received).toMatch(/^HTTP\/1\.1 408 /);
    // A generous ceiling: far less than the trickle would need to finish.
    expect(elapsed).toBeLessThan(body.length * 40);
    expect(backend.datasets.list().map((d) => d.symbol)).not.toContain('SLOWUSDT');
    expect(await normalCallAnswers()).toBe(true);
  });

  it('cuts off a client that trickles its headers (slowloris)', async () => {
    const headers = headerBlock(server.port, CALL).split(/(?<=\r\n)/);
    const end = await rawConnection(server.port, (socket) => {
      // Keep sending header bytes forever: one byte each 40 ms, never the blank line.
      trickle(socket, Array.from({ length: 10_000 }, (_, i) => (i === 0 ? headers[0]! : `X-Pad-${i}: a\r\n`)), 40);
    });
    expect(end.received === '' || /^HTTP\/1\.1 408 /.test(end.received)).toBe(true);
    expect(await normalCallAnswers()).toBe(true);
  });

  it('closes a connection that opens and sends nothing', async () => {
    const end = await rawConnection(server.port, () => {});
    expect(end.received === '' || /^HTTP\/1\.1 408 /.test(end.received)).toBe(true);
  });

  it('leaves the SSE stream open beyond the request timeout', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.write(`GET /api/events?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('error', reject);
      // Wait several request timeouts, then push an event; it must still arrive.
      setTimeout(() => {
        const csv = 'time,open,high,low,close,volume\n1600000000,1,2,0.5,1.5,10\n1600000060,1,2,0.5,1.5,10\n';
        void backend.dispatch('datasets.importText', { fileName: 'SSEUSDT-1m.csv', text: csv }, { trusted: false });
      }, TIMEOUT_MS * 4);
      const check = setInterval(() => {
        if (text.includes('datasets.changed')) {
          clearInterval(check);
          socket.destroy();
          resolve(text);
        }
      }, 20);
      socket.on('close', () => {
        clearInterval(check);
        resolve(text);
      });
    });
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toContain('"type":"datasets.changed"');
  });
});

describe('many and hostile connections', () => {
  it('answers 200 concurrent connections, each with its own call', async () => {
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        rawConnection(server.port, (socket) => {
          const body = JSON.stringify({ id: i + 1, method: 'datasets.list', params: {} });
          socket.end(headerBlock(server.port, body, 'Connection: close\r\n') + body);
        }),
      ),
    );
    const answered = replies.filter((r) => /^HTTP\/1\.1 200 /.test(r.received) && r.received.includes('"ok":true'));
    expect(answered.length).toBe(200);
    expect(await normalCallAnswers()).toBe(true);
  });

  it('closes connections beyond the limit and serves again once they are gone', async () => {
    const limited = await startHttpServer({ backend, token: TOKEN, requestTimeoutMs: 10_000, maxConnections: 10 });
    servers.push(limited);
    const idle: net.Socket[] = [];
    const closedEarly: Promise<boolean>[] = [];
    for (let i = 0; i < 25; i++) {
      const socket = net.connect(limited.port, '127.0.0.1');
      socket.on('error', () => {});
      idle.push(socket);
      closedEarly.push(
        new Promise((resolve) => {
          socket.on('close', () => resolve(true));
          setTimeout(() => resolve(false), 1500);
        }),
      );
    }
    const closed = (await Promise.all(closedEarly)).filter(Boolean).length;
    // 10 are held open, the other 15 closed by the server on arrival.
    expect(closed).toBeGreaterThanOrEqual(15);
    for (const socket of idle) socket.destroy();
    // Give the server a moment to see the closes, then a normal call goes through.
    await new Promise((r) => setTimeout(r, 100));
    expect(await normalCallAnswers(limited)).toBe(true);
  });

  it('answers headers larger than the limit with 431', async () => {
    const end = await rawConnection(server.port, (socket) => {
      socket.end(headerBlock(server.port, CALL, `X-Big: ${'a'.repeat(64 * 1024)}\r\n`) + CALL);
    });
    expect(end.received === '' || /^HTTP\/1\.1 431 /.test(end.received)).toBe(true);
    expect(end.received).not.toContain('"ok":true');
    expect(await normalCallAnswers()).toBe(true);
  });

  it('answers garbage with 400 and an unparsable request target with a typed 400', async () => {
    const garbage = await rawConnection(server.port, (socket) => socket.end('\x00\xff\xfe NOT HTTP\r\n\r\n'));
    expect(garbage.received === '' || /^HTTP\/1\.1 400 /.test(garbage.received)).toBe(true);
    // Found while hardening: `new URL('//', base)` throws, and threw out of the request handler.
    for (const target of ['//', '//@', '/\\', '//[::']) {
      const end = await rawConnection(server.port, (socket) =>
        socket.end(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`),
      );
      expect(end.received, target).toMatch(/^HTTP\/1\.1 400 /);
      expect(end.received, target).toContain('"code":"bad_request"');
    }
    expect(await normalCallAnswers()).toBe(true);
  });

  it('refuses a body whose declared length is larger than the limit before reading it', async () => {
    const end = await rawConnection(server.port, (socket) => {
      socket.write(headerBlock(server.port, 10 * 1024 * 1024));
      socket.write('{"id":1,');
    });
    expect(end.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(await normalCallAnswers()).toBe(true);
  });
});
