/**
 * Browser-mode HTTP hardening: the token, Host and Origin checks (DNS rebinding), body
 * limits, malformed bodies, static path traversal, no CORS, and push over SSE. Uses raw
 * node:http so that headers fetch() forbids (Host) can be sent.
 */
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { startHttpServer } from '../../electron/backend/server/http-server';
import { tempDir } from '../helpers/temp';

const dir = tempDir();
const rendererDir = path.join(dir, 'renderer');
fs.mkdirSync(rendererDir);
fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');

const backend = new Backend({ dbPath: path.join(dir, 'sec.db') });
const server = await startHttpServer({ backend, rendererDir, maxBodyBytes: 64 * 1024, requestTimeoutMs: 2000 });
afterAll(async () => {
  await server.close();
  backend.close();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const call = JSON.stringify({ id: 1, method: 'datasets.list', params: {} });
const jsonHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  'content-type': 'application/json',
  'x-undertow-token': server.token,
  ...extra,
});

describe('browser-mode HTTP transport', () => {
  it('binds to 127.0.0.1 and serves a call with the token', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await request({ method: 'POST', path: '/api/call', headers: jsonHeaders(), body: call });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ id: 1, ok: true, result: [] });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses calls without the token or with a wrong one', async () => {
    const none = await request({ method: 'POST', path: '/api/call', headers: { 'content-type': 'application/json' }, body: call });
    expect(none.status).toBe(401);
    const wrong = await request({ method: 'POST', path: '/api/call', headers: jsonHeaders({ 'x-undertow-token': 'x'.repeat(43) }), body: call });
    expect(wrong.status).toBe(401);
    const sse = await request({ path: '/api/events?token=nope' });
    expect(sse.status).toBe(401);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, even with the token', async () => {
    const host = await request({ method: 'POST', path: '/api/call', headers: jsonHeaders({ host: `evil.example:${server.port}` }), body: call });
    expect(host.status).toBe(421);
    const page = await request({ path: '/', headers: { host: 'evil.example' } });
    expect(page.status).toBe(421);
    const origin = await request({ method: 'POST', path: '/api/call', headers: jsonHeaders({ origin: 'http://evil.example' }), body: call });
    expect(origin.status).toBe(403);
    const sameOrigin = await request({ method: 'POST', path: '/api/call', headers: jsonHeaders({ origin: server.url }), body: call });
    expect(sameOrigin.status).toBe(200);
  });

  it('refuses oversized, non-JSON and wrongly typed bodies with typed errors', async () => {
    // Declared too large, and too large without a declared length (chunked).
    const declared = await request({ method: 'POST', path: '/api/call', headers: jsonHeaders({ 'content-length': String(100 * 1024) }), body: Buffer.alloc(100 * 1024, 32) });
    expect(declared.status).toBe(413);
    const chunked = await request({ method: 'POST', path: '/api/call', headers: jsonHeaders(), body: Buffer.alloc(100 * 1024, 32) });
    expect(chunked.status).toBe(413);
    const notJson = await request({ method: 'POST', path: '/api/call', headers: jsonHeaders(), body: '{"id":1,' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error.code).toBe('bad_request');
    const array = await request({ method: 'POST', path: '/api/call', headers: jsonHeaders(), body: '[1,2]' });
    expect(array.status).toBe(400);
    const text = await request({ method: 'POST', path: '/api/call', headers: { ...jsonHeaders(), 'content-type': 'text/plain' }, body: call });
    expect(text.status).toBe(415);
    // The server still answers after all that.
    const ok = await request({ method: 'POST', path: '/api/call', headers: jsonHeaders(), body: call });
    expect(ok.status).toBe(200);
  });

  it('serves the renderer with a CSP and never a file outside it', async () => {
    const index = await request({ path: '/' });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt']) {
      const answer = await request({ path: p });
      expect(answer.status, p).toBe(404);
      expect(answer.body).not.toContain('secret');
    }
  });

  it('pushes backend events to SSE subscribers with the token', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: server.port, path: `/api/events?token=${server.token}` }, (res) => {
        expect(res.statusCode).toBe(200);
        let buffer = '';
        res.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          if (buffer.includes(': connected')) {
            void backend.dispatch(
              'datasets.importText',
              { fileName: 'abcusdt_1m.csv', text: 'time,open,high,low,close,volume\n60,1,1,1,1,1\n120,1,1,1,1,1\n' },
              { trusted: false },
            );
          }
          const m = /data: (.*)\n\n/.exec(buffer);
          if (m) {
            req.destroy();
            resolve(m[1]!);
          }
        });
      });
      req.on('error', reject);
    });
    expect(JSON.parse(received)).toEqual({ type: 'datasets.changed' });
  });
});
