import { afterAll, expect } from 'vitest';
import type { DependencyLink } from '../../model/dependency-link.js';
import type { Span } from '../../model/span.js';
import { parseQueryRequest, type QueryRequest, type QueryRequestInput } from '../query-request.js';
import { mergeTrace } from '../../model/trace-merge.js';
import type { StorageComponent, StorageOptions } from '../storage-component.js';
import { traceTimestamp } from '../trace-matcher.js';
import { DAY, TODAY } from './fixtures.js';

/** Which backend optional features are missing, each with the reason the backend cannot offer it. */
export interface StorageCapabilities {
  /** The store cannot drop an identical span accepted twice (zipkin marks this optional). */
  noDeduplication?: string;
  /** The store cannot compute dependency links from stored traces. */
  noDependencies?: string;
  /** The store has nowhere to keep span links (Skein's extension; Zipkin's own schemas have no column). */
  noSpanLinks?: string;
  /**
   * The store merges fragments of one span on write (Zipkin's MySQL schema: one row per span id, upserted),
   * so it returns merged spans, not the raw ones accepted. Traces are then compared after merging both
   * sides (zipkin: returnsRawSpans() false), and the cases that need the raw fragments apart are skipped
   * (zipkin disables them: "v1 format is lossy in conversion when rows as upsert").
   */
  mergesFragments?: string;
}

/** Stores made by makeWithStorage whose capabilities say they return merged spans. */
const merging = new WeakSet<StorageComponent>();

export interface StorageConformanceOptions {
  /** Shown in the suite name, e.g. "mem" or "sqlite". */
  name: string;
  /**
   * Creates an empty store. Without `clear` it is called once per test; with `clear`, once per distinct
   * StorageOptions per file, and the store is cleared between tests. The suite closes what it created.
   */
  create: (options: StorageOptions) => Promise<StorageComponent>;
  /**
   * Deletes everything in a store made by `create`, so server-backed and file stores (whose open costs
   * a connection pool, a schema check or worker threads) are opened a few times per file, not per test.
   */
  clear?: (storage: StorageComponent) => Promise<void>;
  capabilities?: StorageCapabilities;
}

export const DEFAULT_OPTIONS: StorageOptions = {
  strictTraceId: true,
  searchEnabled: true,
  autocompleteKeys: [],
};

export type WithStorage = (
  options: Partial<StorageOptions>,
  body: (storage: StorageComponent) => Promise<void>,
) => Promise<void>;

export function makeWithStorage(
  create: StorageConformanceOptions['create'],
  clear?: StorageConformanceOptions['clear'],
  capabilities: StorageCapabilities = {},
): WithStorage {
  const open_ = async (options: StorageOptions) => {
    const storage = await create(options);
    if (capabilities.mergesFragments !== undefined) merging.add(storage);
    return storage;
  };
  if (clear === undefined) {
    return async (options, body) => {
      const storage = await open_({ ...DEFAULT_OPTIONS, ...options });
      try {
        expect(await storage.check()).toEqual({ ok: true });
        await body(storage);
      } finally {
        await storage.close();
      }
    };
  }
  const open = new Map<string, Promise<StorageComponent>>();
  afterAll(async () => {
    const stores = await Promise.allSettled(open.values());
    await Promise.all(stores.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
  });
  return async (options, body) => {
    const full = { ...DEFAULT_OPTIONS, ...options };
    const key = JSON.stringify(full);
    let pending = open.get(key);
    if (pending === undefined) {
      pending = open_(full);
      open.set(key, pending);
    }
    const storage = await pending;
    // Cleared before (not after) each case: a failed case leaves its data for a look, and the next starts clean.
    await clear(storage);
    expect(await storage.check()).toEqual({ ok: true });
    await body(storage);
  };
}

/** Accepts in batches of 100 spans, as zipkin's suites do, so stores see several writes. */
export async function accept(storage: StorageComponent, spans: readonly Span[]): Promise<void> {
  for (let i = 0; i < spans.length; i += 100) {
    await storage.spanConsumer().accept(spans.slice(i, i + 100));
  }
}

/**
 * zipkin's harness request: endTs = today midnight + 1 day, lookback 2 days, limit 100. Built through
 * parseQueryRequest so names are lowercased and annotationQuery parsed exactly as the API does.
 */
export function query(input: QueryRequestInput = {}): QueryRequest {
  return parseQueryRequest(
    { endTs: TODAY + DAY, lookback: 2 * DAY, limit: 100, ...input },
    { nowMs: TODAY + DAY, lookbackMs: 2 * DAY },
  );
}

/** Stores promise no span order within a trace; sort so comparisons are deterministic. */
export function sortTrace(trace: readonly Span[]): Span[] {
  return [...trace].sort(compareSpans);
}

function compareSpans(l: Span, r: Span): number {
  return (
    cmp(l.traceId, r.traceId) ||
    cmp(l.id, r.id) ||
    cmp(l.shared ? 1 : 0, r.shared ? 1 : 0) ||
    cmp(l.name ?? '', r.name ?? '') ||
    cmp(l.timestamp ?? 0, r.timestamp ?? 0) ||
    cmp(l.duration ?? 0, r.duration ?? 0) ||
    cmp(JSON.stringify(l), JSON.stringify(r))
  );
}

/** Traces sorted internally and then among themselves, for order-insensitive set comparison. */
export function sortTraces(traces: readonly (readonly Span[])[]): Span[][] {
  return traces.map(sortTrace).sort((l, r) => {
    for (let i = 0; i < Math.min(l.length, r.length); i++) {
      const c = compareSpans(l[i]!, r[i]!);
      if (c !== 0) return c;
    }
    return l.length - r.length;
  });
}

function cmp<T extends string | number>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Asserts the search returns exactly these traces (every span of each, no other trace), and that they come
 * newest first. Stores are fresh per test, so "exactly" is stricter than zipkin's "contains all" yet sound.
 */
export async function expectTraces(
  storage: StorageComponent,
  request: QueryRequest,
  ...expected: (readonly Span[])[]
): Promise<Span[][]> {
  const actual = await storage.spanStore().getTraces(request);
  expect(sortTraces(actual.map((t) => comparable(storage, t)))).toEqual(
    sortTraces(expected.map((t) => comparable(storage, t))),
  );
  expectNewestFirst(actual);
  return actual;
}

export async function expectNoTraces(storage: StorageComponent, request: QueryRequest): Promise<void> {
  expect(await storage.spanStore().getTraces(request)).toEqual([]);
}

export async function expectTraceCount(
  storage: StorageComponent,
  request: QueryRequest,
  count: number,
): Promise<void> {
  const actual = await storage.spanStore().getTraces(request);
  expect(actual.length).toBe(count);
  expectNewestFirst(actual);
}

export function expectNewestFirst(traces: readonly (readonly Span[])[]): void {
  const timestamps = traces.map((t) => traceTimestamp(t) ?? 0);
  const sorted = [...timestamps].sort((a, b) => b - a);
  expect(timestamps).toEqual(sorted);
}

export async function expectTrace(
  storage: StorageComponent,
  traceId: string,
  expected: readonly Span[],
): Promise<void> {
  expect(sortTrace(comparable(storage, await storage.traces().getTrace(traceId)))).toEqual(
    sortTrace(comparable(storage, expected)),
  );
}

/** A trace as compared: merged when the store returns merged spans (capabilities.mergesFragments). */
function comparable(storage: StorageComponent, trace: readonly Span[]): readonly Span[] {
  return merging.has(storage) ? mergeTrace(trace) : trace;
}

export async function expectTraceMany(
  storage: StorageComponent,
  traceIds: readonly string[],
  ...expected: (readonly Span[])[]
): Promise<void> {
  const actual = await storage.traces().getTraces(traceIds);
  expect(sortTraces(actual.map((t) => comparable(storage, t)))).toEqual(
    sortTraces(expected.map((t) => comparable(storage, t))),
  );
}

/** Links compared as a set, with errorCount 0 and absent treated alike (zipkin omits zero). */
export async function expectLinks(
  storage: StorageComponent,
  endTsMs: number,
  lookbackMs: number,
  expected: readonly DependencyLink[],
): Promise<void> {
  const actual = await storage.spanStore().getDependencies(endTsMs, lookbackMs);
  expect(sortLinks(actual)).toEqual(sortLinks(expected));
}

export function sortLinks(links: readonly DependencyLink[]): DependencyLink[] {
  return links
    .map((l) => ({ parent: l.parent, child: l.child, callCount: l.callCount, errorCount: l.errorCount ?? 0 }))
    .sort((a, b) => cmp(a.parent, b.parent) || cmp(a.child, b.child));
}

export function link(parent: string, child: string, callCount = 1, errorCount = 0): DependencyLink {
  return { parent, child, callCount, errorCount };
}
