/**
 * Fuzzing the whole API over the browser-mode HTTP transport, through a real `startHttpServer`.
 *
 * For every method in `METHOD_NAMES` (so methods added later are fuzzed without editing this
 * file) it sends ≥ 1,000 payloads: payloads generated from the method's own zod schema (via
 * `z.toJSONSchema`), the same with one field replaced by something hostile, and wholly hostile
 * bodies — wrong types, huge and non-finite numbers, `NaN`/`Infinity` strings, 10,000-level
 * nesting, huge arrays, `__proto__`/`constructor` keys, path traversal in file names, invalid
 * UTF-8 bytes, lone surrogates, empty and maximum-length strings.
 *
 * Each reply must be a well-formed `ReplyMessage`: a result, or a typed error with a known code
 * other than `internal` (an `internal` error is a backend bug). The server must not crash,
 * `Object.prototype` must stay clean, and a normal call must be answered afterwards.
 *
 * Not covered: the Electron IPC transport (same `dispatch`, exercised by the shell tests), and
 * semantic correctness of successful results (the contract suite checks those).
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES, methods, type MethodName } from '../../shared/contract';
import { ERROR_CODES } from '../../shared/errors';
import { Backend } from '../../electron/backend/services/backend';
import { startHttpServer } from '../../electron/backend/server/http-server';
import { tempDir } from '../helpers/temp';

/** Payloads per method; ≥ 1,000 by the hardening issue. */
const RUNS = 1000;
/** Requests in flight at once. */
const CONCURRENCY = 16;
/** Body limit of the fuzzed server: small, so "max size" bodies are cheap to send. */
const MAX_BODY = 1024 * 1024;
const SEED = Number(process.env.FUZZ_SEED ?? 20240811);

const dir = tempDir('undertow-fuzz-');
const dbPath = path.join(dir, 'fuzz.db');
const backend = new Backend({ dbPath, now: () => 1_700_000_000 });
const server = await startHttpServer({ backend, token: 'fuzz-token', maxBodyBytes: MAX_BODY, requestTimeoutMs: 20_000 });
/** Per method: how many replies were results and how many each error code (printed at the end). */
const tally = new Map<string, Record<string, number>>();
afterAll(async () => {
  console.info(`fuzz-api replies per method (seed ${SEED}): ${JSON.stringify(Object.fromEntries(tally))}`);
  await server.close();
  backend.close();
});

// ---------------------------------------------------------------------------------------------
// Raw JSON fragments: things JSON.stringify cannot produce (invalid UTF-8, 1e999, deep nesting).

/** A value that is spliced into the body as raw bytes instead of being JSON-encoded. */
class Raw {
  constructor(readonly bytes: Buffer) {}
}
const raw = (text: string | Buffer): Raw => new Raw(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

/** JSON-encodes `value`, splicing each `Raw` in as its bytes. */
function encode(value: unknown): Buffer {
  const raws: Raw[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Raw) {
      raws.push(v);
      return `\u0000RAW${raws.length - 1}\u0000`;
    }
    return v;
  });
  if (raws.length === 0) return Buffer.from(text ?? 'null', 'utf8');
  const parts: Buffer[] = [];
  const pattern = /"\\u0000RAW(\d+)\\u0000"/g;
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    parts.push(Buffer.from(text.slice(last, match.index), 'utf8'), raws[Number(match[1])]!.bytes);
    last = match.index + match[0].length;
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

const DEEP = 10_000;
const deepArray = raw('['.repeat(DEEP) + ']'.repeat(DEEP));
const deepObject = raw('{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP));

/** Huge arrays and strings: picked rarely, as they dominate the bytes sent. */
const hugeValue: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  Array.from({ length: 100_000 }, (_, i) => i),
  Array.from({ length: 20_000 }, () => ({ id: 'x', qty: 1 })),
  'x'.repeat(300_000),
);

/** Hostile values, each meant to break a different assumption. */
const smallHostileValue: fc.Arbitrary<unknown> = fc.oneof(
  // Wrong types of every kind.
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom<unknown>(null, true, false, 0, -0, -1, 1.5, [], {}, '', ' ', '0', 'null', 'undefined', 'true'),
  // Huge, tiny and non-finite numbers (1e999 parses to Infinity; NaN cannot be JSON).
  fc.constantFrom<unknown>(
    Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2, -(2 ** 63), 2 ** 64, 1e21,
    raw('1e999'), raw('-1e999'), raw('1e-999'), raw('123456789012345678901234567890'),
    'NaN', 'Infinity', '-Infinity', '1e999', '0x10', '1_000', ' 1 ',
  ),
  fc.double(),
  fc.integer(),
  // Deep nesting.
  fc.constantFrom<unknown>(deepArray, deepObject),
  // Prototype pollution.
  fc.constantFrom<unknown>(
    raw('{"__proto__":{"polluted":"yes"}}'),
    raw('{"constructor":{"prototype":{"polluted":"yes"}}}'),
    raw('{"__proto__":null,"toString":1,"valueOf":"x","hasOwnProperty":2}'),
    '__proto__', 'constructor', 'prototype', 'toString',
  ),
  // Path traversal and awkward file names.
  fc.constantFrom<unknown>(
    '../../../../etc/passwd', '..\\..\\..\\windows\\win.ini', '/etc/passwd', 'C:\\Windows\\system.ini',
    'a/../../b.csv', 'BTCUSDT-1m-2020-03-12.csv/../../../x', 'nul\u0000byte.csv', '\\\\server\\share\\x.csv',
    'file:///etc/passwd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '.', '..', '~/.ssh/id_rsa', 'CON', 'x'.repeat(4096),
  ),
  // Invalid UTF-8 and lone surrogates inside a string literal.
  fc.constantFrom<unknown>(
    raw(Buffer.from([0x22, 0xff, 0xfe, 0x22])),
    raw(Buffer.from([0x22, 0xc3, 0x28, 0x22])),
    raw(Buffer.from([0x22, 0xe2, 0x82, 0x22])),
    raw(Buffer.from([0x22, 0xf0, 0x80, 0x80, 0xaf, 0x22])),
    raw(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])),
    '\ud800', '\udfff x \ud83d', '\u0000', '\u202e\u0000\ufeff',
  ),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: smallHostileValue, weight: 30 },
  { arbitrary: hugeValue, weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// Payloads generated from the method's schema.

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

/** Longest string generated from a schema, whatever its `maxLength`. */
const STRING_CAP = 64 * 1024;

/** Text that looks like the files the backend parses, so generation reaches past the schema. */
const fileLikeText: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(fc.tuple(fc.integer({ min: -5, max: 2e9 }), fc.double(), fc.double(), fc.double(), fc.double(), fc.double()), { maxLength: 40 })
    .map((rows) => ['time,open,high,low,close,volume', ...rows.map((r) => r.join(','))].join('\n')),
  fc
    .array(fc.array(fc.oneof(fc.integer().map(String), fc.string({ maxLength: 8 }), fc.constant('')), { maxLength: 13 }), { maxLength: 20 })
    .map((rows) => rows.map((r) => r.join(',')).join('\n')),
  fc.anything({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? ''),
  fc.constantFrom('{', '[', '{"name":"x","accounts":[{"id":"a","venue":"v","mode":"cross","wallet":1,"positions":[]}]}', '\ufeffid,symbol,side,qty,entry\np1,BTCUSDT,long,1,100'),
);

function fromJsonSchema(schema: JsonSchema, key = ''): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((s) => fromJsonSchema(s, key)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, sub] of Object.entries(props)) record[name] = fromJsonSchema(sub, name);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in props) }) as fc.Arbitrary<unknown>;
    }
    case 'array':
      return fc.array(schema.items ? fromJsonSchema(schema.items, key) : fc.anything(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 64, STRING_CAP);
      const plain = schema.pattern ? fc.stringMatching(new RegExp(schema.pattern)) : fc.string({ minLength: min, maxLength: Math.min(max, 80) });
      const options: fc.WeightedArbitrary<string>[] = [
        { arbitrary: plain, weight: 6 },
        { arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) }), weight: 1 },
        // The exact limits: empty, shortest, longest, one past the longest.
        { arbitrary: fc.constantFrom('', 'a'.repeat(min), 'a'.repeat(max), 'a'.repeat(max + 1)), weight: 1 },
      ];
      if (key === 'text') options.push({ arbitrary: fileLikeText, weight: 12 });
      if (key === 'fileName' || key === 'path') {
        options.push({ arbitrary: fc.constantFrom('BTCUSDT-1m-2020-03-12.csv', 'ETHUSDT_1h.csv', 'desk.json'), weight: 4 });
      }
      return fc.oneof(...options);
    }
    case 'integer': {
      const low = schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : schema.minimum ?? Number.MIN_SAFE_INTEGER;
      const high = schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : schema.maximum ?? Number.MAX_SAFE_INTEGER;
      // Mostly small ids, so some calls reach stored rows.
      return fc.oneof(fc.integer({ min: Math.max(low, 0), max: Math.min(high, Math.max(low, 0) + 8) }), fc.constantFrom(low, high, low - 1, high + 1), fc.maxSafeInteger());
    }
    case 'number': {
      const low = schema.exclusiveMinimum ?? schema.minimum ?? -1e15;
      const high = schema.exclusiveMaximum ?? schema.maximum ?? 1e15;
      const inRange = fc.double({
        min: low, max: high, noNaN: true,
        minExcluded: schema.exclusiveMinimum !== undefined, maxExcluded: schema.exclusiveMaximum !== undefined,
      });
      return fc.oneof({ arbitrary: inRange, weight: 6 }, { arbitrary: fc.constantFrom(low, high, 1, 0.5, 100), weight: 1 });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.anything({ maxDepth: 2 });
  }
}

/** A copy of `value` with the thing at one random path (or an added key) replaced by `replacement`. */
function mutate(value: unknown, pathChoice: number, replacement: unknown, extraKey: string | null): unknown {
  if (typeof value !== 'object' || value === null) return replacement;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (extraKey !== null || keys.length === 0) {
    (copy as Record<string, unknown>)[extraKey ?? 'extra'] = replacement;
    return copy;
  }
  const key = keys[pathChoice % keys.length]!;
  const inner = (copy as Record<string, unknown>)[key];
  (copy as Record<string, unknown>)[key] =
    typeof inner === 'object' && inner !== null && pathChoice % 3 === 0 ? mutate(inner, Math.floor(pathChoice / 3), replacement, null) : replacement;
  return copy;
}

/** One request body: `{id, method, params}`, or something that only pretends to be one. */
function bodies(method: MethodName): fc.Arbitrary<Buffer> {
  const schema = z.toJSONSchema(methods[method].params, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const valid = fromJsonSchema(schema);
  const envelope = (params: unknown, id: unknown = 1): Buffer => encode({ id, method, params });
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((params) => envelope(params)) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(valid, fc.nat(), hostileValue, fc.option(fc.constantFrom('__proto__', 'constructor', 'extra', 'prototype', ''), { freq: 4 }))
        .map(([params, choice, hostile, extra]) => envelope(mutate(params, choice, hostile, extra))),
    },
    { weight: 2, arbitrary: hostileValue.map((params) => envelope(params)) },
    {
      weight: 1,
      // A broken envelope: odd ids, params missing or hostile, method name misspelled or hostile.
      arbitrary: fc.oneof(
        fc.tuple(valid, hostileValue).map(([params, id]) => envelope(params, id)),
        hostileValue.map((m) => encode({ id: 1, method: m, params: {} })),
        fc.constantFrom(
          encode({ id: 1, method }),
          encode({ id: 1, method: `${method} `, params: {} }),
          encode({ id: 1, method: method.toUpperCase(), params: {} }),
          encode({ id: 1, method: '__proto__', params: {} }),
          encode({ id: 1, method: 'constructor', params: {} }),
          encode([method, {}]),
          Buffer.from(''),
          Buffer.from('null'),
          Buffer.from(`{"id":1,"method":"${method}","params":`),
          Buffer.from([0xff, 0xfe, 0xfd]),
          Buffer.concat([Buffer.from(`{"id":1,"method":"${method}","params":{"x":"`), Buffer.alloc(MAX_BODY - 60, 0x61), Buffer.from('"}}')]),
        ),
      ),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Sending and checking.

interface Outcome {
  status: number;
  body: string;
}

async function post(body: Buffer): Promise<Outcome> {
  const response = await fetch(`${server.url}/api/call`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-undertow-token': server.token },
    body,
  });
  return { status: response.status, body: await response.text() };
}

/** The problem with one reply, or null when it is a valid result or a typed, non-internal error. */
function problem(outcome: Outcome, method: MethodName): string | null {
  let reply: unknown;
  try {
    reply = JSON.parse(outcome.body);
  } catch {
    return `status ${outcome.status}: reply is not JSON: ${outcome.body.slice(0, 200)}`;
  }
  if (typeof reply !== 'object' || reply === null) return `reply is not an object: ${outcome.body.slice(0, 200)}`;
  const r = reply as { id?: unknown; ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; where?: unknown } };
  if (typeof r.id !== 'number') return 'reply without a numeric id';
  if (r.ok === true) {
    if (outcome.status !== 200) return `ok reply with status ${outcome.status}`;
    if (!('result' in r)) return 'ok reply without a result';
    if (methods[method].trusted) return `trusted method ${method} answered over HTTP`;
    return null;
  }
  if (r.ok !== false || typeof r.error !== 'object' || r.error === null) return `neither a result nor an error: ${outcome.body.slice(0, 200)}`;
  const { code, message, where } = r.error;
  if (typeof code !== 'string' || !(ERROR_CODES as readonly string[]).includes(code)) return `unknown error code ${String(code)}`;
  if (code === 'internal') return `internal error (a backend bug): ${String(message)}`;
  if (typeof message !== 'string' || message.length === 0) return 'error without a message';
  if (typeof where !== 'object' || where === null || Array.isArray(where)) return 'error without a where object';
  return null;
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function inBatches<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  });
  await Promise.all(workers);
}

async function normalCallAnswers(): Promise<boolean> {
  const outcome = await post(encode({ id: 7, method: 'datasets.list', params: {} }));
  const reply = JSON.parse(outcome.body) as { ok: boolean; id: number };
  return outcome.status === 200 && reply.ok && reply.id === 7;
}

describe('fuzzing every contract method over HTTP', () => {
  it('iterates every method of the contract', () => {
    expect(METHOD_NAMES.length).toBeGreaterThan(0);
    expect(new Set(METHOD_NAMES)).toEqual(new Set(Object.keys(methods)));
  });

  it.each(METHOD_NAMES.map((m, i) => [m, i] as const))(
    '%s answers %#-th batch of hostile payloads with results or typed errors only',
    async (method, index) => {
      const payloads = fc.sample(bodies(method), { numRuns: RUNS, seed: SEED + index });
      expect(payloads.length).toBeGreaterThanOrEqual(1000);
      const problems: string[] = [];
      const counts: Record<string, number> = {};
      tally.set(method, counts);
      await inBatches(payloads, CONCURRENCY, async (body) => {
        const outcome = await post(body);
        const kind = /"ok":true/.test(outcome.body.slice(0, 40)) ? 'ok' : (/"code":"(\w+)"/.exec(outcome.body)?.[1] ?? '?');
        counts[kind] = (counts[kind] ?? 0) + 1;
        const found = problem(outcome, method);
        if (found && problems.length < 10) problems.push(`${found}\n    body: ${body.toString('utf8').slice(0, 300)}`);
      });
      expect(problems, `seed ${SEED + index}`).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(await normalCallAnswers()).toBe(true);
    },
    120_000,
  );

  it('still answers a normal call, and the database is intact, after all of it', async () => {
    expect(await normalCallAnswers()).toBe(true);
    expect(backend.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(fs.existsSync(dbPath)).toBe(true);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
