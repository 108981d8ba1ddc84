/**
 * Parsing and validating candle CSV: the generic `time,open,high,low,close,volume` layout
 * (header required; time in seconds, milliseconds, microseconds or ISO-8601), the layout of
 * TradingView's "export chart data" (`time,open,high,low,close[,Volume][,indicator…]`), and
 * Binance public-data kline files (12 columns, header optional, open time in ms or µs).
 *
 * `CandleCsvValidator` takes one line at a time, so a file of any size streams through it;
 * `parseCandleCsv` is the in-memory convenience over it. Every rejection names the file, the
 * 1-based line and the field. Validation never touches the database.
 */
import { ApiError } from '../../../shared/errors';
import type { CandleFileFormat } from '../../../shared/domain';

/** What a whole valid file turned out to be, known once its last line has been seen. */
export interface CandleFileSummary {
  format: CandleFileFormat;
  rows: number;
  firstTime: number;
  lastTime: number;
  /** Smallest spacing between bars, seconds; 0 when the file has a single row. */
  barSeconds: number;
  /** Runs of missing bars (spacing larger than one bar): a warning, not an error. */
  gaps: number;
  missingBars: number;
  priceDecimals: number;
}

export interface ParsedCandles extends CandleFileSummary {
  /** Columnar rows; times are bar open, UTC seconds, strictly increasing. */
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Receives each valid row, in file order. */
export type RowSink = (time: number, open: number, high: number, low: number, close: number, volume: number) => void;

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
const MAX_TIME = 32503680000;

interface Layout {
  format: CandleFileFormat;
  /** Column index of each field; volume −1 when the layout has none (TradingView without volume). */
  index: Record<Field, number>;
  columns: number;
  /** Whether the first non-blank line is data (a header-less Binance file). */
  firstLineIsData: boolean;
}

/**
 * Validates a candle file line by line. Call `line()` for every line (1-based numbers, line
 * ends removed or not), then `end()`; valid rows go to the sink as they are read.
 */
export class CandleCsvValidator {
  private layout: Layout | undefined;
  private rows = 0;
  private firstTime = 0;
  private previousTime = 0;
  private minSpacing = Infinity;
  private spacingGcd = 0;
  /** How often each spacing occurs: a handful of distinct values in real files. */
  private readonly spacings = new Map<number, number>();
  private priceDecimals = 0;
  private sawAnyLine = false;

  constructor(
    readonly fileName: string,
    private readonly sink: RowSink,
  ) {}

  /** Feeds one line. Throws `ApiError` naming file, line and field on the first problem. */
  line(raw: string, lineNo: number): void {
    let line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (!this.sawAnyLine) {
      if (line.trim() === '') return;
      this.sawAnyLine = true;
      if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      this.layout = detectLayout(line, this.fileName, lineNo);
      if (!this.layout.firstLineIsData) return;
    }
    if (line.length === 0 || (line.length < 3 && line.trim() === '')) return;
    this.row(line, lineNo);
  }

  private row(line: string, lineNo: number): void {
    const file = this.fileName;
    const { index, columns, format } = this.layout!;
    const parts = line.split(',');
    if (parts.length !== columns) {
      if (line.trim() === '') return;
      throw new ApiError('invalid_input', `expected ${columns} columns, found ${parts.length}`, { file, line: lineNo });
    }
    const time = parseTime(parts[index.time]!, format, file, lineNo);
    const rawOpen = parts[index.open]!;
    const rawHigh = parts[index.high]!;
    const rawLow = parts[index.low]!;
    const rawClose = parts[index.close]!;
    const open = parsePrice(rawOpen, 'open', file, lineNo);
    const high = parsePrice(rawHigh, 'high', file, lineNo);
    const low = parsePrice(rawLow, 'low', file, lineNo);
    const close = parsePrice(rawClose, 'close', file, lineNo);
    const volume = index.volume < 0 ? 0 : parseNumber(parts[index.volume]!, 'volume', file, lineNo);
    if (volume < 0) {
      throw new ApiError('invalid_input', `volume must be zero or more, got ${volume}`, { file, line: lineNo, field: 'volume' });
    }
    if (low > high) {
      throw new ApiError('invalid_input', `low ${low} is above high ${high}`, { file, line: lineNo, field: 'low' });
    }
    const bodyHigh = open > close ? open : close;
    const bodyLow = open < close ? open : close;
    if (high < bodyHigh) {
      throw new ApiError('invalid_input', `high ${high} is below max(open, close) ${bodyHigh}`, { file, line: lineNo, field: 'high' });
    }
    if (low > bodyLow) {
      throw new ApiError('invalid_input', `low ${low} is above min(open, close) ${bodyLow}`, { file, line: lineNo, field: 'low' });
    }
    if (this.rows > 0) this.checkSpacing(time, lineNo);
    else this.firstTime = time;
    this.previousTime = time;
    this.rows++;
    const d = Math.max(decimals(rawOpen), decimals(rawHigh), decimals(rawLow), decimals(rawClose));
    if (d > this.priceDecimals) this.priceDecimals = d;
    this.sink(time, open, high, low, close, volume);
  }

  private checkSpacing(time: number, lineNo: number): void {
    const file = this.fileName;
    const previous = this.previousTime;
    if (time === previous) {
      throw new ApiError('invalid_input', `duplicate time ${isoTime(time)}: it repeats the previous row`, { file, line: lineNo, field: 'time' });
    }
    if (time < previous) {
      throw new ApiError(
        'invalid_input',
        `time ${isoTime(time)} is before the previous row's ${isoTime(previous)}: rows must be sorted by time`,
        { file, line: lineNo, field: 'time' },
      );
    }
    const spacing = time - previous;
    // Every spacing must be a whole number of bars. Streaming, the bar is the smallest
    // spacing so far; a spacing that is not a multiple of it (or that the earlier spacings
    // are not multiples of) shows two bar sizes mixed in one file.
    const min = Math.min(this.minSpacing, spacing);
    const g = gcd(this.spacingGcd, spacing);
    if (g !== min) {
      throw new ApiError(
        'invalid_input',
        `bar spacing ${spacing}s here does not fit the file's ${this.minSpacing === Infinity ? spacing : this.minSpacing}s bars (mixed bar sizes)`,
        { file, line: lineNo, field: 'time' },
      );
    }
    this.minSpacing = min;
    this.spacingGcd = g;
    this.spacings.set(spacing, (this.spacings.get(spacing) ?? 0) + 1);
  }

  /** Ends the file: throws for an empty file, else says what it held. */
  end(): CandleFileSummary {
    const file = this.fileName;
    if (!this.sawAnyLine) throw new ApiError('invalid_input', 'the file is empty', { file });
    if (this.rows === 0) throw new ApiError('invalid_input', 'the file has no data rows', { file });
    const barSeconds = Number.isFinite(this.minSpacing) ? this.minSpacing : 0;
    let gaps = 0;
    let missingBars = 0;
    for (const [spacing, count] of this.spacings) {
      if (spacing > barSeconds) {
        gaps += count;
        missingBars += (spacing / barSeconds - 1) * count;
      }
    }
    return {
      format: this.layout!.format,
      rows: this.rows,
      firstTime: this.firstTime,
      lastTime: this.previousTime,
      barSeconds,
      gaps,
      missingBars,
      priceDecimals: Math.min(this.priceDecimals, 10),
    };
  }
}

/** Parses and validates a whole candle file held in memory. */
export function parseCandleCsv(text: string, fileName: string): ParsedCandles {
  if (text.length === 0) throw new ApiError('invalid_input', 'the file is empty', { file: fileName });
  if (text.includes('\u0000')) throw binaryFile(fileName);
  const lines = text.split('\n');
  const cols = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(lines.length));
  let n = 0;
  const validator = new CandleCsvValidator(fileName, (t, o, h, l, c, v) => {
    cols[0]![n] = t;
    cols[1]![n] = o;
    cols[2]![n] = h;
    cols[3]![n] = l;
    cols[4]![n] = c;
    cols[5]![n] = v;
    n++;
  });
  for (let i = 0; i < lines.length; i++) validator.line(lines[i]!, i + 1);
  const summary = validator.end();
  const [time, open, high, low, close, volume] = cols.map((a) => a.subarray(0, n)) as [
    Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
  ];
  return { ...summary, time, open, high, low, close, volume };
}

export function binaryFile(fileName: string): ApiError {
  return new ApiError('invalid_input', 'this is a binary file, not CSV text (nor a zip archive)', { file: fileName });
}

function detectLayout(header: string, fileName: string, lineNo: number): Layout {
  const cells = header.split(',').map((c) => c.trim().toLowerCase().replace(/^"|"$/g, ''));
  const firstCellNumeric = cells[0] !== undefined && /^-?\d+(\.\d+)?$/.test(cells[0]);

  if (firstCellNumeric) {
    if (cells.length === BINANCE_COLUMNS) return binanceLayout(true);
    throw new ApiError(
      'invalid_input',
      `no header row and ${cells.length} columns: a generic CSV needs the header time,open,high,low,close,volume; a Binance kline file has 12 columns`,
      { file: fileName, line: lineNo },
    );
  }
  if (cells.length === BINANCE_COLUMNS && cells[0] === 'open_time') return binanceLayout(false);

  const index = {} as Record<Field, number>;
  for (const field of FIELDS) {
    const at = cells.findIndex((c) => GENERIC_ALIASES[field]!.includes(c));
    if (at < 0) {
      // TradingView's export starts time,open,high,low,close; volume is there only when the
      // chart showed it, and indicator columns may follow.
      if (field === 'volume' && cells[0] === 'time' && cells[4] === 'close') {
        index.volume = -1;
        continue;
      }
      throw new ApiError(
        'invalid_input',
        `the header "${header.slice(0, 120)}" matches no known layout: column "${field}" is missing (expected time,open,high,low,close,volume, TradingView's export, or a Binance kline file)`,
        { file: fileName, line: lineNo, field },
      );
    }
    index[field] = at;
  }
  const tradingView = cells[0] === 'time' && cells[1] === 'open' && cells[4] === 'close' && (cells.length > 6 || index.volume < 0);
  return { format: tradingView ? 'tradingview-csv' : 'generic-csv', index, columns: cells.length, firstLineIsData: false };
}

function binanceLayout(firstLineIsData: boolean): Layout {
  return {
    format: 'binance-kline-csv',
    index: { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 },
    columns: BINANCE_COLUMNS,
    firstLineIsData,
  };
}

function parseNumber(raw: string, field: string, file: string, line: number): number {
  const value = raw.length === 0 ? NaN : Number(raw);
  if (value === value && value !== Infinity && value !== -Infinity && (value !== 0 || raw.trim() !== '')) return value;
  const s = raw.trim();
  throw new ApiError('invalid_input', s === '' ? `${field} is empty` : `${field} "${s.slice(0, 40)}" is not a number`, { file, line, field });
}

function parsePrice(raw: string, field: string, file: string, line: number): number {
  const value = parseNumber(raw, field, file, line);
  if (value <= 0) throw new ApiError('invalid_input', `${field} must be above zero, got ${value}`, { file, line, field });
  return value;
}

/** Seconds, from seconds/ms/µs by magnitude, or from ISO-8601 text (not in Binance files). */
function parseTime(raw: string, format: CandleFileFormat, file: string, line: number): number {
  let seconds = raw.length > 0 && raw.length < 20 ? Number(raw) : NaN;
  if (seconds === seconds) {
    seconds = seconds >= 1e14 ? seconds / 1e6 : seconds >= 1e11 ? seconds / 1e3 : seconds;
  } else {
    const s = raw.trim().replace(/^"|"$/g, '');
    if (/^\d+(\.\d+)?$/.test(s)) {
      const n = Number(s);
      seconds = n >= 1e14 ? n / 1e6 : n >= 1e11 ? n / 1e3 : n;
    } else if (format !== 'binance-kline-csv' && /^\d{4}-\d{2}-\d{2}/.test(s)) {
      const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) || s.length <= 10 ? s : `${s}Z`;
      seconds = Date.parse(iso.replace(' ', 'T')) / 1000;
    }
  }
  const s = raw.trim();
  if (!Number.isFinite(seconds) || s === '') {
    throw new ApiError('invalid_input', `time "${s.slice(0, 40)}" is not a Unix time or ISO-8601 date`, { file, line, field: 'time' });
  }
  if (!Number.isInteger(seconds)) {
    throw new ApiError('invalid_input', `time ${s} is not on a whole second`, { file, line, field: 'time' });
  }
  if (seconds < 0 || seconds > MAX_TIME) {
    throw new ApiError('invalid_input', `time ${s} is out of range`, { file, line, field: 'time' });
  }
  return seconds;
}

function decimals(raw: string): number {
  const dot = raw.indexOf('.');
  if (dot < 0) return 0;
  let end = raw.length;
  while (end > dot + 1 && (raw.charCodeAt(end - 1) === 48 || raw.charCodeAt(end - 1) === 32)) end--;
  return end - dot - 1;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
