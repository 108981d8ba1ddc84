/**
 * What a candle file's name says about its contents: `BTCUSDT-1m-2020-03-12.csv` (Binance
 * public data), `btcusdt_perp_1m_2022-05-07_2022-05-14.csv`, `ETH-USDT_kucoin_1m.csv`, ...
 * Only hints: the importer checks the bar size against the data.
 */
import { TIMEFRAMES, type Market } from '../../../shared/domain';

export interface FileNameHints {
  symbol?: string;
  barSeconds?: number;
  venue?: string;
  market?: Market;
}

const VENUES = ['binance', 'kucoin', 'bitmex', 'bybit', 'okx', 'coinbase', 'bitstamp', 'kraken', 'hyperliquid', 'deribit', 'dydx'];
const PERP = ['perp', 'perpetual', 'futures', 'um', 'swap'];
const QUOTE = /(USDT|USDC|BUSD|USD|EUR|BTC|ETH)$/i;

export function hintsFromFileName(fileName: string): FileNameHints {
  const base = fileName.split(/[\\/]/).pop()!.replace(/\.(csv|txt|zip)$/i, '');
  const tokens = base.split(/[-_ .]+/).filter(Boolean);
  const hints: FileNameHints = {};
  for (const token of tokens) {
    const lower = token.toLowerCase();
    if (hints.barSeconds === undefined && /^\d+[smhdw]$/.test(token)) {
      const seconds = parseTimeframe(token);
      if (seconds !== undefined) hints.barSeconds = seconds;
      continue;
    }
    if (VENUES.includes(lower)) hints.venue ??= lower;
    else if (PERP.includes(lower)) hints.market ??= 'perp';
    else if (lower === 'spot') hints.market ??= 'spot';
  }
  const first = tokens[0];
  // The first token is a symbol only when the name looks like a market-data name: it ends
  // in a quote currency (BTCUSDT) or is followed by a bar size (SPX_1d). "candles.csv" is not.
  const second = tokens[1];
  const looksLikeSymbol =
    first !== undefined &&
    /^[A-Za-z][A-Za-z0-9]{1,19}$/.test(first) &&
    !VENUES.includes(first.toLowerCase()) &&
    (QUOTE.test(first) || (second !== undefined && (/^\d+[smhdw]$/.test(second) || /^(USDT|USDC|USD|BUSD|EUR|BTC)$/i.test(second))));
  if (looksLikeSymbol) {
    let symbol = first.toUpperCase();
    // "ETH-USDT_kucoin": the quote currency is the second token.
    if (second && /^(USDT|USDC|USD|BUSD|EUR|BTC)$/i.test(second) && !symbol.endsWith(second.toUpperCase())) {
      symbol += second.toUpperCase();
    }
    hints.symbol = symbol;
  }
  return hints;
}

/** "1m" → 60, "4h" → 14400, "90s" → 90; undefined for anything else. */
export function parseTimeframe(text: string): number | undefined {
  const known = TIMEFRAMES[text];
  if (known !== undefined) return known;
  const m = /^(\d{1,5})([smhdw])$/.exec(text);
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  const value = Number(m[1]) * unit;
  return value > 0 ? value : undefined;
}
