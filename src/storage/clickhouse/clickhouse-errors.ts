import { StorageError } from '../../model/failure.js';
import { SOCKET_ERROR_CODES } from '../core/backend-errors.js';

/**
 * ClickHouse error codes (src/Common/ErrorCodes.cpp) that mean a part of the cluster is down or busy for
 * now: nothing was stored (or the statement can simply be asked again), so the sender retries later.
 */
const TRANSIENT_CODES = new Set([
  32, // ATTEMPT_TO_READ_AFTER_EOF: a shard closed the connection
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR: connection refused to a shard
  225, // NO_ZOOKEEPER
  242, // TABLE_IS_READ_ONLY: a replica lost ZooKeeper
  279, // ALL_CONNECTION_TRIES_FAILED: every replica of a shard is down
  286, // UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE
  319, // UNKNOWN_STATUS_OF_INSERT
  999, // KEEPER_EXCEPTION
]);

/** Codes that mean the server is saturated: 503 with Retry-After, as for any over-capacity store. */
const OVER_CAPACITY_CODES = new Set([
  159, // TIMEOUT_EXCEEDED: max_execution_time
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  241, // MEMORY_LIMIT_EXCEEDED
  252, // TOO_MANY_PARTS: inserts faster than merges
  394, // QUERY_WAS_CANCELLED
]);

/** The ClickHouse error code of an error the client raised (18.16 gives it only in the text: "Code: 60, ..."). */
export function clickhouseCode(e: unknown): number | undefined {
  const err = e as { code?: unknown; message?: unknown };
  if (typeof err.code === 'string' && /^\d+$/.test(err.code)) return Number(err.code);
  const m = typeof err.message === 'string' ? /^Code: (\d+)/.exec(err.message) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * The shard a distributed statement could not reach, from ClickHouse's text ("... (127.0.0.1:9001)" or
 * "Connection refused (127.0.0.1:9001)"), so the answer names what is down.
 */
export function unreachableShard(message: string): string | undefined {
  const m = /(?:Connection refused|connect|Timeout|NetException)[^()]*\(([\w.:[\]-]+:\d+)\)/i.exec(message);
  return m?.[1];
}

/** A ClickHouse failure as a StorageError of the kind the server's answer says (see the sets above). */
export function clickhouseFailure(what: string, e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err.message === 'string' ? err.message : String(e);
  if (typeof err.code === 'string' && (SOCKET_ERROR_CODES.has(err.code) || err.code === 'UND_ERR_SOCKET')) {
    return new StorageError('transient', `${what}: ClickHouse is unreachable (${message})`, 1, { cause: e });
  }
  const code = clickhouseCode(e);
  // The first line is the error; the rest is the server's stack trace and log.
  const text = message.split('\n')[0]!.replace(/, e\.what\(\) = DB::\w+$/, '');
  if (code !== undefined && TRANSIENT_CODES.has(code)) {
    const shard = unreachableShard(message);
    const where = shard === undefined ? '' : `the ClickHouse shard at ${shard} is unavailable: `;
    return new StorageError('transient', `${what}: ${where}${text}`, 5, { cause: e });
  }
  if (code !== undefined && OVER_CAPACITY_CODES.has(code)) {
    return new StorageError('over-capacity', `${what}: ${text}`, 1, { cause: e });
  }
  if (/socket hang up|Timeout error|other side closed/i.test(message)) {
    return new StorageError('transient', `${what}: ${text}`, 1, { cause: e });
  }
  return new StorageError('terminal', `${what}: ${text}`, undefined, { cause: e });
}
