/**
 * Measures a day of dependency links on the SQLite store (in process, through SqliteStorage, so the
 * figures are the store's own: reader worker, SQL, linking): first call, repeat call, a call after a little
 * more ingest (some traces gain spans, some are new) and a call after a restart. A measurement, not a test:
 * run it by hand and read the figures.
 *
 *   npx tsx test/sqlite/measure-dependencies.ts [spans=200000] [strictTraceId=true]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateTraces } from '../../src/demo/trace-generator.js';
import type { Span } from '../../src/model/span.js';
import { openSqliteStorage, type SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const targetSpans = Number(process.argv[2] ?? 200_000);
const strictTraceId = (process.argv[3] ?? 'true') === 'true';
const DAY_MS = 86_400_000;
const BATCH_SPANS = 2_000;

const dir = mkdtempSync(join(tmpdir(), 'skein-deps-'));
const path = join(dir, 'skein.sqlite');
const endTsMs = Date.now();

const open = () =>
  openSqliteStorage({
    path,
    strictTraceId,
    searchEnabled: true,
    autocompleteKeys: [],
    retentionMs: 7 * DAY_MS,
    retentionMaxBytes: 64 * 1024 ** 3,
  });

/** Accepts traces in batches of about BATCH_SPANS spans; returns the number of spans sent. */
async function ingest(storage: SqliteStorage, traces: Span[][]): Promise<number> {
  let batch: Span[] = [];
  let sent = 0;
  const pending: Promise<void>[] = [];
  for (const t of traces) {
    batch.push(...t);
    if (batch.length >= BATCH_SPANS) {
      pending.push(storage.spanConsumer().accept(batch));
      sent += batch.length;
      batch = [];
      if (pending.length >= 8) await Promise.all(pending.splice(0));
    }
  }
  if (batch.length > 0) pending.push(storage.spanConsumer().accept(batch));
  sent += batch.length;
  await Promise.all(pending);
  return sent;
}

async function timeDeps(storage: SqliteStorage, label: string): Promise<string> {
  const t = performance.now();
  const links = await storage.spanStore().getDependencies(endTsMs + 60_000, DAY_MS);
  const ms = performance.now() - t;
  const calls = links.reduce((n, l) => n + l.callCount, 0);
  console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  (${links.length} links, ${calls} calls)`);
  return JSON.stringify(links);
}

/**
 * Accepts small batches of new traces one after another until `done` settles and `tailMs` more have
 * passed (the dependency reader stores links after answering), and prints accept latencies: ingest must
 * not wait for dependency work.
 */
async function ingestDuring(storage: SqliteStorage, done: Promise<unknown>, tailMs: number): Promise<void> {
  let settled = false;
  void done.finally(() => setTimeout(() => (settled = true), tailMs));
  const ms: number[] = [];
  let seed = 5_000_000;
  while (!settled) {
    const spans = generateTraces({ seed: seed++, traces: 20, endTsMicros: endTsMs * 1000 }).flat();
    const t = performance.now();
    await storage.spanConsumer().accept(spans);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const p = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(0);
  console.log(`  accepts meanwhile: n=${ms.length} p50=${p(0.5)} ms p99=${p(0.99)} ms max=${p(1)} ms`);
}

let storage = await open();
try {
  const t0 = performance.now();
  let spans = 0;
  let seed = 1;
  const kept: Span[][] = [];
  while (spans < targetSpans) {
    const traces = generateTraces({
      seed: seed++,
      traces: 2_000,
      endTsMicros: endTsMs * 1000,
      spreadMicros: DAY_MS * 1000,
    });
    if (kept.length < 500) kept.push(...traces.slice(0, 500 - kept.length));
    spans += await ingest(storage, traces);
  }
  console.log(
    `strictTraceId=${strictTraceId}: ingested ${spans} spans in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  console.log('no dependency call');
  await ingestDuring(storage, Promise.resolve(), 3_000);
  const firstCall = timeDeps(storage, 'first call');
  await ingestDuring(storage, firstCall, 2_000);
  await firstCall;
  // Traces accepted during the first call are new to the second.
  const second = await timeDeps(storage, 'second call');
  if ((await timeDeps(storage, 'repeat call')) !== second)
    throw new Error('repeat call gave different links');

  // A little more traffic: 500 earlier traces gain a copy of their spans under new span ids (so they are
  // new spans of known traces) and 1000 traces are new.
  const grown = kept.map((t) => t.map((s) => ({ ...s, id: `f${s.id.slice(1)}` })));
  await ingest(storage, [
    ...grown,
    ...generateTraces({
      seed: 999_999,
      traces: 1_000,
      endTsMicros: endTsMs * 1000,
      spreadMicros: DAY_MS * 1000,
    }),
  ]);
  const afterIngest = await timeDeps(storage, 'after 500 grown + 1000 new traces');
  await timeDeps(storage, 'repeat call');

  await storage.close();
  storage = await open();
  const afterRestart = await timeDeps(storage, 'after restart');
  if (afterRestart !== afterIngest) throw new Error('restart gave different links');
} finally {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
}
