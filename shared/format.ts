/** Formatting shared by the renderer and the CLI. Pure functions, no locale surprises. */

/** "2020-03-12 10:48 UTC" from UTC seconds. */
export function formatUtcMinute(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2020-03-12" from UTC seconds. */
export function formatUtcDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/**
 * One `Intl.NumberFormat` per number of decimals: `toLocaleString` with options builds a new
 * formatter on every call (~20 µs in V8), and a replay step formats hundreds of prices.
 * Same output: `toLocaleString(locale, options)` is specified as `new Intl.NumberFormat(locale,
 * options).format(value)`.
 */
const formatters = new Map<number, Intl.NumberFormat>();

function formatter(decimals: number): Intl.NumberFormat {
  let f = formatters.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formatters.set(decimals, f);
  }
  return f;
}

/** 5760 → "5,760". */
export function formatCount(n: number): string {
  return formatter(0).format(Math.round(n));
}

/** Fixed decimals with thousands separators: (7980.5, 2) → "7,980.50". */
export function formatPrice(value: number, decimals: number): string {
  return formatter(decimals).format(value);
}
