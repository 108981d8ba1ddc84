/**
 * Venue rule tables: the shipped JSON validates, the validator names the bad field, the table in
 * force is chosen by date, and the tier values match their published sources.
 * Not covered here: the margin formulas that use the tiers (see linear-margin.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  cumulativeMaintenanceAmounts,
  isoDateToSeconds,
  parseVenueRules,
  selectRules,
} from '../../../electron/backend/engine/venue-rules';
import { bracketForNotional } from '../../../electron/backend/engine/brackets';
import { bracketsOf, loadAllTables, loadTable } from './rules-fixtures';

const minimal = () => ({
  venue: 'test',
  effective: '2021-01-01',
  source: 'unit test',
  symbols: {
    BTCUSDT: {
      tickSize: 0.1,
      liquidationFeeRate: 0.004,
      brackets: [
        { floor: 0, cap: 50000, mmr: 0.004, maxLeverage: 125, cum: 0 },
        { floor: 50000, cap: 250000, mmr: 0.005, maxLeverage: 100, cum: 50 },
      ],
    },
  },
});

describe('shipped rule tables', () => {
  it('all validate, each with a venue, an effective date and a source', () => {
    const tables = loadAllTables();
    expect(tables.length).toBeGreaterThanOrEqual(6);
    for (const t of tables) {
      expect(t.source.length).toBeGreaterThan(20);
      expect(Number.isFinite(t.effectiveSeconds)).toBe(true);
    }
  });

  it('Binance 2021 BTCUSDT level-3 maintenance amount is 1,300', () => {
    // Binance FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts":
    // "the Maintenance Amount on Level 3 = 250,000 * (1% - 0.5%) + 50 USDT = 1,300 USDT".
    const b = bracketsOf('binance-usdm_2021-03-26.json', 'BTCUSDT');
    expect(cumulativeMaintenanceAmounts(b)[2]).toBeCloseTo(1300, 9);
    expect(b[2]!.cum).toBe(1300);
  });

  it('Binance FAQ lookups: 264,000 USDT → MMR 1%; 500,000 USDT → maintenance amount 1,300', () => {
    // Same FAQ: "if the position size ... is 264,000 USDT, then the maintenance margin rate would be
    // 1%" and "if the position size ... is 500,000 USDT, then the maintenance amount would be 1,300".
    for (const file of ['binance-usdm_2020-01-01.json', 'binance-usdm_2021-03-26.json']) {
      const b = bracketsOf(file, 'BTCUSDT');
      expect(bracketForNotional(b, 264_000).mmr).toBe(0.01);
      expect(bracketForNotional(b, 500_000).cum).toBe(1300);
    }
  });

  it('Binance 2024-10 BTCUSDT tiers carry the published cums (50, 950, 11,450, …)', () => {
    // Published leverageBracket snapshot (see the file's source): cum 0, 50, 950, 11450, 131450,
    // 481450, 2981450; the recurrence recomputes each: e.g. 950 = 50 + 600,000·(0.65% − 0.5%).
    const b = bracketsOf('binance-usdm_2024-10-01.json', 'BTCUSDT');
    expect(b.map((x) => x.cum)).toEqual([0, 50, 950, 11450, 131450, 481450, 2981450]);
  });

  it('Hyperliquid BTC: mmr = half the initial margin at max leverage, deduction from the recurrence', () => {
    // Docs "Margin tiers": mmr(n) = (1/maxLeverage)/2 → 40x: 1.25%, 20x: 2.5%;
    // deduction(1) = 0 + 150,000,000·(2.5% − 1.25%) = 1,875,000.
    const b = bracketsOf('hyperliquid_2025-01-01.json', 'BTC');
    expect(b[0]!.mmr).toBe(0.0125);
    expect(b[1]!.mmr).toBe(0.025);
    expect(b[1]!.cum).toBeCloseTo(1_875_000, 6);
  });

  it('the Aave-v3-like table has the close-factor rules', () => {
    const t = loadTable('aave-v3_2023-01-27.json');
    expect(t.model).toBe('lending');
    expect(t.lending?.closeFactor).toBe(0.5);
    expect(t.lending?.fullCloseFactorBelowHealthFactor).toBe(0.95);
  });
});

describe('parseVenueRules names the bad field', () => {
  it('accepts a minimal table and fills a missing cum from the recurrence', () => {
    const j = minimal();
    delete (j.symbols.BTCUSDT.brackets[1] as { cum?: number }).cum;
    const r = parseVenueRules(j);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.symbols.BTCUSDT!.brackets[1]!.cum).toBeCloseTo(50, 12); // 50,000·(0.5% − 0.4%)
  });

  it('rejects a cum that disagrees with the recurrence', () => {
    const j = minimal();
    j.symbols.BTCUSDT.brackets[1]!.cum = 60;
    const r = parseVenueRules(j);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toBe('symbols.BTCUSDT.brackets[1].cum');
  });

  it('rejects a gap between tiers', () => {
    const j = minimal();
    j.symbols.BTCUSDT.brackets[1]!.floor = 60000;
    const r = parseVenueRules(j);
    expect(!r.ok && r.error.field).toBe('symbols.BTCUSDT.brackets[1].floor');
  });

  it('rejects a missing source and a bad date', () => {
    const j: Record<string, unknown> = minimal();
    delete j['source'];
    const r1 = parseVenueRules(j);
    expect(!r1.ok && r1.error.field).toBe('source');
    const r2 = parseVenueRules({ ...minimal(), effective: '2021-13-01' });
    expect(!r2.ok && r2.error.field).toBe('effective');
  });

  it('rejects a non-numeric MMR', () => {
    const j = minimal() as unknown as { symbols: { BTCUSDT: { brackets: Record<string, unknown>[] } } };
    j.symbols.BTCUSDT.brackets[0]!['mmr'] = '0.4%';
    const r = parseVenueRules(j);
    expect(!r.ok && r.error.field).toBe('symbols.BTCUSDT.brackets[0].mmr');
  });

  it('rejects the inconsistent public ETHUSDT 2024 snapshot (cum copied from BTC)', () => {
    // The snapshot listed ETHUSDT tier 2 as 50,000–600,000 at 0.65% with cum 50, but the recurrence
    // gives 50,000·(0.65% − 0.5%) = 75.
    const r = parseVenueRules({
      ...minimal(),
      symbols: {
        ETHUSDT: {
          tickSize: 0.01,
          liquidationFeeRate: 0.005,
          brackets: [
            { floor: 0, cap: 50000, mmr: 0.005, maxLeverage: 100, cum: 0 },
            { floor: 50000, cap: 600000, mmr: 0.0065, maxLeverage: 75, cum: 50 },
          ],
        },
      },
    });
    expect(!r.ok && r.error.field).toBe('symbols.ETHUSDT.brackets[1].cum');
  });
});

describe('selectRules', () => {
  const tables = loadAllTables();
  it('a 2020-03-12 replay gets the 2020 Binance table, not a later one', () => {
    const r = selectRules(tables, 'binance-usdm', isoDateToSeconds('2020-03-12'));
    expect(r.ok && r.value.effective).toBe('2020-01-01');
  });
  it('a 2021-05-19 replay gets the 2021-03-26 table', () => {
    const r = selectRules(tables, 'binance-usdm', isoDateToSeconds('2021-05-19'));
    expect(r.ok && r.value.effective).toBe('2021-03-26');
  });
  it('a 2025-10-10 replay gets the 2024-10 table', () => {
    const r = selectRules(tables, 'binance-usdm', isoDateToSeconds('2025-10-10'));
    expect(r.ok && r.value.effective).toBe('2024-10-01');
  });
  it('a date before every table is an error naming the earliest date', () => {
    const r = selectRules(tables, 'binance-usdm', isoDateToSeconds('2019-06-01'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('2020-01-01');
  });
  it('an unknown venue is an error', () => {
    expect(selectRules(tables, 'nope', 0).ok).toBe(false);
  });
});

describe('isoDateToSeconds', () => {
  it('matches known epoch values', () => {
    // 2020-03-12T00:00:00Z = 1583971200 (18333 days × 86400).
    expect(isoDateToSeconds('2020-03-12')).toBe(1583971200);
    expect(isoDateToSeconds('1970-01-01')).toBe(0);
    // 2024-02-29 exists: 19782 days × 86400 = 1709164800.
    expect(isoDateToSeconds('2024-02-29')).toBe(1709164800);
  });
});
