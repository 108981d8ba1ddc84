/**
 * Importing one candle file: parse and validate it whole, work out symbol and bar size
 * (flags, then file name, then the data), and store it in one transaction. Identical
 * content (by SHA-256) is stored once.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../../../shared/errors';
import { timeframeName, type ImportResult, type Market } from '../../../shared/domain';
import type { DatasetStore } from '../store/datasets';
import { parseCandleCsv } from './candle-csv';
import { hintsFromFileName, parseTimeframe } from './file-name';

export interface ImportOptions {
  symbol?: string;
  timeframe?: string;
  venue?: string;
}

export function importCandleText(
  store: DatasetStore,
  fileName: string,
  text: string,
  options: ImportOptions,
  now: number,
): ImportResult {
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  const existing = store.findBySha256(sha256);
  if (existing) return { dataset: existing, added: 0, alreadyImported: true, warnings: [] };

  const parsed = parseCandleCsv(text, fileName);
  const hints = hintsFromFileName(fileName);
  const warnings: string[] = [];

  const symbol = (options.symbol ?? hints.symbol)?.toUpperCase();
  if (!symbol) {
    throw new ApiError('invalid_input', 'the symbol cannot be read from the file name; give it (--symbol, or the Symbol field)', {
      file: fileName, field: 'symbol',
    });
  }

  let barSeconds = parsed.barSeconds;
  const claimed = options.timeframe !== undefined ? parseTimeframe(options.timeframe) : hints.barSeconds;
  if (options.timeframe !== undefined && claimed === undefined) {
    throw new ApiError('invalid_input', `bar size "${options.timeframe}" is not like 1m, 1h or 1d`, { field: 'timeframe' });
  }
  if (barSeconds === 0) {
    if (claimed === undefined) {
      throw new ApiError('invalid_input', 'a single-row file does not show its bar size; give it (--timeframe)', {
        file: fileName, field: 'timeframe',
      });
    }
    barSeconds = claimed;
  } else if (claimed !== undefined && claimed !== barSeconds) {
    const source = options.timeframe !== undefined ? 'given' : 'in the file name';
    throw new ApiError(
      'invalid_input',
      `the bar size ${source} is ${timeframeName(claimed)} but the rows are ${timeframeName(barSeconds)} apart`,
      { file: fileName, field: 'timeframe' },
    );
  }
  if (parsed.gaps > 0) {
    warnings.push(`${fileName}: ${parsed.gaps} gaps, ${parsed.missingBars} missing ${timeframeName(barSeconds)} bars`);
  }

  const venue = options.venue ?? hints.venue ?? (parsed.format === 'binance-kline-csv' ? 'binance' : null);
  const market: Market = hints.market ?? 'unknown';
  const dataset = store.insert(
    {
      symbol,
      venue,
      market,
      barSeconds,
      priceDecimals: parsed.priceDecimals,
      source: { fileName: baseName(fileName), sha256, format: parsed.format },
      candles: parsed,
    },
    now,
  );
  return { dataset, added: parsed.rows, alreadyImported: false, warnings };
}

function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? fileName;
}
