/**
 * Regressions found by the API fuzz test (`fuzz-api.test.ts`), each pinned by the smallest
 * payload that showed it. Covers the backend's `dispatch` directly and over HTTP.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/services/backend';
import { startHttpServer } from '../../electron/backend/server/http-server';
import { ApiError } from '../../shared/errors';
import { tempDir } from '../helpers/temp';

const dir = tempDir('undertow-fuzz-regress-');
const backend = new Backend({ dbPath: path.join(dir, 'r.db') });
const server = await startHttpServer({ backend, token: 't', maxBodyBytes: 1024 * 1024 });
afterAll(async () => {
  await server.close();
  backend.close();
});

async function post(body: string): Promise<{ ok: boolean; error?: { code: string; message: string; where: unknown } }> {
  const response = await fetch(`${server.url}/api/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-undertow-token': 't' },
    body,
  });
  return (await response.json()) as { ok: boolean; error?: { code: string; message: string; where: unknown } };
}

describe('method names that cannot be turned into text', () => {
  // Found by the fuzzer: `String(method)` recursed through a 10,000-level array (RangeError) and
  // threw on `{"toString":1,"valueOf":"x"}` (TypeError); both came back as `internal` errors.
  const hostile: Array<[string, unknown]> = [
    ['a 10,000-level nested array', JSON.parse('['.repeat(10_000) + ']'.repeat(10_000))],
    ['an object whose toString and valueOf are not functions', JSON.parse('{"toString":1,"valueOf":"x"}')],
    ['a number', 42],
    ['null', null],
  ];

  it.each(hostile)('%s is refused as an unknown method in dispatch', async (_what, method) => {
    const error = await backend.dispatch(method, {}, { trusted: false }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('unknown_method');
    expect((error as ApiError).where).toEqual({ field: 'method' });
  });

  it('is refused as an unknown method over HTTP too', async () => {
    const deep = await post(`{"id":1,"method":${'['.repeat(10_000)}${']'.repeat(10_000)},"params":{}}`);
    expect(deep.error?.code).toBe('unknown_method');
    const noText = await post('{"id":1,"method":{"toString":1,"valueOf":"x"},"params":{}}');
    expect(noText.error?.code).toBe('unknown_method');
    expect((await post('{"id":2,"method":"datasets.list","params":{}}')).ok).toBe(true);
  });

  it('still names a string method in the message', async () => {
    const error = (await backend.dispatch('no.such', {}, { trusted: false }).catch((err: unknown) => err)) as ApiError;
    expect(error.message).toContain('"no.such"');
  });
});
