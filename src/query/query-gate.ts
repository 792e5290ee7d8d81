import { KindedError } from '../model/failure.js';
import type { QueryRequest } from '../storage/query-request.js';
import type { StorageComponent } from '../storage/storage-component.js';

export interface QueryGateOptions {
  /** QUERY_MAX_LIMIT: a search's `limit` is lowered to this (the one place Skein differs from Zipkin). */
  maxLimit: number;
  /** QUERY_MAX_CONCURRENT: heavy reads running at once; past it, new ones are refused (503 + Retry-After). */
  maxConcurrent: number;
}

/** Too many heavy queries at once: 503 with Retry-After (over-capacity in the one failure mapping). */
export class QueryOverloadError extends KindedError {
  override readonly name = 'QueryOverloadError';
  constructor(maxConcurrent: number) {
    super(
      'over-capacity',
      `${maxConcurrent} searches are already running (QUERY_MAX_CONCURRENT); retry after 1s`,
      1,
    );
  }
}

/**
 * The storage every query API reads through (Zipkin v2, the Jaeger APIs, Jaeger's span metrics), with
 * two bounds (issue 15: 6 concurrent `limit=1000000000` searches over 30 days took search down for 362 s
 * and pushed RSS to 6 GB):
 * - every search's `limit` is at most `maxLimit`;
 * - heavy reads (searches, dependencies, many traces by id) are at most `maxConcurrent` at once. A slot is
 *   held until the store's own promise settles (not the API's timeout), so work the store is still doing
 *   counts; a request past the bound is refused at once rather than queued behind the others.
 * Reads by one id, name lists and autocomplete are cheap and pass through. Writes are not gated here.
 */
export function gateQueries(storage: StorageComponent, opts: QueryGateOptions): StorageComponent {
  let running = 0;
  const gated = <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= opts.maxConcurrent) return Promise.reject(new QueryOverloadError(opts.maxConcurrent));
    running++;
    let p: Promise<T>;
    try {
      p = work();
    } catch (e) {
      running--;
      return Promise.reject(e as Error);
    }
    return p.finally(() => running--);
  };
  const capped = (r: QueryRequest): QueryRequest =>
    r.limit > opts.maxLimit ? { ...r, limit: opts.maxLimit } : r;
  const store = storage.spanStore();
  const traces = storage.traces();
  const spanStore = {
    getTraces: (r: QueryRequest, signal?: AbortSignal) => gated(() => store.getTraces(capped(r), signal)),
    getDependencies: (endTs: number, lookback: number, signal?: AbortSignal) =>
      gated(() => store.getDependencies(endTs, lookback, signal)),
  };
  const byId = {
    getTrace: (id: string, signal?: AbortSignal) => traces.getTrace(id, signal),
    getTraces: (ids: readonly string[], signal?: AbortSignal) => gated(() => traces.getTraces(ids, signal)),
  };
  return {
    spanConsumer: () => storage.spanConsumer(),
    spanStore: () => spanStore,
    traces: () => byId,
    serviceAndSpanNames: () => storage.serviceAndSpanNames(),
    autocompleteTags: () => storage.autocompleteTags(),
    check: () => storage.check(),
    ...(storage.stats ? { stats: () => storage.stats!() } : {}),
    close: () => storage.close(),
  };
}
