import type { DependencyLink } from '../../model/dependency-link.js';
import { lowTraceId } from '../../model/ids.js';
import type { Span } from '../../model/span.js';
import { DependencyLinker, linkDependencies, mergeDependencyLinks } from '../dependency-linker.js';
import type { QueryRequest } from '../query-request.js';
import type { BackendCapabilities, StorageBackend } from '../storage-backend.js';
import type { StorageOptions } from '../storage-component.js';
import { CoreStorage, type CoreOptions } from '../core/storage-core.js';
import { inQueryWindow, spansMatch } from '../trace-matcher.js';
import { sameSpan } from '../core/same-span.js';
import { SearchIndex } from './search-index.js';
import { LinkInterner } from './link-interner.js';
import { SpanInterner } from './span-interner.js';
import { TimeIndex } from './time-index.js';
import { liveItems, refCount } from './trace-refs.js';

export interface MemoryStorageOptions extends StorageOptions {
  /** MEM_MAX_SPANS: past this many spans, whole traces are evicted, oldest trace timestamp first. */
  maxSpans: number;
}

/**
 * The spans of one trace plus what search needs about them. Indexes point at this record, never at
 * copies of spans. `ts` is the trace timestamp (trace-matcher traceTimestamp), 0 when no span has one.
 */
interface TraceRecord {
  spans: Span[];
  /** Set on eviction; the search index drops its references to evicted records lazily. */
  evicted: boolean;
  ts: number;
  /** Earliest timestamp of a span without parentId, 0 when none. */
  rootTs: number;
  /** Earliest timestamp of any span, 0 when none. */
  minTs: number;
  /** Search scratch: equals the search's number while that search counts this trace as a candidate. */
  mark: number;
  /** This trace's dependency links once a dependency query computed them; cleared when a span arrives. */
  links: readonly DependencyLink[] | undefined;
}

/**
 * Above this many indexed candidates, a search walks the time window newest first and tests each trace,
 * instead of sorting every candidate by timestamp: many candidates means matches are dense, so the walk
 * reaches the limit early.
 */
const SORT_CANDIDATES_MAX = 10_000;

/**
 * In-memory storage (STORAGE_TYPE=mem): traces keyed by trace id (its low 64 bits when strictTraceId is
 * false), bounded by maxSpans with whole-trace eviction, searched through name/tag indexes and a time index.
 * Everything is synchronous underneath, so each call sees a consistent state; the core (CoreStorage) adds
 * Zipkin's rules on top.
 */
export class MemoryStorage extends CoreStorage<MemoryBackend> {
  constructor(opts: MemoryStorageOptions & Pick<CoreOptions, 'queryTimeoutMs'>) {
    super(new MemoryBackend(opts), opts);
  }

  /** How many spans are held now (after de-duplication and eviction). */
  get spanCount(): number {
    return this.backend.spanCount;
  }

  /** How many traces are held now. */
  get traceCount(): number {
    return this.backend.traceCount;
  }
}

/** The memory store's own work: indexes, eviction, exact search, cached per-trace dependency links. */
export class MemoryBackend implements StorageBackend {
  readonly name = 'MemoryStorage';
  readonly capabilities: BackendCapabilities = {
    // The indexes narrow candidates and the shared matcher decides, so one page of `limit` is exact.
    exactSearch: true,
    dependencies: 'native',
    deduplicates: true,
    // accept is synchronous: there is no commit to share.
    groupCommit: false,
  };
  private readonly strictTraceId: boolean;
  private readonly searchEnabled: boolean;
  private readonly maxSpans: number;
  private readonly autocompleteKeys: string[];
  private readonly traceMap = new Map<string, TraceRecord>();
  private readonly timeIndex = new TimeIndex<TraceRecord>();
  private readonly searchIndex = new SearchIndex<TraceRecord>();
  private readonly interner = new SpanInterner();
  private readonly linkInterner = new LinkInterner();
  private storedSpans = 0;
  /** Numbers searches for TraceRecord.mark. */
  private searchCount = 0;

  constructor(opts: MemoryStorageOptions) {
    if (!(opts.maxSpans > 0)) throw new RangeError(`maxSpans must be positive, was ${opts.maxSpans}`);
    this.strictTraceId = opts.strictTraceId;
    this.searchEnabled = opts.searchEnabled;
    this.maxSpans = opts.maxSpans;
    this.autocompleteKeys = [...new Set(opts.autocompleteKeys)];
  }

  async write(spans: readonly Span[]): Promise<void> {
    this.accept(spans);
  }

  async *findTraceIds(request: QueryRequest): AsyncIterable<readonly string[]> {
    yield this.search(request).map((r) => r.spans[0]!.traceId);
  }

  async getSpans(traceIds: readonly string[]): Promise<Span[][]> {
    const out: Span[][] = [];
    for (const id of traceIds) {
      const record = this.traceMap.get(this.keyOf(id));
      if (record && record.spans.length > 0) out.push([...record.spans]);
    }
    return out;
  }

  async getServiceNames(): Promise<string[]> {
    return this.searchIndex.serviceNames();
  }

  async getRemoteServiceNames(service: string): Promise<string[]> {
    return this.searchIndex.remoteServiceNamesOf(service);
  }

  async getSpanNames(service: string): Promise<string[]> {
    return this.searchIndex.spanNamesOf(service);
  }

  async getAutocompleteValues(key: string): Promise<string[]> {
    return this.autocompleteKeys.includes(key) ? this.searchIndex.tagValuesOf(key) : [];
  }

  async getDependencies(endTsMs: number, lookbackMs: number): Promise<DependencyLink[]> {
    return this.dependencies(endTsMs, lookbackMs);
  }

  async check(): Promise<void> {}

  async clear(): Promise<void> {
    this.traceMap.clear();
    this.timeIndex.clear();
    this.searchIndex.clear();
    this.storedSpans = 0;
  }

  async close(): Promise<void> {
    await this.clear();
  }

  /** How many spans are held now (after de-duplication and eviction). */
  get spanCount(): number {
    return this.storedSpans;
  }

  /** How many traces are held now. */
  get traceCount(): number {
    return this.traceMap.size;
  }

  private accept(spans: readonly Span[]): void {
    // A batch carries a trace's spans together: consecutive spans of one trace find their record
    // without a hash lookup of the 32-character id in a map of every stored trace.
    let lastTraceId: string | undefined;
    let record: TraceRecord | undefined;
    let isNew = false;
    for (const span of spans) {
      if (record === undefined || span.traceId !== lastTraceId) {
        if (record !== undefined) this.endRun(record, isNew);
        lastTraceId = span.traceId;
        const key = this.keyOf(span.traceId);
        record = this.traceMap.get(key);
        isNew = record === undefined;
        if (record === undefined) {
          record = { spans: [], evicted: false, ts: 0, rootTs: 0, minTs: 0, mark: 0, links: undefined };
          this.traceMap.set(key, record);
        }
      }
      this.acceptOne(span, record, isNew);
    }
    if (record !== undefined) this.endRun(record, isNew);
    while (this.storedSpans > this.maxSpans) this.evictOldestTrace();
  }

  /**
   * After a run of one trace's spans: a new trace enters the time index only now, with its timestamp
   * known. Entering it at 0 first and moving it created and deleted the bucket for 0 each time, at the
   * front of the sorted bucket ids: a copy of the whole id array per new trace (a day of data has 86,400
   * buckets; 1M stored spans: ~10 us per span, 5M: 39% of ingest CPU).
   */
  private endRun(record: TraceRecord, isNew: boolean): void {
    if (isNew) this.timeIndex.add(record);
    trimSpans(record);
  }

  private acceptOne(span: Span, record: TraceRecord, isNew: boolean): void {
    const spans = record.spans;
    // zipkin: the same span reported twice is stored once. Ids differ for all but re-sent and shared
    // spans, so the full comparison only runs for those.
    const id = span.id;
    for (let i = 0; i < spans.length; i++) {
      const stored = spans[i]!;
      if (stored.id === id && sameSpan(stored, span)) return;
    }
    const first = spans[0];
    const stored = this.interner.intern(span, first === undefined ? span.traceId : first.traceId);
    spans.push(stored);
    record.links = undefined;
    this.storedSpans++;
    if (stored.timestamp !== undefined) {
      this.updateTimestamp(record, stored.timestamp, stored.parentId === undefined, isNew);
    }
    if (this.searchEnabled) this.searchIndex.add(stored, record);
  }

  /** `isNew`: the record is not in the time index yet (it enters at the end of its run). */
  private updateTimestamp(record: TraceRecord, ts: number, isRoot: boolean, isNew: boolean): void {
    if (record.minTs === 0 || ts < record.minTs) record.minTs = ts;
    if (isRoot && (record.rootTs === 0 || ts < record.rootTs)) record.rootTs = ts;
    const traceTs = record.rootTs || record.minTs;
    if (traceTs === record.ts) return;
    if (isNew) {
      record.ts = traceTs;
      return;
    }
    this.timeIndex.remove(record);
    record.ts = traceTs;
    this.timeIndex.add(record);
  }

  private evictOldestTrace(): void {
    const record = this.timeIndex.oldest();
    if (record === undefined) return;
    this.timeIndex.remove(record);
    this.traceMap.delete(this.keyOf(record.spans[0]!.traceId));
    this.storedSpans -= record.spans.length;
    record.evicted = true;
    if (this.searchEnabled) this.searchIndex.evicted(record.spans);
    record.spans = [];
  }

  private keyOf(traceId: string): string {
    return this.strictTraceId ? traceId : lowTraceId(traceId);
  }

  private search(request: QueryRequest): TraceRecord[] {
    if (!this.searchEnabled) return [];
    const lists = this.searchIndex.candidateLists(request);
    if (lists === null) return [];
    const candidates = lists?.[0];
    const fromMicros = (request.endTs - request.lookback) * 1000;
    const toMicros = request.endTs * 1000;

    let ordered: Iterable<TraceRecord>;
    if (candidates !== undefined && refCount(candidates) <= SORT_CANDIDATES_MAX) {
      let inWindow: TraceRecord[] = [];
      for (const record of liveItems(candidates)) {
        if (inQueryWindow(request, record.ts)) inWindow.push(record);
      }
      // Every match is in every indexed list: keep the candidates the other lists also hold, as long as
      // flagging a list costs less than the matcher runs it can save (one run ~ 64 flags, measured).
      for (let i = 1; i < lists!.length && inWindow.length > request.limit; i++) {
        const other = lists![i]!;
        if (refCount(other) > 64 * inWindow.length) break;
        const mark = ++this.searchCount;
        if (Array.isArray(other)) for (const r of other) r.mark = mark;
        else other.mark = mark;
        inWindow = inWindow.filter((r) => r.mark === mark);
      }
      ordered = inWindow.sort((a, b) => b.ts - a.ts);
    } else {
      ordered = this.timeIndex.newestFirst(fromMicros, toMicros);
    }
    // Walking the window with many candidates: when matches are dense the walk ends after a few traces,
    // but when they are sparse it would run the matcher on most of the window (5M spans: 400 ms). So once
    // the misses have cost about as much as flagging every candidate would (one matcher run ~ 64 flags,
    // measured), the candidates are flagged and the rest of the walk skips other traces with one
    // comparison. Either way the cost stays within twice the better of the two.
    const walking = candidates !== undefined && !Array.isArray(ordered);
    const flagAfterMisses = walking ? refCount(candidates) / 64 : Infinity;
    let misses = 0;
    let mark = 0;

    const result: TraceRecord[] = [];
    for (const record of ordered) {
      if (result.length >= request.limit) break;
      if (mark !== 0 && record.mark !== mark) continue;
      if (spansMatch(request, record.spans)) result.push(record);
      else if (mark === 0 && ++misses > flagAfterMisses) {
        mark = ++this.searchCount;
        if (Array.isArray(candidates)) for (const c of candidates) c.mark = mark;
        else candidates!.mark = mark;
      }
    }
    return result;
  }

  private dependencies(endTsMs: number, lookbackMs: number): DependencyLink[] {
    if (!this.searchEnabled || !(endTsMs > 0) || !(lookbackMs > 0)) return [];
    // zipkin: dependency linking always groups by the low 64 bits, whatever strictTraceId says.
    const byLowId = new Map<string, TraceRecord | TraceRecord[]>();
    const add = (record: TraceRecord) => {
      const low = lowTraceId(record.spans[0]!.traceId);
      const group = byLowId.get(low);
      if (group === undefined) byLowId.set(low, record);
      else if (Array.isArray(group)) {
        if (!group.includes(record)) group.push(record);
      } else if (group !== record) byLowId.set(low, [group, record]);
    };
    for (const record of this.timeIndex.newestFirst((endTsMs - lookbackMs) * 1000, endTsMs * 1000)) {
      add(record);
      const traceId = record.spans[0]!.traceId;
      if (this.strictTraceId && traceId.length === 32) {
        // the 64-bit form of the same trace is a separate record in strict mode
        const sibling = this.traceMap.get(lowTraceId(traceId));
        if (sibling) add(sibling);
      }
    }
    // A trace alone under its low id is linked once and its links kept until it changes: a day of
    // dependencies then sums cached links instead of rebuilding every span tree (1M spans: seconds -> ms).
    // Records sharing a low id (strict mode, 64- and 128-bit forms) are linked together, uncached.
    const perTrace: (readonly DependencyLink[])[] = [];
    for (const group of byLowId.values()) {
      if (Array.isArray(group)) {
        perTrace.push(linkDependencies(group.map((r) => r.spans)));
        continue;
      }
      group.links ??= this.linkInterner.internAll(new DependencyLinker().putTrace(group.spans).link());
      perTrace.push(group.links);
    }
    // Cached links are shared objects (LinkInterner): count each once per trace, then sum by name.
    const times = new Map<DependencyLink, number>();
    for (const links of perTrace) for (const l of links) times.set(l, (times.get(l) ?? 0) + 1);
    const scaled: DependencyLink[] = [];
    for (const [l, n] of times) {
      const link: DependencyLink = { parent: l.parent, child: l.child, callCount: l.callCount * n };
      if (l.errorCount) link.errorCount = l.errorCount * n;
      scaled.push(link);
    }
    return mergeDependencyLinks(scaled);
  }
}

/**
 * Pushing onto an empty array reserves 17 slots; most traces stop far below that, and the spare slots
 * (8 bytes each) would stay for the trace's lifetime. A copy of a small array has exactly its length.
 * Larger traces keep the growth slack: copying them after every batch would cost more than it saves.
 */
function trimSpans(record: TraceRecord): void {
  if (record.spans.length <= 16) record.spans = record.spans.slice();
}
