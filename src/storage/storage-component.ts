import type { Span } from '../model/span.js';
import type { DependencyLink } from '../model/dependency-link.js';
import type { QueryRequest } from './query-request.js';

/**
 * Accepts spans for storage.
 * - accept MUST resolve only once the spans are stored as the backend promises (for durable stores:
 *   committed), because the collector acknowledges the sender (HTTP 202, OTLP 200) when it resolves.
 * - accept MUST be idempotent per (traceId, id, shared, localEndpoint): the same span accepted twice is
 *   returned once.
 * - accept MUST NOT mutate the given spans.
 */
export interface SpanConsumer {
  accept(spans: readonly Span[]): Promise<void>;
}

/**
 * Trace search and dependency links.
 * - getTraces MUST return whole traces (every stored span of each matching trace), newest first by the
 *   trace's root/earliest timestamp, at most `limit` traces, honouring every QueryRequest field as in
 *   reference/zipkin.md section 1 and 8. Spans are raw (not merged).
 * - getDependencies MUST return links for traces whose timestamp falls in [endTs - lookback, endTs]
 *   (milliseconds), computed by the shared dependency linker or an equivalent.
 * - When search is disabled both MUST return empty results.
 */
export interface SpanStore {
  getTraces(request: QueryRequest, signal?: AbortSignal): Promise<Span[][]>;
  getDependencies(endTsMs: number, lookbackMs: number, signal?: AbortSignal): Promise<DependencyLink[]>;
}

/**
 * Trace retrieval by id.
 * - getTrace MUST return all spans of the trace, or [] when none. With strictTraceId=false, a 64-bit or
 *   128-bit id returns every span sharing the low 64 bits.
 * - getTraces MUST return only traces that exist, one list per found id, in no promised order.
 */
export interface Traces {
  getTrace(traceId: string, signal?: AbortSignal): Promise<Span[]>;
  getTraces(traceIds: readonly string[], signal?: AbortSignal): Promise<Span[][]>;
}

/**
 * Name lists for the UI. All MUST be sorted, de-duplicated and lowercase, and empty when search is disabled.
 * getServiceNames returns local service names only.
 */
export interface ServiceAndSpanNames {
  getServiceNames(signal?: AbortSignal): Promise<string[]>;
  getRemoteServiceNames(serviceName: string, signal?: AbortSignal): Promise<string[]>;
  getSpanNames(serviceName: string, signal?: AbortSignal): Promise<string[]>;
}

/**
 * Tag values for autocomplete. Only the configured keys are indexed; values are sorted and de-duplicated.
 */
export interface AutocompleteTags {
  getKeys(signal?: AbortSignal): Promise<string[]>;
  getValues(key: string, signal?: AbortSignal): Promise<string[]>;
}

export type CheckResult = { ok: true } | { ok: false; error: string };

/** The storage settings every backend honours (zipkin names). */
export interface StorageOptions {
  /** STRICT_TRACE_ID: when false, trace ids group and look up by their low 64 bits. */
  strictTraceId: boolean;
  /** SEARCH_ENABLED: when false, searches and name lists are empty (lookup by id still works). */
  searchEnabled: boolean;
  /** AUTOCOMPLETE_KEYS: the tag keys whose values are indexed for autocomplete. */
  autocompleteKeys: readonly string[];
}

/**
 * The storage a server runs on. Every read takes an optional AbortSignal: when it aborts (the client went
 * away, or QUERY_TIMEOUT passed) the store stops the work and rejects. Failures are KindedError
 * (model/failure.ts), so every transport and API answers them the same way.
 * Implemented once, over any StorageBackend, by core/storage-core.ts.
 */
/**
 * What a store reports about itself for /prometheus. Every field but queuedBytes is optional: a store
 * reports what it can know cheaply (a server-backed store may not see its database's files).
 */
export interface StorageStats {
  /** Bytes of accepted spans waiting in the group-commit queue (bounded by COLLECTOR_MAX_QUEUED_BYTES). */
  queuedBytes: number;
  /** Size of the stored data on disk (SQLite: the database file). */
  sizeBytes?: number;
  /** SQLite: the write-ahead log. */
  walBytes?: number;
  /** RETENTION_MAX_BYTES when it applies to this store. */
  maxBytes?: number;
  /** Traces deleted by retention since start. */
  retentionDeletedTraces?: number;
}

export interface StorageComponent {
  spanConsumer(): SpanConsumer;
  spanStore(): SpanStore;
  traces(): Traces;
  serviceAndSpanNames(): ServiceAndSpanNames;
  autocompleteTags(): AutocompleteTags;
  /** Cheap health probe used by /health, with its own deadline; MUST NOT throw. */
  check(): Promise<CheckResult>;
  /** Figures for /prometheus, read on each scrape; rejects only when the store cannot answer. */
  stats?(): Promise<StorageStats>;
  /** Finishes pending writes and releases resources. Further calls after close are undefined. */
  close(): Promise<void>;
}
