/**
 * Browser mode's two clocks, over raw TCP sockets with small configured limits:
 *
 * - `POST /api/upload` has no total time limit, only an idle one: an upload that keeps sending
 *   for many times the request timeout is imported whole; one that stops sending for longer
 *   than the idle limit is answered 408 and nothing of it is stored;
 * - `POST /api/call` keeps the short total limit even when its bytes keep coming (each gap far
 *   shorter than the upload's idle limit), and slow headers are cut on the upload route too.
 *
 * Time bounds are generous ceilings and floors derived from the configured limits, never
 * measurements of this machine.
 */
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { startHttpServer } from '../../electron/backend/server/http-server';
import { tempDir } from '../helpers/temp';

const REQUEST_TIMEOUT_MS = 300;
const UPLOAD_IDLE_MS = 500;
const TOKEN = 'upload-clock-token';

const dir = tempDir('undertow-http-upload-');
const backend = new Backend({ dbPath: path.join(dir, 'u.db') });
const server = await startHttpServer({
  backend,
  token: TOKEN,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  uploadIdleTimeoutMs: UPLOAD_IDLE_MS,
});
afterAll(async () => {
  await server.close();
  backend.close();
});

/** A valid generic OHLCV CSV of `rows` one-minute bars. */
function csv(rows: number): string {
  const lines = ['time,open,high,low,close,volume'];
  for (let i = 0; i < rows; i++) lines.push(`${1_600_000_000 + 60 * i},100,101,99,100.5,10`);
  return lines.join('\n') + '\n';
}

/** Cuts `text` into `n` nearly equal pieces. */
function pieces(text: string, n: number): string[] {
  const size = Math.ceil(text.length / n);
  return Array.from({ length: n }, (_, i) => text.slice(i * size, (i + 1) * size)).filter((p) => p.length > 0);
}

function uploadHead(fileName: string, length: number): string {
  return (
    `POST /api/upload?fileName=${fileName} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
    `X-Undertow-Token: ${TOKEN}\r\nContent-Type: text/csv\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`
  );
}

/**
 * Opens a connection, writes `head`, then each piece after `gapMs` (the first too), and
 * resolves with everything received once the server closes the connection.
 */
function send(head: string, body: string[], gapMs: number): Promise<{ received: string; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect(server.port, '127.0.0.1');
    let received = '';
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, elapsedMs: Date.now() - started });
    };
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('close', finish);
    socket.on('end', finish);
    socket.on('error', finish);
    socket.on('connect', () => {
      socket.write(head);
      let index = 0;
      const next = (): void => {
        if (done || index >= body.length) return;
        timer = setTimeout(() => {
          if (done) return;
          socket.write(body[index++]!);
          next();
        }, gapMs);
      };
      next();
    });
  });
}

function symbols(): string[] {
  return backend.datasets.list().map((d) => d.symbol);
}

async function normalCallAnswers(): Promise<boolean> {
  const response = await fetch(`${server.url}/api/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-undertow-token': TOKEN },
    body: JSON.stringify({ id: 1, method: 'datasets.list', params: {} }),
  });
  return response.status === 200 && ((await response.json()) as { ok: boolean }).ok;
}

describe('POST /api/upload: an idle limit, no total limit', () => {
  it('imports an upload that keeps sending for many times the request timeout', async () => {
    const text = csv(2_000);
    // 16 pieces 150 ms apart: ≥ 2.4 s in all (8 request timeouts), each gap under the idle limit.
    const body = pieces(text, 16);
    const { received, elapsedMs } = await send(uploadHead('LONGUSDT-1m.csv', Buffer.byteLength(text)), body, 150);
    expect(elapsedMs).toBeGreaterThan(REQUEST_TIMEOUT_MS * 4);
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toContain('"ok":true');
    const dataset = backend.datasets.list().find((d) => d.symbol === 'LONGUSDT');
    expect(dataset?.rows).toBe(2_000);
  });

  it('answers 408 to an upload that stops sending, and stores nothing of it', async () => {
    const text = csv(2_000);
    const half = pieces(text, 2)[0]!;
    // Sends half the declared body, then nothing: the connection must not hang.
    const { received, elapsedMs } = await send(uploadHead('STALLUSDT-1m.csv', Buffer.byteLength(text)), [half], 10);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('"code":"cancelled"');
    expect(received).toContain('no bytes for 0.5 s');
    // Cut after the idle limit, and long before anything like a minute.
    expect(elapsedMs).toBeGreaterThanOrEqual(UPLOAD_IDLE_MS - 50);
    expect(elapsedMs).toBeLessThan(15_000);
    expect(symbols()).not.toContain('STALLUSDT');
    expect(await normalCallAnswers()).toBe(true);
  });

  it('still cuts off slow headers on the upload route', async () => {
    const head = uploadHead('HEADUSDT-1m.csv', 100);
    // The header block one byte every 40 ms (≈ 7 s in all), never reaching the body.
    const { received, elapsedMs } = await send('', head.split(''), 40);
    expect(received === '' || /^HTTP\/1\.1 408 /.test(received)).toBe(true);
    expect(elapsedMs).toBeLessThan(head.length * 40);
    expect(symbols()).not.toContain('HEADUSDT');
  });

  it('keeps the total limit for an upload without the token, however steady its bytes', async () => {
    const head = uploadHead('NOTOKUSDT-1m.csv', 100_000).replace(`X-Undertow-Token: ${TOKEN}\r\n`, '');
    const { received, elapsedMs } = await send(head, Array.from({ length: 400 }, () => 'x'.repeat(250)), 50);
    expect(received).toMatch(/^HTTP\/1\.1 401 /);
    expect(elapsedMs).toBeLessThan(400 * 50);
  });
});

describe('POST /api/call: the short total limit', () => {
  it('cuts off a call whose bytes keep coming faster than the upload idle limit', async () => {
    const body = JSON.stringify({ id: 2, method: 'datasets.importText', params: { fileName: 'DRIPUSDT-1m.csv', text: csv(20) } });
    const head =
      `POST /api/call HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\n` +
      `X-Undertow-Token: ${TOKEN}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    // One piece every 50 ms (a tenth of the idle limit): 60 pieces would take ≥ 3 s.
    const { received, elapsedMs } = await send(head, pieces(body, 60), 50);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(elapsedMs).toBeLessThan(60 * 50);
    expect(symbols()).not.toContain('DRIPUSDT');
    expect(await normalCallAnswers()).toBe(true);
  });
});
