/**
 * Candle CSV parsing and validation: the two layouts, time units, and every rejection
 * naming file, line and field. Pure parsing only; storage is covered in integration tests.
 */
import { describe, expect, it } from 'vitest';
import { parseCandleCsv } from '../../../electron/backend/market-data/candle-csv';
import { hintsFromFileName, parseTimeframe } from '../../../electron/backend/market-data/file-name';
import { ApiError } from '../../../shared/errors';

const HEADER = 'time,open,high,low,close,volume';

function rejection(text: string, file = 'f.csv'): ApiError {
  try {
    parseCandleCsv(text, file);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected the file to be rejected');
}

describe('parseCandleCsv accepts', () => {
  it('generic CSV with seconds and finds the bar size from the spacing', () => {
    const p = parseCandleCsv(`${HEADER}\n60,10,11,9,10.5,1\n120,10.5,12,10,11,2\n180,11,11.5,10.25,11.25,0\n`, 'x.csv');
    expect(p.format).toBe('generic-csv');
    expect(p.rows).toBe(3);
    expect(Array.from(p.time)).toEqual([60, 120, 180]);
    expect(p.barSeconds).toBe(60);
    expect(p.priceDecimals).toBe(2);
    expect(p.gaps).toBe(0);
  });

  it('generic CSV with millisecond and ISO-8601 times, CRLF line ends and reordered columns', () => {
    const ms = parseCandleCsv(`${HEADER}\r\n1583884800000,1,2,0.5,1.5,3\r\n1583884860000,1.5,2,1,1.8,4\r\n`, 'x.csv');
    expect(Array.from(ms.time)).toEqual([1583884800, 1583884860]);
    const iso = parseCandleCsv('date,close,open,low,high,volume\n2020-03-12T10:00:00Z,5,4,3,6,1\n2020-03-12 10:01,5,5,5,5,0\n', 'y.csv');
    expect(Array.from(iso.time)).toEqual([1584007200, 1584007260]);
    expect(Array.from(iso.close)).toEqual([5, 5]);
    expect(Array.from(iso.high)).toEqual([6, 5]);
  });

  it('Binance kline files without header (ms) and with header (µs, as Binance spot files from 2025)', () => {
    // Two real rows of data.binance.vision BTCUSDT-1m-2020-03-12 (12 columns, ms open time).
    const noHeader =
      '1583971200000,7932.96,7936.99,7917.36,7922.4,97.834727,1583971259999,775424.3,1036,43.2,342388.6,0\n' +
      '1583971260000,7922.41,7925.93,7905.3,7909.27,105.227,1583971319999,832955.9,1101,40.0,316541.4,0\n';
    const a = parseCandleCsv(noHeader, 'BTCUSDT-1m-2020-03-12.csv');
    expect(a.format).toBe('binance-kline-csv');
    expect(Array.from(a.time)).toEqual([1583971200, 1583971260]);
    expect(a.volume[0]).toBeCloseTo(97.834727, 9);

    const header = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n';
    const us =
      '1760054400000000,121000.1,121010,120990,121005,1.5,1760054459999999,181500,10,0.7,84700,0\n' +
      '1760054460000000,121005,121020,121000,121010,2.5,1760054519999999,302500,12,1.2,145200,0\n';
    const b = parseCandleCsv(header + us, 'BTCUSDT-1m-2025-10-10.csv');
    expect(Array.from(b.time)).toEqual([1760054400, 1760054460]);
  });

  it('counts gaps as a warning, not an error', () => {
    const p = parseCandleCsv(`${HEADER}\n0,1,1,1,1,1\n60,1,1,1,1,1\n300,1,1,1,1,1\n`, 'g.csv');
    expect(p.gaps).toBe(1);
    expect(p.missingBars).toBe(3); // 300 − 60 = 240 s = 4 bars apart, so 3 bars are missing
  });
});

describe('parseCandleCsv rejects, naming file, line and field', () => {
  it('an empty file', () => {
    const e = rejection('', 'empty.csv');
    expect(e.where).toEqual({ file: 'empty.csv' });
    expect(e.message).toMatch(/empty/);
    expect(rejection(`${HEADER}\n\n`).message).toMatch(/no data rows/);
  });

  it('text in a price column', () => {
    const e = rejection(`${HEADER}\n60,1,1,1,1,1\n120,1,abc,1,1,1\n`, 'bad.csv');
    expect(e.where).toEqual({ file: 'bad.csv', line: 3, field: 'high' });
    expect(e.message).toContain('"abc" is not a number');
  });

  it('an empty field and a zero or negative price', () => {
    expect(rejection(`${HEADER}\n60,1,1,,1,1\n`).where).toEqual({ file: 'f.csv', line: 2, field: 'low' });
    expect(rejection(`${HEADER}\n60,0,1,0,1,1\n`).where.field).toBe('open');
    expect(rejection(`${HEADER}\n60,1,1,1,1,-2\n`).where.field).toBe('volume');
  });

  it('unsorted and duplicate times', () => {
    const unsorted = rejection(`${HEADER}\n120,1,1,1,1,1\n60,1,1,1,1,1\n`);
    expect(unsorted.where).toEqual({ file: 'f.csv', line: 3, field: 'time' });
    expect(unsorted.message).toMatch(/sorted/);
    const dup = rejection(`${HEADER}\n60,1,1,1,1,1\n60,1,1,1,1,1\n`);
    expect(dup.message).toMatch(/duplicate/);
    expect(dup.where.line).toBe(3);
  });

  it('low above high, high below the body, low above the body', () => {
    expect(rejection(`${HEADER}\n60,5,4,6,5,1\n`).where).toEqual({ file: 'f.csv', line: 2, field: 'low' });
    const high = rejection(`${HEADER}\n60,5,5.5,4,6,1\n`);
    expect(high.where.field).toBe('high');
    expect(high.message).toContain('below max(open, close) 6');
    expect(rejection(`${HEADER}\n60,5,6,5.5,5.8,1\n`).message).toContain('above min(open, close) 5');
  });

  it('a wrong column count, a header of no known layout, a header-less 6-column file', () => {
    expect(rejection(`${HEADER}\n60,1,1,1,1\n`).message).toBe('expected 6 columns, found 5');
    const header = rejection('when,price,qty\n1,2,3\n');
    expect(header.where).toEqual({ file: 'f.csv', line: 1, field: 'time' });
    expect(header.message).toMatch(/matches no known layout/);
    expect(rejection('60,1,1,1,1,1\n').message).toMatch(/needs the header/);
  });

  it('mixed bar sizes and binary content', () => {
    const mixed = rejection(`${HEADER}\n0,1,1,1,1,1\n60,1,1,1,1,1\n150,1,1,1,1,1\n`);
    expect(mixed.message).toMatch(/mixed bar sizes/);
    expect(mixed.where.line).toBe(4);
    expect(rejection('PK\u0003\u0004\u0000\u0000binary').message).toMatch(/binary/);
  });
});

describe('file names', () => {
  it('reads symbol, bar size, venue and market hints', () => {
    expect(hintsFromFileName('BTCUSDT-1m-2020-03-12.csv')).toEqual({ symbol: 'BTCUSDT', barSeconds: 60 });
    expect(hintsFromFileName('/data/btcusdt_perp_1m_2022-05-07_2022-05-14.csv')).toEqual({
      symbol: 'BTCUSDT', barSeconds: 60, market: 'perp',
    });
    expect(hintsFromFileName('ethusdt_kucoin_1m_2024-08-05_2024-08-05.csv')).toEqual({
      symbol: 'ETHUSDT', barSeconds: 60, venue: 'kucoin',
    });
    expect(hintsFromFileName('ETH-USDT_1h.csv')).toEqual({ symbol: 'ETHUSDT', barSeconds: 3600 });
    expect(hintsFromFileName('2020-03-12.csv')).toEqual({});
    expect(hintsFromFileName('candles.csv')).toEqual({});
    expect(hintsFromFileName('spx_1d_1987.csv')).toEqual({ symbol: 'SPX', barSeconds: 86400 });
  });

  it('parses bar sizes', () => {
    expect(parseTimeframe('1m')).toBe(60);
    expect(parseTimeframe('4h')).toBe(14400);
    expect(parseTimeframe('90s')).toBe(90);
    expect(parseTimeframe('1d')).toBe(86400);
    expect(parseTimeframe('0m')).toBeUndefined();
    expect(parseTimeframe('m1')).toBeUndefined();
  });
});
