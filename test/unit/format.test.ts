/**
 * shared/format.ts number formatting: the cached Intl.NumberFormat gives exactly what
 * `toLocaleString('en-US', …)` gives (its specified equivalent), for any value and decimals.
 * Not covered: the time formatters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCount, formatPrice } from '../../shared/format';

describe('number formatting', () => {
  it('formats prices with fixed decimals and thousands separators', () => {
    expect(formatPrice(7980.5, 2)).toBe('7,980.50');
    expect(formatPrice(-0.123456, 4)).toBe('-0.1235');
    expect(formatCount(5760)).toBe('5,760');
    expect(formatCount(5759.5)).toBe('5,760');
  });

  it('matches toLocaleString for any value and decimals', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: false }), fc.integer()), fc.integer({ min: 0, max: 8 }), (value, decimals) => {
        expect(formatPrice(value, decimals)).toBe(value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }));
        expect(formatCount(value)).toBe(Math.round(value).toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
  });
});
