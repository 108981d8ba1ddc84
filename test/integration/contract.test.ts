/**
 * The contract suite, run unchanged against the in-process transport (CLI, tests) and the
 * HTTP transport (browser mode): same results, same typed errors. The Electron IPC relay is
 * covered by the shell's unit tests; it forwards the same messages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Api } from '../../shared/contract';
import { ApiError } from '../../shared/errors';
import { Backend } from '../../electron/backend/services/backend';
import { createInProcessApi } from '../../electron/backend/services/in-process';
import { startHttpServer } from '../../electron/backend/server/http-server';
import { createHttpApi } from '../helpers/http-api';
import { SCHEMA_VERSION } from '../../electron/backend/store/migrations';
import { REPO_ROOT, SHARED_DATA, tempDir } from '../helpers/temp';

const dir = tempDir();
const BTC_FILE = 'btcusdt_1m_2020-03-11_2020-03-14.csv';
const btcText = fs.readFileSync(path.join(SHARED_DATA, 'events', BTC_FILE), 'utf8');

async function errorOf(promise: Promise<unknown>): Promise<ApiError> {
  const result = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(result).toBeInstanceOf(ApiError);
  return result as ApiError;
}

interface Transport {
  name: string;
  api: Api;
  close(): Promise<void>;
}

async function inProcess(): Promise<Transport> {
  const backend = new Backend({ dbPath: path.join(dir, 'inproc.db'), now: () => 1 });
  return { name: 'in-process', api: createInProcessApi(backend, { trusted: false }), close: async () => backend.close() };
}

async function overHttp(): Promise<Transport> {
  const backend = new Backend({ dbPath: path.join(dir, 'http.db'), now: () => 1 });
  const server = await startHttpServer({ backend });
  return {
    name: 'http',
    api: createHttpApi(server.url, server.token),
    close: async () => {
      await server.close();
      backend.close();
    },
  };
}

for (const make of [inProcess, overHttp]) {
  describe(`contract over ${make === inProcess ? 'in-process' : 'HTTP'}`, async () => {
    const transport = await make();
    const { api } = transport;
    afterAll(() => transport.close());

    it('app.info names the app and the schema', async () => {
      const info = await api.call('app.info', {});
      expect(info.name).toBe('Undertow');
      expect(info.schemaVersion).toBe(SCHEMA_VERSION);
    });

    it('starts with no datasets', async () => {
      expect(await api.call('datasets.list', {})).toEqual([]);
    });

    it('imports the real 2020-03 BTC window and lists it with its row count and range', async () => {
      const result = await api.call('datasets.importText', { fileName: BTC_FILE, text: btcText });
      expect(result.added).toBe(5760);
      expect(result.alreadyImported).toBe(false);
      expect(result.dataset).toMatchObject({
        id: 1, symbol: 'BTCUSDT', barSeconds: 60, rows: 5760,
        firstTime: 1583884800, // 2020-03-11T00:00:00Z
        lastTime: 1584230340, // 2020-03-14T23:59:00Z
      });
      const list = await api.call('datasets.list', {});
      expect(list.map((d) => d.rows)).toEqual([5760]);
      expect(list[0]!.sources[0]!.fileName).toBe(BTC_FILE);
    });

    it('returns candles by range, in columns', async () => {
      const all = await api.call('datasets.candles', { id: 1 });
      expect(all.time.length).toBe(5760);
      const hour = await api.call('datasets.candles', { id: 1, from: 1584007200, to: 1584010740 });
      expect(hour.time.length).toBe(60);
      expect(hour.time[0]).toBe(1584007200);
    });

    it('says so when the same content is imported again', async () => {
      const again = await api.call('datasets.importText', { fileName: 'copy.csv', text: btcText });
      expect(again).toMatchObject({ alreadyImported: true, added: 0 });
    });

    it('names the field of a malformed payload', async () => {
      const e1 = await errorOf(api.call('datasets.get', { id: 'one' as unknown as number }));
      expect(e1.code).toBe('bad_request');
      expect(e1.where.field).toBe('id');
      const e2 = await errorOf(api.call('datasets.candles', { id: 1, extra: true } as never));
      expect(e2.code).toBe('bad_request');
      const e3 = await errorOf(api.call('datasets.importText', { fileName: 'x.csv', text: 'a', symbol: 'BTC USDT' }));
      expect(e3.where.field).toBe('symbol');
    });

    it('answers not_found and unknown_method with typed errors', async () => {
      expect((await errorOf(api.call('datasets.get', { id: 99 }))).code).toBe('not_found');
      expect((await errorOf(api.call('nope.nothing' as never, {} as never))).code).toBe('unknown_method');
    });

    it('refuses file-system methods to untrusted callers', async () => {
      const e = await errorOf(api.call('datasets.importFile', { path: '/etc/passwd' }));
      expect(e.code).toBe('forbidden');
    });

    it('imports, lists, edits, exports and deletes a portfolio', async () => {
      const text = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/portfolios/desk.json'), 'utf8');
      const stored = await api.call('portfolios.importJson', { fileName: 'desk.json', text });
      expect(stored.name).toBe('desk');
      expect(await api.call('portfolios.list', {})).toEqual([{ id: stored.id, name: 'desk', accounts: 2, positions: 4, updatedAt: 1 }]);
      const again = await errorOf(api.call('portfolios.importJson', { fileName: 'desk.json', text }));
      expect(again.code).toBe('conflict');
      expect(again.where.field).toBe('name');

      const edited = structuredClone(stored) as typeof stored;
      edited.accounts[0]!.positions[0]!.qty = 2;
      const { id: pid, updatedAt: _u, ...spec } = edited;
      const saved = await api.call('portfolios.save', { id: pid, portfolio: spec });
      expect(saved.accounts[0]!.positions[0]!.qty).toBe(2);
      expect((await api.call('portfolios.get', { id: pid })).accounts[1]!.positions.map((p) => p.id)).toEqual(['iso-long', 'iso-short']);

      const exported = await api.call('portfolios.export', { id: pid, format: 'json' });
      expect(JSON.parse(exported.text)).toEqual(spec);
      expect((await errorOf(api.call('portfolios.export', { id: pid, format: 'csv' }))).where.field).toBe('format');

      const bad = await errorOf(api.call('portfolios.save', { portfolio: { ...spec, name: 'x', accounts: [] } }));
      expect(bad.code).toBe('bad_request');
      expect(bad.where.field).toBe('portfolio.accounts');

      const csv = await api.call('portfolios.importPositionsCsv', {
        fileName: 'book.csv',
        text: 'id,symbol,side,qty,entry,leverage\nb1,BTCUSDT,long,1,10000,10\n',
        name: 'book',
        account: { id: 'main', venue: 'binance-usdm', mode: 'isolated', wallet: 0 },
      });
      expect(csv.accounts[0]!.positions).toEqual([{ id: 'b1', symbol: 'BTCUSDT', side: 'long', qty: 1, entry: 10000, leverage: 10 }]);
      expect((await api.call('portfolios.export', { id: csv.id, format: 'csv' })).text).toBe(
        'id,symbol,side,qty,entry,leverage,margin,openedAt\nb1,BTCUSDT,long,1,10000,10,,\n',
      );
      // Exported names are plain file names the desktop Save dialog accepts (no folders, no leading dot).
      const dotted = await api.call('portfolios.importPositionsCsv', { fileName: 'b.csv', text: 'id,symbol,side,qty,entry,leverage\nb1,BTCUSDT,long,1,10000,10\n', name: '../.hidden desk', account: { id: 'main', venue: 'binance-usdm', mode: 'isolated', wallet: 0 } });
      expect((await api.call('portfolios.export', { id: dotted.id, format: 'json' })).fileName).toBe('_.hidden_desk.json');
      const dots = await api.call('portfolios.importPositionsCsv', { fileName: 'b.csv', text: 'id,symbol,side,qty,entry,leverage\nb1,BTCUSDT,long,1,10000,10\n', name: '...', account: { id: 'main', venue: 'binance-usdm', mode: 'isolated', wallet: 0 } });
      expect((await api.call('portfolios.export', { id: dots.id, format: 'csv' })).fileName).toBe('portfolio.csv');
      for (const p of [dotted, dots]) await api.call('portfolios.delete', { id: p.id });
      expect(await api.call('portfolios.delete', { id: csv.id })).toEqual({ deleted: true });
      expect((await api.call('portfolios.list', {})).map((p) => p.name)).toEqual(['desk']);
    });

    it('deletes a dataset with its candles', async () => {
      expect(await api.call('datasets.delete', { id: 1 })).toEqual({ deleted: true });
      expect(await api.call('datasets.list', {})).toEqual([]);
      expect(await api.call('datasets.delete', { id: 1 })).toEqual({ deleted: false });
    });
  });
}
