import { StorageError } from '../../model/failure.js';

/**
 * Node socket error codes that mean "the database is not there right now" for every server-backed store:
 * nothing was stored, and retrying later works (transient).
 */
export const SOCKET_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * What a backend call rejects with once its AbortSignal fired: the signal's reason (the core's
 * QueryTimeoutError, or the caller's abort), else an over-capacity "cancelled".
 */
export function abortError(what: string, signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  return new StorageError('over-capacity', `${what} was cancelled`, 1);
}

/** A connection URL fit for logs and /health: the password masked; `fallback` when it does not parse. */
export function redactUrl(url: string, fallback: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return fallback;
  }
}
