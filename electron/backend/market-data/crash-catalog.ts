/** The built-in catalog of known crash events, bundled from `resources/crashes/catalog.json`. */
import catalog from '../../../resources/crashes/catalog.json';
import type { CrashEvent } from '../../../shared/market-data';

export const CRASH_EVENTS: readonly CrashEvent[] = (catalog as { events: CrashEvent[] }).events;
