/**
 * Portfolio files: the JSON schema (DESIGN.md §4) and the positions CSV, with rejections
 * naming file, line and field. Storage and transports are covered in the contract suite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePositionsCsv, positionsToCsv } from '../../electron/backend/portfolio/positions-csv';
import { parsePortfolioJson } from '../../electron/backend/services/portfolios';
import { ApiError } from '../../shared/errors';
import { positionMargin } from '../../shared/portfolio';
import { REPO_ROOT } from '../helpers/temp';

const DESK = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/portfolios/desk.json'), 'utf8');

function rejection(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('portfolio JSON', () => {
  it('accepts the design document example', () => {
    const p = parsePortfolioJson(DESK, 'desk.json');
    expect(p.accounts.map((a) => a.positions.length)).toEqual([2, 2]);
    // isolated margin = qty·entry/leverage (DESIGN.md §4): 0.5 · 7894.57 / 10 = 394.7285
    expect(positionMargin(p.accounts[0]!.positions[0]!)).toBeCloseTo(394.7285, 10);
    expect(positionMargin(p.accounts[1]!.positions[0]!)).toBe(1000);
  });

  it('names the line of a syntax error and the field path of a bad value', () => {
    const syntax = rejection(() => parsePortfolioJson('{\n  "name": "x",\n  "accounts": [,]\n}', 'bad.json'));
    expect(syntax.where).toEqual({ file: 'bad.json', line: 3 });
    expect(syntax.message).toBe('not valid JSON at column 16, near ",]\\n}"');
    const qty = rejection(() => parsePortfolioJson(DESK.replace('"qty": 10', '"qty": -10'), 'desk.json'));
    expect(qty.where).toEqual({ file: 'desk.json', field: 'accounts.0.positions.1.qty' });
    expect(qty.message).toBe('accounts.0.positions.1.qty: qty must be above zero');
    const side = rejection(() => parsePortfolioJson(DESK.replace('"side": "short"', '"side": "sideways"'), 'desk.json'));
    expect(side.where.field).toBe('accounts.0.positions.1.side');
    const lev = rejection(() => parsePortfolioJson(DESK.replace('"leverage": 5', '"leverage": 5000'), 'desk.json'));
    expect(lev.message).toMatch(/leverage above 1000/);
  });

  it('refuses duplicate ids and isolated positions with neither margin nor leverage', () => {
    const dup = rejection(() => parsePortfolioJson(DESK.replace('"id": "p2"', '"id": "p1"'), 'desk.json'));
    expect(dup.where.field).toBe('accounts.0.positions.1.id');
    const noMargin = rejection(() => parsePortfolioJson(DESK.replace('"margin": 1000 },', '"openedAt": 1 },'), 'desk.json'));
    expect(noMargin.message).toMatch(/needs margin or leverage/);
    expect(noMargin.where.field).toBe('accounts.1.positions.0.leverage');
  });
});

describe('positions CSV', () => {
  const CSV = 'id,symbol,side,qty,entry,leverage,margin,openedAt\np1,BTCUSDT,long,0.5,7894.57,10,,1583884800\np2,ETHUSDT,SHORT,10,195.2,,400,\n';

  it('reads rows in any column order, with optional columns empty', () => {
    const positions = parsePositionsCsv(CSV, 'book.csv');
    expect(positions).toEqual([
      { id: 'p1', symbol: 'BTCUSDT', side: 'long', qty: 0.5, entry: 7894.57, leverage: 10, openedAt: 1583884800 },
      { id: 'p2', symbol: 'ETHUSDT', side: 'short', qty: 10, entry: 195.2, margin: 400 },
    ]);
    const reordered = parsePositionsCsv('side,id,entry,qty,symbol\nlong,x,100,2,SOLUSDT\n', 'r.csv');
    expect(reordered).toEqual([{ id: 'x', symbol: 'SOLUSDT', side: 'long', qty: 2, entry: 100 }]);
  });

  it('round-trips through export', () => {
    const positions = parsePositionsCsv(CSV, 'book.csv');
    expect(parsePositionsCsv(positionsToCsv(positions), 'again.csv')).toEqual(positions);
  });

  it('names file, line and field of each rejection', () => {
    expect(rejection(() => parsePositionsCsv(CSV.replace('0.5', '0'), 'b.csv')).where).toEqual({ file: 'b.csv', line: 2, field: 'qty' });
    expect(rejection(() => parsePositionsCsv(CSV.replace('195.2', 'abc'), 'b.csv')).where).toEqual({ file: 'b.csv', line: 3, field: 'entry' });
    expect(rejection(() => parsePositionsCsv(CSV.replace('long', 'up'), 'b.csv')).where).toEqual({ file: 'b.csv', line: 2, field: 'side' });
    expect(rejection(() => parsePositionsCsv(CSV.replace('p2', 'p1'), 'b.csv')).message).toBe('position id "p1" already used on line 2');
    expect(rejection(() => parsePositionsCsv('id,symbol,side,qty\n', 'b.csv')).where).toEqual({ file: 'b.csv', line: 1, field: 'entry' });
    expect(rejection(() => parsePositionsCsv('id,symbol,side,qty,entry,colour\n', 'b.csv')).where.field).toBe('colour');
    expect(rejection(() => parsePositionsCsv('id,symbol,side,qty,entry\n', 'b.csv')).message).toBe('the file has no positions');
    expect(rejection(() => parsePositionsCsv('id,symbol,side,qty,entry\np,BTC,long,1\n', 'b.csv')).message).toBe('expected 5 columns, found 4');
  });
});
