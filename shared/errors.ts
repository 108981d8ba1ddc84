/**
 * Typed errors that cross process boundaries. Every failure a user can cause is an
 * `ApiError` value with a code and, where it applies, the place it happened
 * (file, line, field). Exceptions are for bugs only.
 */

export const ERROR_CODES = [
  /** The payload does not match the method's schema. */
  'bad_request',
  /** The payload is well-formed but its content is wrong (a bad CSV row, an absurd parameter). */
  'invalid_input',
  'not_found',
  /** The request conflicts with what is stored (e.g. a newer database version). */
  'conflict',
  /** The method does not exist or is not allowed over this transport. */
  'unknown_method',
  'forbidden',
  'cancelled',
  /** A resource cannot be reached or written: offline, host down, or a file the user chose that cannot be written. */
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Where an error happened; every part optional. `line` is 1-based. */
export interface ErrorWhere {
  file?: string;
  line?: number;
  field?: string;
}

export interface ApiErrorShape {
  code: ErrorCode;
  message: string;
  where: ErrorWhere;
}

/** An error that is part of the API: thrown inside the backend, sent as a value across transports. */
export class ApiError extends Error implements ApiErrorShape {
  readonly code: ErrorCode;
  readonly where: ErrorWhere;

  constructor(code: ErrorCode, message: string, where: ErrorWhere = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.where = where;
  }

  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message, where: this.where };
  }

  static from(shape: ApiErrorShape): ApiError {
    return new ApiError(shape.code, shape.message, shape.where ?? {});
  }
}

export function isApiErrorShape(value: unknown): value is ApiErrorShape {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(v.code) &&
    typeof v.message === 'string'
  );
}

/** "file:line field: message" — the form the CLI prints and the UI shows. */
export function describeError(error: ApiErrorShape): string {
  const { file, line, field } = error.where ?? {};
  const place = [file && line ? `${file}:${line}` : file, field ? `field "${field}"` : undefined]
    .filter(Boolean)
    .join(' ');
  return place ? `${place}: ${error.message}` : error.message;
}
