/**
 * Error values for the engine's input boundary. Bad user input (a rule file, a portfolio) is
 * returned as a value naming the offending field; exceptions are kept for bugs.
 */

/** What went wrong with an input, and where. */
export interface EngineInputError {
  /** Stable machine-readable code, e.g. `invalid_rules`, `invalid_portfolio`, `no_rules_in_force`. */
  readonly code: string;
  /** Human-readable sentence that says what to do. */
  readonly message: string;
  /** Path of the offending field, e.g. `symbols.BTCUSDT.brackets[2].cum` or `accounts[0].positions[1].qty`. */
  readonly field?: string;
}

/** Success with a value, or failure with an {@link EngineInputError}. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: EngineInputError };

/** Wrap a success value. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
/** Wrap a failure. */
export const fail = <T = never>(code: string, message: string, field?: string): Result<T> => ({
  ok: false,
  error: field === undefined ? { code, message } : { code, message, field },
});
