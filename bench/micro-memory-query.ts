/**
 * Micro-benchmark of memory-store searches in-process (no HTTP): the query data set of the bench
 * (bench/query-dataset.ts) preloaded into the current store and, optionally, the store at a git revision;
 * then each search alternately on both, p50/p99 in ms. Separates store changes from HTTP and machine noise.
 * Usage: node --expose-gc --import tsx bench/micro-memory-query.ts [rev|-] [traces=100000]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeJsonV2List, encodeJsonV2List } from '../src/codec/json-v2/json-v2-codec.js';
import type { Span } from '../src/model/span.js';
import { MemoryStorage } from '../src/storage/memory/memory-storage.js';
import { parseQueryRequest, type QueryRequest } from '../src/storage/query-request.js';
import { datasetSpans, SERVICES, spanName } from './query-dataset.js';
import { summarize } from './stats.js';

interface Store {
  spanConsumer(): { accept(spans: Span[]): Promise<void> };
  spanStore(): { getTraces(r: QueryRequest): Promise<Span[][]> };
}
const [rev, tracesArg] = process.argv.slice(2);
const traces = Number(tracesArg ?? 100_000);
const options = { strictTraceId: true, searchEnabled: true, autocompleteKeys: [], maxSpans: 100_000_000 };
const stores: Array<[string, Store]> = [['current', new MemoryStorage(options)]];
let dir: string | undefined;
if (rev && rev !== '-') {
  dir = mkdtempSync(join(tmpdir(), 'skein-micro-'));
  execFileSync('sh', ['-c', `git archive ${JSON.stringify(rev)} src | tar -x -C ${JSON.stringify(dir)}`]);
  const mod = (await import(pathToFileURL(join(dir, 'src/storage/memory/memory-storage.ts')).href)) as {
    MemoryStorage: new (o: typeof options) => Store;
  };
  stores.push([rev, new mod.MemoryStorage(options)]);
}
const nowMs = Date.now();
const data = { seed: 1, endTsMicros: nowMs * 1000, spreadMicros: 23 * 3_600_000_000, traces };
for (let t = 0; t < traces; t += 100) {
  const json = encodeJsonV2List(datasetSpans(data, t, Math.min(traces, t + 100)));
  for (const [, store] of stores) await store.spanConsumer().accept(decodeJsonV2List(json));
}
const q = (i: number, extra: Record<string, unknown>) =>
  parseQueryRequest(
    { serviceName: SERVICES[i % 20], limit: 10, ...extra },
    { nowMs, lookbackMs: 86_400_000 },
  );
const searches: Array<[string, (i: number) => QueryRequest]> = [
  ['traces service', (i) => q(i, {})],
  ['traces +spanName', (i) => q(i, { spanName: spanName(i % 20, Math.floor(i / 20) % 5) })],
  [
    'traces +annotationQuery',
    (i) =>
      q(i, { spanName: spanName(i % 20, Math.floor(i / 20) % 5), annotationQuery: 'http.status_code=500' }),
  ],
  [
    'traces +minDuration',
    (i) =>
      q(i, {
        spanName: spanName(i % 20, Math.floor(i / 20) % 5),
        annotationQuery: 'http.status_code=500',
        minDuration: 100_000,
      }),
  ],
];
for (const [name, request] of searches) {
  const times = new Map<string, number[]>(stores.map(([n]) => [n, []]));
  for (let i = 0; i < 300; i++) {
    for (const [n, store] of stores) {
      const t0 = performance.now();
      await store.spanStore().getTraces(request(i));
      times.get(n)!.push(performance.now() - t0);
    }
  }
  for (const [n, list] of times) {
    const s = summarize(list.slice(20));
    process.stdout.write(`${name} ${n}: p50 ${s.p50.toFixed(3)} ms, p99 ${s.p99.toFixed(3)} ms\n`);
  }
}
if (dir) rmSync(dir, { recursive: true, force: true });
