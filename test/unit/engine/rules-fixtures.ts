/**
 * Test helper: reads the shipped venue rule tables from `resources/venues/` (the engine itself never
 * touches the file system; callers parse JSON and pass it in).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
import { parseVenueRules, type VenueRules } from '../../../electron/backend/engine/venue-rules';

export const VENUES_DIR = path.resolve(HERE, '../../../resources/venues');

/** Parse one shipped table by file name; throws with the validator's message if it is invalid. */
export function loadTable(file: string): VenueRules {
  const parsed = parseVenueRules(JSON.parse(readFileSync(path.join(VENUES_DIR, file), 'utf8')));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.error.message}`);
  return parsed.value;
}

/** Every shipped table. */
export function loadAllTables(): VenueRules[] {
  return readdirSync(VENUES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map(loadTable);
}

/** Brackets of one symbol of one table. */
export function bracketsOf(file: string, symbol: string) {
  const s = loadTable(file).symbols[symbol];
  if (!s) throw new Error(`${file} has no ${symbol}`);
  return s.brackets;
}
