/**
 * The venue rule tables shipped in resources/venues/, bundled into the backend (no file
 * lookups at run time, so the packaged app and browser mode see the same tables). A test
 * checks that every file in that folder is listed here. Users add their own with --rules.
 */
import aave20230127 from '../../../resources/venues/aave-v3_2023-01-27.json' with { type: 'json' };
import binance20200101 from '../../../resources/venues/binance-usdm_2020-01-01.json' with { type: 'json' };
import binance20210326 from '../../../resources/venues/binance-usdm_2021-03-26.json' with { type: 'json' };
import binance20241001 from '../../../resources/venues/binance-usdm_2024-10-01.json' with { type: 'json' };
import bitmex20200101 from '../../../resources/venues/bitmex-inverse_2020-01-01.json' with { type: 'json' };
import hyperliquid20250101 from '../../../resources/venues/hyperliquid_2025-01-01.json' with { type: 'json' };
import { parseVenueRules, type VenueRules } from '../engine';
import { ApiError } from '../../../shared/errors';

/** File name → parsed JSON, as shipped. */
export const SHIPPED_TABLES: Readonly<Record<string, unknown>> = {
  'aave-v3_2023-01-27.json': aave20230127,
  'binance-usdm_2020-01-01.json': binance20200101,
  'binance-usdm_2021-03-26.json': binance20210326,
  'binance-usdm_2024-10-01.json': binance20241001,
  'bitmex-inverse_2020-01-01.json': bitmex20200101,
  'hyperliquid_2025-01-01.json': hyperliquid20250101,
};

let parsed: VenueRules[] | undefined;

/** All shipped tables, validated once. A shipped table that fails validation is a bug. */
export function shippedRules(): VenueRules[] {
  if (!parsed) {
    parsed = Object.entries(SHIPPED_TABLES).map(([file, json]) => {
      const result = parseVenueRules(json);
      if (!result.ok) throw new Error(`shipped venue table ${file} is invalid: ${result.error.message} (${result.error.field ?? ''})`);
      return result.value;
    });
  }
  return parsed;
}

/** Parses a user's own rule table (`--rules FILE`), naming the field that is wrong. */
export function userRules(json: unknown, fileName: string): VenueRules {
  const result = parseVenueRules(json);
  if (!result.ok) {
    throw new ApiError('invalid_input', result.error.message, { file: fileName, ...(result.error.field ? { field: result.error.field } : {}) });
  }
  return result.value;
}

/** The tables in force: `tables`, with a user's own tables replacing those of the same venue. */
export function withUserRules(tables: VenueRules[], own: readonly Record<string, unknown>[] | undefined): VenueRules[] {
  if (!own) return tables;
  const parsed = own.map((json, i) => userRules(json, `rules[${i}]`));
  const venues = new Set(parsed.map((r) => r.venue));
  return [...parsed, ...tables.filter((r) => !venues.has(r.venue))];
}
