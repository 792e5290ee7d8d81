import { describe, expect, it } from 'vitest';
import { failureOf } from '../../model/failure.js';
import { normalizeSpan } from '../../model/normalize-span.js';
import type { Span } from '../../model/span.js';
import { parseQueryRequest } from '../query-request.js';
import type { BackendCapabilities, StorageBackend } from '../storage-backend.js';
import { createStorage } from './storage-core.js';

const T = 1_700_000_000_000;
const span = (traceId: string, id: string, service: string, offsetMs: number): Span =>
  normalizeSpan({
    traceId,
    id,
    name: 'get',
    timestamp: (T + offsetMs) * 1000,
    duration: 5,
    localEndpoint: { serviceName: service },
  });
const query = (limit = 10) =>
  parseQueryRequest({ endTs: T + 1000, lookback: 10_000, limit }, { nowMs: T, lookbackMs: 10_000 });

/** A backend over an array, with knobs for what the core must cope with. */
class ArrayBackend implements StorageBackend {
  readonly name = 'array';
  readonly spans: Span[] = [];
  pagesServed = 0;
  lastSignal: AbortSignal | undefined;
  constructor(
    readonly capabilities: BackendCapabilities,
    private readonly pageSize = 2,
    private readonly hang = false,
  ) {}
  async write(spans: readonly Span[]) {
    this.spans.push(...spans);
  }
  async *findTraceIds(_request: unknown, signal: AbortSignal) {
    this.lastSignal = signal;
    if (this.hang)
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    // newest first, as the contract asks; a superset (every trace, whatever the request)
    const ids = [
      ...new Set([...this.spans].sort((a, b) => b.timestamp! - a.timestamp!).map((s) => s.traceId)),
    ];
    for (let i = 0; i < ids.length; i += this.pageSize) {
      this.pagesServed++;
      yield ids.slice(i, i + this.pageSize);
    }
  }
  async getSpans(ids: readonly string[]) {
    return ids.map((id) => this.spans.filter((s) => s.traceId === id)).filter((t) => t.length > 0);
  }
  async getServiceNames() {
    return this.spans.map((s) => s.localEndpoint!.serviceName!).concat(['B-UPPER']);
  }
  async getRemoteServiceNames() {
    return [];
  }
  async getSpanNames() {
    return [];
  }
  async getAutocompleteValues() {
    return ['x'];
  }
  async check() {}
  async clear() {
    this.spans.length = 0;
  }
  async close() {}
}

const caps = (over: Partial<BackendCapabilities> = {}): BackendCapabilities => ({
  exactSearch: false,
  dependencies: 'linker',
  deduplicates: false,
  groupCommit: false,
  ...over,
});
const options = { strictTraceId: true, searchEnabled: true, autocompleteKeys: ['env'] };

describe('storage core over a backend', () => {
  it('stops pulling candidate pages once it has limit matches, newest first', async () => {
    const backend = new ArrayBackend(caps());
    const storage = createStorage(backend, options);
    await storage
      .spanConsumer()
      .accept([1, 2, 3, 4, 5, 6].map((i) => span(`${i}`.padStart(16, '0'), '1', 'svc', i)));
    const traces = await storage.spanStore().getTraces(query(3));
    expect(traces.map((t) => t[0]!.traceId.slice(-1))).toEqual(['6', '5', '4']);
    expect(backend.pagesServed).toBe(2); // pages of 2: the third was never asked for
  });

  it('returns an identical span once when the backend keeps duplicates', async () => {
    const storage = createStorage(new ArrayBackend(caps()), options);
    const s = span('000000000000000a', '1', 'svc', 1);
    await storage.spanConsumer().accept([s, { ...s }]);
    expect(await storage.traces().getTrace('000000000000000a')).toHaveLength(1);
  });

  it('lowercases, de-duplicates and sorts name lists, and empties them with search disabled', async () => {
    const backend = new ArrayBackend(caps());
    await backend.write([span('000000000000000a', '1', 'b', 1), span('000000000000000b', '1', 'a', 1)]);
    expect(await createStorage(backend, options).serviceAndSpanNames().getServiceNames()).toEqual([
      'a',
      'b',
      'b-upper',
    ]);
    const disabled = createStorage(backend, { ...options, searchEnabled: false });
    expect(await disabled.serviceAndSpanNames().getServiceNames()).toEqual([]);
    expect(await disabled.spanStore().getTraces(query())).toEqual([]);
    expect(await disabled.traces().getTrace('000000000000000a')).toHaveLength(1); // by id still works
  });

  it('answers autocomplete only for configured keys', async () => {
    const storage = createStorage(new ArrayBackend(caps()), options);
    expect(await storage.autocompleteTags().getKeys()).toEqual(['env']);
    expect(await storage.autocompleteTags().getValues('env')).toEqual(['x']);
    expect(await storage.autocompleteTags().getValues('other')).toEqual([]);
  });

  it('links dependencies with the shared linker when the backend stores none', async () => {
    const backend = new ArrayBackend(caps());
    const storage = createStorage(backend, options);
    const parent = span('000000000000000a', '1', 'web', 1);
    const child = normalizeSpan({ ...span('000000000000000a', '2', 'db', 2), parentId: '1', kind: 'SERVER' });
    await storage.spanConsumer().accept([{ ...parent, kind: 'CLIENT' }, child]);
    expect(await storage.spanStore().getDependencies(T + 1000, 10_000)).toEqual([
      { parent: 'web', child: 'db', callCount: 1 },
    ]);
  });

  it('cancels a read at QUERY_TIMEOUT: the backend sees its signal abort and the caller gets a 503', async () => {
    const backend = new ArrayBackend(caps(), 2, true);
    const storage = createStorage(backend, { ...options, queryTimeoutMs: 50 });
    const err = await storage
      .spanStore()
      .getTraces(query())
      .catch((e: unknown) => e);
    expect(backend.lastSignal?.aborted).toBe(true);
    expect(failureOf(err)).toMatchObject({ kind: 'over-capacity', httpStatus: 503, retryAfterSeconds: 1 });
    expect((err as Error).message).toMatch(/QUERY_TIMEOUT \(50 ms\)/);
  });

  it('cancels a read when the caller aborts', async () => {
    const backend = new ArrayBackend(caps(), 2, true);
    const storage = createStorage(backend, options);
    const controller = new AbortController();
    const pending = storage.spanStore().getTraces(query(), controller.signal);
    controller.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    expect(backend.lastSignal?.aborted).toBe(true);
  });

  it('says DOWN with the reason when the health check fails or hangs', async () => {
    const failing = new ArrayBackend(caps());
    failing.check = async () => {
      throw new Error('connection refused');
    };
    expect(await createStorage(failing, options).check()).toEqual({ ok: false, error: 'connection refused' });
    const hanging = new ArrayBackend(caps());
    hanging.check = () => new Promise(() => undefined);
    const result = await createStorage(hanging, { ...options, checkTimeoutMs: 50 }).check();
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/health check took longer/) });
  });
});

describe('batching writer (group commit)', () => {
  it('hands accepts that wait behind a running write to the backend together, each resolving after its write', async () => {
    const writes: number[] = [];
    let release: () => void = () => undefined;
    const backend = new ArrayBackend(caps({ groupCommit: true, maxConcurrentWrites: 1 }));
    backend.write = async (spans) => {
      writes.push(spans.length);
      await new Promise<void>((r) => (release = r));
      backend.spans.push(...spans);
    };
    const storage = createStorage(backend, options);
    const first = storage.spanConsumer().accept([span('000000000000000a', '1', 'svc', 1)]);
    const rest = [2, 3, 4].map((i) =>
      storage.spanConsumer().accept([span(`${i}`.padStart(16, '0'), '1', 'svc', i)]),
    );
    expect(writes).toEqual([1]);
    release();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([1, 3]); // the three waiting accepts went as one write
    release();
    await Promise.all(rest);
    expect(backend.spans).toHaveLength(4);
  });

  it('refuses with over-capacity when the queued bytes pass the bound, before queueing anything', async () => {
    const backend = new ArrayBackend(caps({ groupCommit: true, maxConcurrentWrites: 1 }));
    backend.write = () => new Promise(() => undefined); // storage stuck
    const storage = createStorage(backend, { ...options, maxQueuedBytes: 1000 });
    const big = Array.from({ length: 4 }, (_, i) => span('000000000000000a', `${i + 1}`, 'svc', 1));
    void storage.spanConsumer().accept(big); // running
    void storage.spanConsumer().accept(big); // queued
    const err = await storage
      .spanConsumer()
      .accept(big)
      .catch((e: unknown) => e);
    expect(failureOf(err)).toMatchObject({ kind: 'over-capacity', httpStatus: 503, queue: 'requeue' });
  });
});
