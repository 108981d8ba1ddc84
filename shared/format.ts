/** Formatting shared by the renderer and the CLI. Pure functions, no locale surprises. */

/** "2020-03-12 10:48 UTC" from UTC seconds. */
export function formatUtcMinute(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2020-03-12" from UTC seconds. */
export function formatUtcDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** 5760 → "5,760". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Fixed decimals with thousands separators: (7980.5, 2) → "7,980.50". */
export function formatPrice(value: number, decimals: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}
