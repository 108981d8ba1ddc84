/** The JSON error locator agrees with JSON.parse on what is valid, and points at the first bad byte. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineAndColumn } from '../../electron/backend/json-position';

describe('jsonErrorOffset', () => {
  it('points at the first byte that cannot be JSON', () => {
    expect(jsonErrorOffset('{"a": [,]}')).toBe(7);
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(jsonErrorOffset('{"a": tru}')).toBe(6);
    expect(jsonErrorOffset('[1, 2')).toBe(5);
    expect(jsonErrorOffset('{"a": "x\\q"}')).toBe(9);
    expect(jsonErrorOffset('{} x')).toBe(3);
    expect(jsonErrorOffset('')).toBe(0);
    expect(lineAndColumn('{\n  "a": [,]\n}', jsonErrorOffset('{\n  "a": [,]\n}'))).toEqual({ line: 2, column: 9 });
  });

  it('returns -1 exactly when JSON.parse accepts (property test)', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(jsonErrorOffset(text)).toBe(-1);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom(',', ']', '}', '"', ':', 'x', '\\'), (text, at, junk) => {
        const broken = text.slice(0, at % (text.length + 1)) + junk + text.slice(at % (text.length + 1));
        let valid = true;
        try {
          JSON.parse(broken);
        } catch {
          valid = false;
        }
        expect(jsonErrorOffset(broken) === -1).toBe(valid);
      }),
      { numRuns: 500 },
    );
  });
});
