/**
 * Expected outcomes are values, not exceptions. Every failure a caller can cause has a code here;
 * src/server/errors.ts maps each code to one HTTP status.
 */
export type ErrorCode =
  | 'ValidationFailed'
  | 'NotFound'
  | 'Unauthenticated'
  | 'Forbidden'
  | 'Conflict'
  | 'TransitionNotAllowed'
  | 'ReasonRequired'
  | 'UnknownReason'
  | 'PayloadTooLarge'
  | 'RateLimited';

export type ErrorDetail = { path: string; message: string };
export type Failure = { ok: false; code: ErrorCode; message: string; details: ErrorDetail[] };
export type Success<T> = { ok: true; value: T };
export type Result<T> = Success<T> | Failure;

export function ok<T>(value: T): Success<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, details: ErrorDetail[] = []): Failure {
  return { ok: false, code, message, details };
}
