import type { DependencyLink } from '../../model/dependency-link.js';
import { StorageError } from '../../model/failure.js';
import { lowTraceId, parseTraceIdParam } from '../../model/ids.js';
import type { Span } from '../../model/span.js';
import { linkDependencies } from '../dependency-linker.js';
import { parseAnnotationQuery, type QueryRequest } from '../query-request.js';
import type { BackendCapabilities, StorageBackend } from '../storage-backend.js';
import type {
  AutocompleteTags,
  CheckResult,
  ServiceAndSpanNames,
  SpanConsumer,
  SpanStore,
  StorageComponent,
  StorageOptions,
  StorageStats,
  Traces,
} from '../storage-component.js';
import { traceMatches, traceTimestamp } from '../trace-matcher.js';
import { BatchingWriter } from './batching-writer.js';
import { withDeadline } from './deadline.js';
import { sameSpan } from './same-span.js';

export interface CoreOptions extends StorageOptions {
  /** QUERY_TIMEOUT in ms: every read is cancelled in the backend after this long. Unset: no deadline. */
  queryTimeoutMs?: number;
  /** Deadline of the /health probe (default 5000 ms): a hung database says DOWN instead of hanging. */
  checkTimeoutMs?: number;
  /** For group-commit backends: bytes of spans allowed to wait for a write (default 256 MiB). */
  maxQueuedBytes?: number;
}

const DEFAULT_CHECK_TIMEOUT_MS = 5000;
const DEFAULT_MAX_QUEUED_BYTES = 256 * 1024 * 1024;
/** Trace ids fetched per getSpans call of the dependency-linker fallback. */
const LINKER_PAGE = 500;

/**
 * The one StorageComponent, over any backend. Zipkin's storage rules live here and nowhere else:
 * - SEARCH_ENABLED=false: searches, name lists, autocomplete and dependencies are empty; lookup by id works.
 * - AUTOCOMPLETE_KEYS: only configured keys are listed or answered.
 * - STRICT_TRACE_ID=false: traces group by the low 64 bits of their id.
 * - Identical spans are returned once (for backends that cannot de-duplicate on write).
 * - Searches keep exactly the traces the shared trace matcher accepts, newest first, at most `limit`.
 * - Dependencies fall back to the shared dependency linker when the backend has none stored.
 * - Every read has the QUERY_TIMEOUT deadline and every call passes an AbortSignal to the backend.
 */
export class CoreStorage<B extends StorageBackend = StorageBackend> implements StorageComponent {
  private readonly writer: BatchingWriter | undefined;
  private readonly autocompleteKeys: string[];
  private readonly consumer: SpanConsumer;
  private readonly store: SpanStore;
  private readonly byId: Traces;
  private readonly names: ServiceAndSpanNames;
  private readonly autocomplete: AutocompleteTags;

  constructor(
    readonly backend: B,
    private readonly options: CoreOptions,
  ) {
    this.autocompleteKeys = [...new Set(options.autocompleteKeys)].sort();
    const caps = backend.capabilities;
    // Writes are not cancelled by a deadline: a half-written batch is worse than a slow one.
    const neverAborted = new AbortController().signal;
    const write = (spans: readonly Span[]) => backend.write(spans, neverAborted);
    this.writer = caps.groupCommit
      ? new BatchingWriter(
          write,
          options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
          caps.maxConcurrentWrites ?? 1,
        )
      : undefined;
    const writer = this.writer;
    this.consumer = {
      accept: (spans) =>
        spans.length === 0 ? Promise.resolve() : writer ? writer.accept(spans) : write(spans),
    };
    this.store = {
      getTraces: (request, signal) => this.read('trace search', signal, (s) => this.search(request, s)),
      getDependencies: (endTsMs, lookbackMs, signal) =>
        this.read('dependency links', signal, (s) => this.dependencies(endTsMs, lookbackMs, s)),
    };
    this.byId = {
      getTrace: (traceId, signal) => this.read('trace by id', signal, (s) => this.trace(traceId, s)),
      getTraces: (traceIds, signal) => this.read('traces by id', signal, (s) => this.traceMany(traceIds, s)),
    };
    this.names = {
      getServiceNames: (signal) => this.nameList(signal, (s) => backend.getServiceNames(s)),
      getRemoteServiceNames: (service, signal) =>
        this.nameList(signal, (s) => backend.getRemoteServiceNames(service.toLowerCase(), s)),
      getSpanNames: (service, signal) =>
        this.nameList(signal, (s) => backend.getSpanNames(service.toLowerCase(), s)),
    };
    this.autocomplete = {
      getKeys: async () => (options.searchEnabled ? [...this.autocompleteKeys] : []),
      // zipkin: tag values keep their case (GET, not get); only names are lowercased.
      getValues: (key, signal) =>
        this.autocompleteKeys.includes(key)
          ? this.nameList(signal, (s) => backend.getAutocompleteValues(key, s), false)
          : Promise.resolve([]),
    };
  }

  /** What the backend does itself (the conformance suite reads its opt-outs from here). */
  get capabilities(): BackendCapabilities {
    return this.backend.capabilities;
  }

  spanConsumer(): SpanConsumer {
    return this.consumer;
  }

  spanStore(): SpanStore {
    return this.store;
  }

  traces(): Traces {
    return this.byId;
  }

  serviceAndSpanNames(): ServiceAndSpanNames {
    return this.names;
  }

  autocompleteTags(): AutocompleteTags {
    return this.autocomplete;
  }

  async check(): Promise<CheckResult> {
    try {
      await withDeadline(
        'the health check',
        this.options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
        undefined,
        (s) => this.backend.check(s),
      );
      return { ok: true };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  async stats(): Promise<StorageStats> {
    const backend = (await this.backend.stats?.()) ?? {};
    return { ...backend, queuedBytes: this.writer?.pendingBytes ?? 0 };
  }

  /** Deletes everything stored (tests: one store per file, cleared between cases). */
  async clear(): Promise<void> {
    await this.writer?.drain();
    await this.backend.clear();
  }

  async close(): Promise<void> {
    await this.writer?.drain();
    await this.backend.close();
  }

  private read<T>(
    what: string,
    signal: AbortSignal | undefined,
    work: (s: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return withDeadline(what, this.options.queryTimeoutMs, signal, work);
  }

  private async nameList(
    signal: AbortSignal | undefined,
    get: (s: AbortSignal) => Promise<string[]>,
    lowercase = true,
  ): Promise<string[]> {
    if (!this.options.searchEnabled) return [];
    const names = await this.read('name list', signal, get);
    return [...new Set(lowercase ? names.map((n) => n.toLowerCase()) : names)].sort();
  }

  /** The key a trace is grouped and de-duplicated by. */
  private keyOf(traceId: string): string {
    return this.options.strictTraceId ? traceId : lowTraceId(traceId);
  }

  private async search(request: QueryRequest, signal: AbortSignal): Promise<Span[][]> {
    if (!this.options.searchEnabled) return [];
    const found = new Map<string, Span[]>();
    const fetched = new Set<string>();
    for await (const page of this.backend.findTraceIds(request, signal)) {
      const ids: string[] = [];
      for (const id of page) {
        const key = this.keyOf(id);
        if (fetched.has(key)) continue;
        fetched.add(key);
        ids.push(id);
      }
      if (ids.length > 0) {
        for (const trace of await this.backend.getSpans(ids, signal)) {
          const spans = this.unique(trace);
          if (spans.length > 0 && traceMatches(request, spans))
            found.set(this.keyOf(spans[0]!.traceId), spans);
        }
      }
      if (found.size >= request.limit) break;
      signal.throwIfAborted();
    }
    // Pages are newest first, but within the last page (and for groups of ids under STRICT_TRACE_ID=false,
    // whose timestamp spans several ids) order is settled here.
    return [...found.values()]
      .sort((a, b) => (traceTimestamp(b) ?? 0) - (traceTimestamp(a) ?? 0))
      .slice(0, request.limit);
  }

  private async trace(traceId: string, signal: AbortSignal): Promise<Span[]> {
    const id = parseTraceIdParam(traceId);
    if (id === undefined) return [];
    const traces = await this.backend.getSpans([id], signal);
    return this.unique(traces.flat());
  }

  private async traceMany(traceIds: readonly string[], signal: AbortSignal): Promise<Span[][]> {
    const byKey = new Map<string, string>();
    for (const raw of traceIds) {
      const id = parseTraceIdParam(raw);
      if (id !== undefined && !byKey.has(this.keyOf(id))) byKey.set(this.keyOf(id), id);
    }
    if (byKey.size === 0) return [];
    // Regroup by key: a backend may answer one trace as several lists (e.g. by stored id).
    const grouped = new Map<string, Span[]>();
    for (const trace of await this.backend.getSpans([...byKey.values()], signal)) {
      for (const span of trace) {
        const key = this.keyOf(span.traceId);
        if (!byKey.has(key)) continue;
        const group = grouped.get(key);
        if (group) group.push(span);
        else grouped.set(key, [span]);
      }
    }
    return [...grouped.values()].map((t) => this.unique(t));
  }

  private async dependencies(
    endTsMs: number,
    lookbackMs: number,
    signal: AbortSignal,
  ): Promise<DependencyLink[]> {
    if (!this.options.searchEnabled || !(endTsMs > 0) || !(lookbackMs > 0)) return [];
    if (this.backend.capabilities.dependencies === 'native' && this.backend.getDependencies) {
      const stored = await this.backend.getDependencies(endTsMs, lookbackMs, signal);
      if (stored !== undefined) return stored;
    }
    return this.linkWindow(endTsMs, lookbackMs, signal);
  }

  /** The fallback: every trace in the window, fetched in pages and linked by the shared linker. */
  private async linkWindow(
    endTsMs: number,
    lookbackMs: number,
    signal: AbortSignal,
  ): Promise<DependencyLink[]> {
    const request: QueryRequest = {
      annotationQuery: parseAnnotationQuery(undefined),
      endTs: endTsMs,
      lookback: Math.min(lookbackMs, endTsMs),
      limit: Number.MAX_SAFE_INTEGER,
    };
    const traces: Span[][] = [];
    let ids: string[] = [];
    const flush = async () => {
      if (ids.length > 0) traces.push(...(await this.backend.getSpans(ids, signal)));
      ids = [];
    };
    for await (const page of this.backend.findTraceIds(request, signal)) {
      for (const id of page) {
        ids.push(id);
        if (ids.length >= LINKER_PAGE) await flush();
      }
    }
    await flush();
    // zipkin: linking groups by the low 64 bits whatever STRICT_TRACE_ID says; linkDependencies regroups.
    return linkDependencies(traces.map((t) => this.unique(t)));
  }

  /** Drops repeated identical spans when the backend does not de-duplicate on write. */
  private unique(spans: Span[]): Span[] {
    if (this.backend.capabilities.deduplicates || spans.length < 2) return spans;
    const byId = new Map<string, Span[]>();
    const out: Span[] = [];
    for (const span of spans) {
      const same = byId.get(span.id);
      if (same === undefined) byId.set(span.id, [span]);
      else if (same.some((o) => sameSpan(o, span))) continue;
      else same.push(span);
      out.push(span);
    }
    return out;
  }
}

/** A StorageBackend turned into the StorageComponent every transport and API uses. */
export function createStorage<B extends StorageBackend>(backend: B, options: CoreOptions): CoreStorage<B> {
  return new CoreStorage(backend, options);
}

/** For backends: wraps an unexpected error from a driver as a StorageError of the given kind. */
export function storageFailure(kind: 'transient' | 'terminal', what: string, e: unknown): StorageError {
  if (e instanceof StorageError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new StorageError(kind, `${what}: ${message}`, kind === 'transient' ? 1 : undefined, { cause: e });
}
