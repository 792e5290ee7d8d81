import { StorageError } from '../../model/failure.js';
import { SOCKET_ERROR_CODES } from '../core/backend-errors.js';

/**
 * mysql2 error codes that mean "the server is not there or not taking work right now": nothing was
 * stored and retrying later works (storage-backend.ts contract: connection refused or lost is transient).
 */
const TRANSIENT_CODES = new Set([
  ...SOCKET_ERROR_CODES,
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_OPTION_PREVENTS_STATEMENT',
]);

/** Codes that mean the server is saturated: too many connections, out of memory or disk. */
const OVER_CAPACITY_CODES = new Set([
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_OUTOFMEMORY',
  'ER_RECORD_FILE_FULL',
]);

/** The StorageError for a mysql2 failure, with the kind the code implies; anything else is terminal. */
export function mysqlFailure(what: string, e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  const message = typeof err.message === 'string' ? err.message : String(e);
  const text = `${what}: ${message}${code === '' ? '' : ` (${code})`}`;
  if (TRANSIENT_CODES.has(code)) return new StorageError('transient', text, 1, { cause: e });
  if (OVER_CAPACITY_CODES.has(code)) return new StorageError('over-capacity', text, 1, { cause: e });
  return new StorageError('terminal', text, undefined, { cause: e });
}
