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
  getTraces(request: QueryRequest): Promise<Span[][]>;
  getDependencies(endTsMs: number, lookbackMs: number): Promise<DependencyLink[]>;
}

/**
 * Trace retrieval by id.
 * - getTrace MUST return all spans of the trace, or [] when none. With strictTraceId=false, a 64-bit or
 *   128-bit id returns every span sharing the low 64 bits.
 * - getTraces MUST return only traces that exist, one list per found id, in no promised order.
 */
export interface Traces {
  getTrace(traceId: string): Promise<Span[]>;
  getTraces(traceIds: readonly string[]): Promise<Span[][]>;
}

/**
 * Name lists for the UI. All MUST be sorted, de-duplicated and lowercase, and empty when search is disabled.
 * getServiceNames returns local service names only.
 */
export interface ServiceAndSpanNames {
  getServiceNames(): Promise<string[]>;
  getRemoteServiceNames(serviceName: string): Promise<string[]>;
  getSpanNames(serviceName: string): Promise<string[]>;
}

/**
 * Tag values for autocomplete. Only the configured keys are indexed; values are sorted and de-duplicated.
 */
export interface AutocompleteTags {
  getKeys(): Promise<string[]>;
  getValues(key: string): Promise<string[]>;
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

export interface StorageComponent {
  spanConsumer(): SpanConsumer;
  spanStore(): SpanStore;
  traces(): Traces;
  serviceAndSpanNames(): ServiceAndSpanNames;
  autocompleteTags(): AutocompleteTags;
  /** Cheap health probe used by /health; MUST NOT throw. */
  check(): Promise<CheckResult>;
  /** Finishes pending writes and releases resources. Further calls after close are undefined. */
  close(): Promise<void>;
}
