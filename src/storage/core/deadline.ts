import { KindedError } from '../../model/failure.js';

/**
 * A store call that outlived QUERY_TIMEOUT. It is over-capacity (503 + Retry-After), not a 500: the store
 * is too slow for this query right now, and the backend was told to stop the work (AbortSignal).
 */
export class QueryTimeoutError extends KindedError {
  override name = 'QueryTimeoutError';
  constructor(what: string, ms: number) {
    super('over-capacity', `${what} took longer than QUERY_TIMEOUT (${ms} ms) and was cancelled`, 1);
  }
}

/**
 * Runs `work` with a signal that aborts after `ms` (or when `outer` aborts), and rejects at that moment
 * even when the work does not notice the signal: the caller is answered on time either way, and a
 * backend that honours its contract has stopped the work in the database too.
 */
export async function withDeadline<T>(
  what: string,
  ms: number | undefined,
  outer: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    const abort = (reason: Error) => {
      controller.abort(reason);
      reject(reason);
    };
    if (ms !== undefined && ms > 0) timer = setTimeout(() => abort(new QueryTimeoutError(what, ms)), ms);
    if (outer) {
      if (outer.aborted) abort(abortReason(outer));
      else outer.addEventListener('abort', () => abort(abortReason(outer)), { once: true });
    }
  });
  timedOut.catch(() => undefined); // a deadline that loses the race is not an unhandled rejection
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the request was aborted');
}
