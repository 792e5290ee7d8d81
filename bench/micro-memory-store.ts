/**
 * Micro-benchmark of the memory store's accept(): CPU per span for batches of 100 generated spans decoded
 * from JSON v2 (as HTTP ingest hands them over), into a fresh store, optionally against the store at a git
 * revision (exported with git archive), alternating in one process because the machine is noisy.
 * Usage: tsx bench/micro-memory-store.ts [rev] [spans=200000]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeJsonV2List } from '../src/codec/json-v2/json-v2-codec.js';
import type { Span } from '../src/model/span.js';
import { MemoryStorage } from '../src/storage/memory/memory-storage.js';
import { buildTemplates, patchedBody } from './ingest-bodies.js';

type Store = { spanConsumer(): { accept(spans: Span[]): Promise<void> } };
type Factory = () => Store;
const [rev, spansArg] = process.argv.slice(2);
const total = Number(spansArg ?? 200_000);
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
const templates = buildTemplates('json', 100, 100, 1);
const bodies = Math.ceil(total / 100);
try {
  for (let round = 0; round < 6; round++) {
    for (const [name, create] of impls) {
      const store = create().spanConsumer();
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
