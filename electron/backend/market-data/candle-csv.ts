/**
 * Parsing and validating candle CSV text: the generic `time,open,high,low,close,volume`
 * layout (header required; time in seconds, milliseconds, microseconds or ISO-8601) and
 * Binance public-data kline files (12 columns, header optional, open time in ms or µs).
 *
 * Every rejection names the file, the 1-based line and the field. Parsing never touches the
 * database: a file is either wholly valid (and then stored in one transaction) or rejected.
 */
import { ApiError } from '../../../shared/errors';
import type { CandleFileFormat } from '../../../shared/domain';

export interface ParsedCandles {
  format: CandleFileFormat;
  /** Columnar rows; times are bar open, UTC seconds, strictly increasing. */
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  rows: number;
  /** Smallest spacing between bars, seconds; 0 when the file has a single row. */
  barSeconds: number;
  /** Missing bars: spacing larger than one bar (a warning, not an error). */
  gaps: number;
  missingBars: number;
  priceDecimals: number;
}

const GENERIC_ALIASES: Record<string, readonly string[]> = {
  time: ['time', 'timestamp', 'date', 'datetime', 'open_time', 'opentime', 'unix'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'vol', 'v', 'base_volume'],
};
const FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
type Field = (typeof FIELDS)[number];

const BINANCE_COLUMNS = 12;

interface Layout {
  format: CandleFileFormat;
  /** Column index of each field. */
  index: Record<Field, number>;
  columns: number;
  /** Index of the first data line in `lines`. */
  firstData: number;
}

/** Parses and validates a whole candle file held in memory. */
export function parseCandleCsv(text: string, fileName: string): ParsedCandles {
  if (text.length === 0) throw new ApiError('invalid_input', 'the file is empty', { file: fileName });
  if (text.includes('\u0000')) {
    throw new ApiError('invalid_input', 'this is a binary file, not CSV text', { file: fileName });
  }
  const lines = text.split('\n');
  const layout = detectLayout(lines, fileName);

  const capacity = lines.length - layout.firstData;
  const cols = {
    time: new Float64Array(capacity),
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    volume: new Float64Array(capacity),
  };
  let rows = 0;
  let priceDecimals = 0;
  let barSeconds = Infinity;
  const { index, columns } = layout;

  for (let i = layout.firstData; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    const lineNo = i + 1;
    const parts = line.split(',');
    if (parts.length !== columns) {
      throw new ApiError(
        'invalid_input',
        `expected ${columns} columns, found ${parts.length}`,
        { file: fileName, line: lineNo },
      );
    }
    const time = parseTime(parts[index.time]!, layout.format, fileName, lineNo);
    const open = parsePrice(parts[index.open]!, 'open', fileName, lineNo);
    const high = parsePrice(parts[index.high]!, 'high', fileName, lineNo);
    const low = parsePrice(parts[index.low]!, 'low', fileName, lineNo);
    const close = parsePrice(parts[index.close]!, 'close', fileName, lineNo);
    const volume = parseNumber(parts[index.volume]!, 'volume', fileName, lineNo);
    if (volume < 0) {
      throw new ApiError('invalid_input', `volume must be zero or more, got ${volume}`, {
        file: fileName, line: lineNo, field: 'volume',
      });
    }
    if (low > high) {
      throw new ApiError('invalid_input', `low ${low} is above high ${high}`, {
        file: fileName, line: lineNo, field: 'low',
      });
    }
    if (high < Math.max(open, close)) {
      throw new ApiError('invalid_input', `high ${high} is below max(open, close) ${Math.max(open, close)}`, {
        file: fileName, line: lineNo, field: 'high',
      });
    }
    if (low > Math.min(open, close)) {
      throw new ApiError('invalid_input', `low ${low} is above min(open, close) ${Math.min(open, close)}`, {
        file: fileName, line: lineNo, field: 'low',
      });
    }
    if (rows > 0) {
      const previous = cols.time[rows - 1]!;
      if (time === previous) {
        throw new ApiError('invalid_input', `duplicate time ${isoTime(time)}: it repeats the previous row`, {
          file: fileName, line: lineNo, field: 'time',
        });
      }
      if (time < previous) {
        throw new ApiError(
          'invalid_input',
          `time ${isoTime(time)} is before the previous row's ${isoTime(previous)}: rows must be sorted by time`,
          { file: fileName, line: lineNo, field: 'time' },
        );
      }
      barSeconds = Math.min(barSeconds, time - previous);
    }
    cols.time[rows] = time;
    cols.open[rows] = open;
    cols.high[rows] = high;
    cols.low[rows] = low;
    cols.close[rows] = close;
    cols.volume[rows] = volume;
    rows++;
    priceDecimals = Math.max(
      priceDecimals,
      decimals(parts[index.open]!),
      decimals(parts[index.high]!),
      decimals(parts[index.low]!),
      decimals(parts[index.close]!),
    );
  }
  if (rows === 0) {
    throw new ApiError('invalid_input', 'the file has no data rows', { file: fileName });
  }
  if (!Number.isFinite(barSeconds)) barSeconds = 0;

  // Every spacing must be a whole number of bars; anything else mixes bar sizes.
  let gaps = 0;
  let missingBars = 0;
  if (barSeconds > 0) {
    for (let r = 1; r < rows; r++) {
      const delta = cols.time[r]! - cols.time[r - 1]!;
      if (delta % barSeconds !== 0) {
        throw new ApiError(
          'invalid_input',
          `bar spacing ${delta}s here is not a multiple of the file's ${barSeconds}s bars (mixed bar sizes)`,
          { file: fileName, line: lineOfRow(lines, layout.firstData, r), field: 'time' },
        );
      }
      if (delta > barSeconds) {
        gaps++;
        missingBars += delta / barSeconds - 1;
      }
    }
  }

  const trim = (a: Float64Array): Float64Array => a.subarray(0, rows);
  return {
    format: layout.format,
    time: trim(cols.time),
    open: trim(cols.open),
    high: trim(cols.high),
    low: trim(cols.low),
    close: trim(cols.close),
    volume: trim(cols.volume),
    rows,
    barSeconds,
    gaps,
    missingBars,
    priceDecimals: Math.min(priceDecimals, 10),
  };
}

function detectLayout(lines: string[], fileName: string): Layout {
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  if (first === lines.length) throw new ApiError('invalid_input', 'the file is empty', { file: fileName });
  const header = lines[first]!.replace(/^\uFEFF/, '').replace(/\r$/, '');
  const cells = header.split(',').map((c) => c.trim().toLowerCase().replace(/^"|"$/g, ''));
  const firstCellNumeric = cells[0] !== undefined && /^-?\d+(\.\d+)?$/.test(cells[0]);

  if (firstCellNumeric) {
    if (cells.length === BINANCE_COLUMNS) return binanceLayout(first);
    throw new ApiError(
      'invalid_input',
      `no header row and ${cells.length} columns: a generic CSV needs the header time,open,high,low,close,volume; a Binance kline file has 12 columns`,
      { file: fileName, line: first + 1 },
    );
  }
  if (cells.length === BINANCE_COLUMNS && cells[0] === 'open_time') return binanceLayout(first + 1);

  const index = {} as Record<Field, number>;
  for (const field of FIELDS) {
    const at = cells.findIndex((c) => GENERIC_ALIASES[field]!.includes(c));
    if (at < 0) {
      throw new ApiError(
        'invalid_input',
        `the header "${header.slice(0, 120)}" matches no known layout: column "${field}" is missing (expected time,open,high,low,close,volume or a Binance kline file)`,
        { file: fileName, line: first + 1, field },
      );
    }
    index[field] = at;
  }
  return { format: 'generic-csv', index, columns: cells.length, firstData: first + 1 };
}

function binanceLayout(firstData: number): Layout {
  return {
    format: 'binance-kline-csv',
    index: { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 },
    columns: BINANCE_COLUMNS,
    firstData,
  };
}

function parseNumber(raw: string, field: string, file: string, line: number): number {
  const s = raw.trim();
  const value = s === '' ? NaN : Number(s);
  if (!Number.isFinite(value)) {
    throw new ApiError(
      'invalid_input',
      s === '' ? `${field} is empty` : `${field} "${s.slice(0, 40)}" is not a number`,
      { file, line, field },
    );
  }
  return value;
}

function parsePrice(raw: string, field: string, file: string, line: number): number {
  const value = parseNumber(raw, field, file, line);
  if (value <= 0) {
    throw new ApiError('invalid_input', `${field} must be above zero, got ${value}`, { file, line, field });
  }
  return value;
}

/** Seconds, from seconds/ms/µs by magnitude, or from ISO-8601 text (generic CSV only). */
function parseTime(raw: string, format: CandleFileFormat, file: string, line: number): number {
  const s = raw.trim().replace(/^"|"$/g, '');
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    seconds = n >= 1e14 ? n / 1e6 : n >= 1e11 ? n / 1e3 : n;
  } else if (format === 'generic-csv' && /^\d{4}-\d{2}-\d{2}/.test(s)) {
    const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) || s.length <= 10 ? s : `${s}Z`;
    seconds = Date.parse(iso.replace(' ', 'T')) / 1000;
  } else {
    seconds = NaN;
  }
  if (!Number.isFinite(seconds)) {
    throw new ApiError('invalid_input', `time "${s.slice(0, 40)}" is not a Unix time or ISO-8601 date`, {
      file, line, field: 'time',
    });
  }
  if (!Number.isInteger(seconds)) {
    throw new ApiError('invalid_input', `time ${s} is not on a whole second`, { file, line, field: 'time' });
  }
  if (seconds < 0 || seconds > 32503680000) {
    throw new ApiError('invalid_input', `time ${s} is out of range`, { file, line, field: 'time' });
  }
  return seconds;
}

function decimals(raw: string): number {
  const dot = raw.indexOf('.');
  if (dot < 0) return 0;
  let end = raw.length;
  while (end > dot + 1 && (raw[end - 1] === '0' || raw[end - 1] === '\r' || raw[end - 1] === ' ')) end--;
  return end - dot - 1;
}

/** 1-based line number of data row `row`, skipping blank lines the parser skipped. */
function lineOfRow(lines: string[], firstData: number, row: number): number {
  let seen = -1;
  for (let i = firstData; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    if (++seen === row) return i + 1;
  }
  return lines.length;
}

export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
