import type { DependencyLink } from '../model/dependency-link.js';
import type { Span } from '../model/span.js';
import type { QueryRequest } from './query-request.js';
import type { StorageOptions, StorageStats } from './storage-component.js';

/**
 * What one store does itself: its own I/O and row mapping, nothing of Zipkin's query rules. The storage
 * core (core/storage-core.ts) turns any backend into the StorageComponent the collectors and the query
 * API use, and implements once what every store shares: SEARCH_ENABLED, AUTOCOMPLETE_KEYS, STRICT_TRACE_ID
 * grouping, de-duplication, the trace matcher, newest-first order, the dependency linker fallback, and
 * QUERY_TIMEOUT deadlines.
 *
 * Contract, for every method:
 * - Every call takes an AbortSignal. When it aborts, the backend MUST stop the work in the database (cancel
 *   the statement, kill the query, terminate the worker) and reject; it MUST NOT keep it running.
 * - Failures MUST be StorageError (model/failure.ts) with the kind the backend knows: `transient` when
 *   the database is unreachable or failing for now (connection refused or lost, disk full, read-only),
 *   `over-capacity` when the backend itself is saturated, `terminal` for anything retrying cannot fix.
 *   An unexpected error is treated as terminal.
 * - A backend is constructed with the StorageOptions and MUST honour `strictTraceId` in `getSpans` and
 *   index only what `searchEnabled` and `autocompleteKeys` ask for. It need not apply any other rule: the
 *   core filters, groups, sorts and de-duplicates.
 * - Trace ids passed in are valid, lower-hex, 16 or 32 characters (the core parses them first).
 */
export interface StorageBackend {
  /** Shown in logs and /health, e.g. "SqliteStorage(/var/lib/skein/skein.sqlite)". */
  readonly name: string;
  readonly capabilities: BackendCapabilities;

  /**
   * Stores spans. MUST resolve only once they are stored as the backend promises (durable stores:
   * committed), because the sender is acknowledged when it resolves. MUST NOT mutate the spans.
   */
  write(spans: readonly Span[], signal: AbortSignal): Promise<void>;

  /**
   * The ids of the traces that may match `request`, as pages, newest first by trace timestamp (the root
   * span's, else the earliest; see trace-matcher traceTimestamp). A superset is allowed: the core fetches
   * each page's traces and keeps only those the trace matcher accepts, and stops pulling pages once it has
   * `request.limit` matches. Every matching trace in the window MUST be yielded before any trace with an
   * older timestamp, so the first `limit` matches are the newest ones. Only called with search enabled.
   */
  findTraceIds(request: QueryRequest, signal: AbortSignal): AsyncIterable<readonly string[]>;

  /**
   * The stored spans of each given trace, one list per trace that has spans, in no promised order. With
   * strictTraceId=false an id matches every span sharing its low 64 bits, grouped into one list. Spans are
   * raw (not merged); a backend without `deduplicates` may return the same span twice.
   */
  getSpans(traceIds: readonly string[], signal: AbortSignal): Promise<Span[][]>;

  /** Local service names, in any order; the core lowercases, de-duplicates and sorts. */
  getServiceNames(signal: AbortSignal): Promise<string[]>;
  /** Remote service names seen by spans of `serviceName` (lowercase). */
  getRemoteServiceNames(serviceName: string, signal: AbortSignal): Promise<string[]>;
  /** Span names of `serviceName` (lowercase). */
  getSpanNames(serviceName: string, signal: AbortSignal): Promise<string[]>;
  /** Indexed values of one of the configured AUTOCOMPLETE_KEYS. */
  getAutocompleteValues(key: string, signal: AbortSignal): Promise<string[]>;

  /**
   * Dependency links for traces whose timestamp is in [endTsMs - lookbackMs, endTsMs], when the backend
   * stores or computes them itself (capabilities.dependencies 'native'). Resolving undefined means "none
   * stored for this window": the core then links the window's traces with the shared dependency linker.
   */
  getDependencies?(
    endTsMs: number,
    lookbackMs: number,
    signal: AbortSignal,
  ): Promise<DependencyLink[] | undefined>;

  /** Resolves when the database answers; rejects with a StorageError whose message names the reason. */
  check(signal: AbortSignal): Promise<void>;

  /** Optional: what the backend knows of its size and retention (the core adds its write queue). */
  stats?(): Promise<Omit<StorageStats, 'queuedBytes'>>;

  /** Deletes every stored span and name (tests: one store per file, cleared between cases). */
  clear(): Promise<void>;

  /** Finishes pending writes and releases connections and workers. */
  close(): Promise<void>;
}

/** What a backend does itself, as data: the core and the conformance suite read it, never a thrown "not implemented". */
export interface BackendCapabilities {
  /**
   * Whether findTraceIds answers every QueryRequest criterion exactly (no superset). The core still runs
   * the matcher; this only tells the core that one page of `limit` ids is enough.
   */
  exactSearch: boolean;
  /** 'native': getDependencies answers (stored or computed by the backend); 'linker': the core links traces. */
  dependencies: 'native' | 'linker';
  /** Whether the backend drops an identical span written twice; otherwise the core drops it on read. */
  deduplicates: boolean;
  /**
   * Whether writes gain from group commit: the core then queues concurrent accepts (bounded in bytes) and
   * hands them to `write` together, at most `maxConcurrentWrites` at a time.
   */
  groupCommit: boolean;
  /** With groupCommit: how many write calls may run at once (e.g. the connection pool size). */
  maxConcurrentWrites?: number;
}

/** Opens (connects, creates or migrates the schema of) a backend. Rejects with a message naming the store. */
export type OpenBackend = (options: StorageOptions, signal: AbortSignal) => Promise<StorageBackend>;
