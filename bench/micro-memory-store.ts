/**
 * Micro-benchmark of the memory store's accept(): CPU per span for batches of 100 generated spans decoded
 * from JSON v2 (as HTTP ingest hands them over), into a fresh store, optionally against the store at a git
 * revision (exported with git archive), alternating in one process because the machine is noisy.
 * With `preload` > 0, each store first holds that many traces of the query data set (10 spans each, spread
 * over 23 hours) and every round ingests on top of it.
 * Usage: node --expose-gc --import tsx bench/micro-memory-store.ts [rev|-] [spans=200000] [preload=0]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeJsonV2List, encodeJsonV2List } from '../src/codec/json-v2/json-v2-codec.js';
import type { Span } from '../src/model/span.js';
import { MemoryStorage } from '../src/storage/memory/memory-storage.js';
import { buildTemplates, patchedBody } from './ingest-bodies.js';
import { datasetSpans } from './query-dataset.js';

type Store = { spanConsumer(): { accept(spans: Span[]): Promise<void> } };
type Factory = () => Store;
const [rev, spansArg, preloadArg] = process.argv.slice(2);
const total = Number(spansArg ?? 200_000);
const preload = Number(preloadArg ?? 0);
const options = { strictTraceId: true, searchEnabled: true, autocompleteKeys: [], maxSpans: 10_000_000 };
const impls: Array<[string, Factory]> = [['current', () => new MemoryStorage(options)]];
let dir: string | undefined;
if (rev && rev !== '-') {
  dir = mkdtempSync(join(tmpdir(), 'skein-micro-'));
  execFileSync('sh', ['-c', `git archive ${JSON.stringify(rev)} src | tar -x -C ${JSON.stringify(dir)}`]);
  const mod = (await import(pathToFileURL(join(dir, 'src/storage/memory/memory-storage.ts')).href)) as {
    MemoryStorage: new (o: typeof options) => Store;
  };
  impls.push([rev, () => new mod.MemoryStorage(options)]);
}
const loaded = new Map<string, ReturnType<Store['spanConsumer']>>();
if (preload > 0) {
  const data = { seed: 1, endTsMicros: Date.now() * 1000, spreadMicros: 23 * 3_600_000_000, traces: preload };
  for (const [name, create] of impls) loaded.set(name, create().spanConsumer());
  for (let t = 0; t < preload; t += 100) {
    const json = encodeJsonV2List(datasetSpans(data, t, Math.min(preload, t + 100)));
    for (const store of loaded.values()) await store.accept(decodeJsonV2List(json));
  }
}
const templates = buildTemplates('json', 100, 100, 1);
const bodies = Math.ceil(total / 100);
try {
  for (let round = 0; round < 6; round++) {
    for (const [name, create] of impls) {
      const store = loaded.get(name) ?? create().spanConsumer();
      (globalThis as { gc?: () => void }).gc?.();
      let micros = 0;
      for (let i = 0; i < bodies; i++) {
        // Freshly decoded spans for every batch (the store may keep the objects it is given); only
        // accept() is timed.
        const batch = decodeJsonV2List(
          patchedBody(templates[i % templates.length]!, round * 1000 + Math.floor(i / templates.length)),
        );
        const c0 = process.cpuUsage();
        await store.accept(batch);
        const c = process.cpuUsage(c0);
        micros += c.user + c.system;
      }
      process.stdout.write(`${name}: ${(micros / bodies / 100).toFixed(3)} CPU us per span\n`);
    }
  }
} finally {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
