import { StorageError } from '../../model/failure.js';
import { SOCKET_ERROR_CODES } from '../core/backend-errors.js';

/**
 * The kind of a pg failure (PostgreSQL error codes, appendix A of its manual):
 * - class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now),
 *   40001/40P01 (serialization failure, deadlock: the transaction was rolled back and can be retried),
 *   and socket errors are transient: nothing was stored, retrying later works.
 * - class 53 (insufficient resources: disk full, out of memory, too many connections) is over-capacity.
 * - everything else (syntax, constraint, a bug) is terminal.
 */
export function postgresFailure(what: string, e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  const message = typeof err.message === 'string' ? err.message : String(e);
  const text = `${what}: ${message}${code === '' ? '' : ` (${code})`}`;
  if (
    SOCKET_ERROR_CODES.has(code) ||
    code.startsWith('08') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '40001' ||
    code === '40P01' ||
    // pg says these (no code) when the socket closes under a query or a pooled client, or connecting timed out.
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    )
  ) {
    return new StorageError('transient', text, 1, { cause: e });
  }
  if (code.startsWith('53')) return new StorageError('over-capacity', text, 1, { cause: e });
  return new StorageError('terminal', text, undefined, { cause: e });
}
