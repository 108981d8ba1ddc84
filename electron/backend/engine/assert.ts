/**
 * Small assertion helpers. Assertions guard programming errors (bugs), not user input: user input
 * is validated at the boundary and returned as error values with a field name.
 */

/** Thrown when an engine invariant does not hold. Always a bug. */
export class EngineAssertionError extends Error {
  override name = 'EngineAssertionError';
}

/** Throw {@link EngineAssertionError} with `message` unless `condition` holds. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new EngineAssertionError(message);
}

/** Return `value`, or throw if it is `undefined` or `null`. */
export function ensureDefined<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new EngineAssertionError(`${what} is not defined`);
  return value;
}

/** Assert that `x` is a finite number. */
export function assertFinite(x: number, what: string): void {
  if (!Number.isFinite(x)) throw new EngineAssertionError(`${what} must be finite, got ${x}`);
}
