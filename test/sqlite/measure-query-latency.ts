/**
 * Measures query latency against a real Skein (STORAGE_TYPE=sqlite, child process) with and without heavy
 * concurrent ingest. A measurement, not a test: run it by hand and read the figures.
 *
 *   npx tsx test/sqlite/measure-query-latency.ts [preloadTraces=20000] [ingestSeconds=10] [clients=16] [storage=sqlite]
 *
 * storage=mem gives the same figures for the in-memory store, to tell the HTTP/JSON cost from SQLite's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startSkeinProcess, stopGracefully } from '../support/skein-process.js';

const preloadTraces = Number(process.argv[2] ?? 20_000);
const ingestSeconds = Number(process.argv[3] ?? 10);
const clients = Number(process.argv[4] ?? 16);
const storageType = process.argv[5] ?? 'sqlite';
const SPANS_PER_TRACE = 10;
const TRACES_PER_POST = 10;

const dir = mkdtempSync(join(tmpdir(), 'skein-latency-'));
let seq = 0;
const hex16 = (n: number) => n.toString(16).padStart(16, '0');

function body(): string {
  const spans = [];
  const now = Date.now() * 1000;
  for (let t = 0; t < TRACES_PER_POST; t++) {
    const n = ++seq;
    for (let i = 0; i < SPANS_PER_TRACE; i++) {
      spans.push({
        traceId: hex16(n),
        id: hex16(n * 100 + i + 1),
        ...(i > 0 ? { parentId: hex16(n * 100 + 1) } : {}),
        kind: i === 0 ? 'SERVER' : 'CLIENT',
        name: `op-${i % 5}`,
        timestamp: now - (n % 1000) * 1000 + i,
        duration: 1000 + ((n * 7 + i) % 5000),
        localEndpoint: { serviceName: `svc-${n % 8}` },
        remoteEndpoint: { serviceName: `backend-${i % 3}` },
        tags: { 'http.path': `/api/items/${n % 100}`, 'http.status_code': n % 50 === 0 ? '500' : '200' },
      });
    }
  }
  return JSON.stringify(spans);
}

async function post(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body(),
  });
  await res.arrayBuffer();
  if (res.status !== 202) throw new Error(`POST -> ${res.status}`);
}

const QUERIES = [
  '/api/v2/traces?serviceName=svc-3&limit=10',
  '/api/v2/traces?serviceName=svc-5&spanName=op-2&annotationQuery=http.status_code%3D500&limit=10',
  '/api/v2/traces?remoteServiceName=backend-1&minDuration=5000&limit=10',
  '/api/v2/traces?limit=10&lookback=60000',
  '/api/v2/services',
  '/api/v2/spans?serviceName=svc-1',
];

async function measure(baseUrl: string, rounds: number): Promise<number[]> {
  const ms: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of QUERIES) {
      const t = performance.now();
      const res = await fetch(baseUrl + q);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${q} -> ${res.status}`);
      ms.push(performance.now() - t);
    }
  }
  return ms;
}

function summary(label: string, ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const p = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(1);
  return `${label}: n=${s.length} p50=${p(0.5)}ms p95=${p(0.95)}ms p99=${p(0.99)}ms max=${s[s.length - 1]!.toFixed(1)}ms`;
}

const skein = await startSkeinProcess({
  STORAGE_TYPE: storageType,
  SQLITE_PATH: join(dir, 'skein.sqlite'),
});
try {
  const t0 = performance.now();
  const preloadPosts = Math.ceil(preloadTraces / TRACES_PER_POST);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < preloadPosts) await post(skein.baseUrl);
    }),
  );
  const preloadS = (performance.now() - t0) / 1000;
  console.log(`STORAGE_TYPE=${storageType}`);
  console.log(
    `preloaded ${seq} traces (${seq * SPANS_PER_TRACE} spans) in ${preloadS.toFixed(1)}s: ` +
      `${Math.round((seq * SPANS_PER_TRACE) / preloadS)} spans/s with 8 clients`,
  );

  await measure(skein.baseUrl, 3); // warm up
  const idle = await measure(skein.baseUrl, 30);
  console.log(summary('queries, no ingest      ', idle));

  let stop = false;
  let ingested = 0;
  const ingest = Array.from({ length: clients }, async () => {
    while (!stop) {
      await post(skein.baseUrl);
      ingested += TRACES_PER_POST * SPANS_PER_TRACE;
    }
  });
  const tIngest = performance.now();
  const busy: number[] = [];
  while (performance.now() - tIngest < ingestSeconds * 1000) busy.push(...(await measure(skein.baseUrl, 1)));
  stop = true;
  await Promise.all(ingest);
  const ingestS = (performance.now() - tIngest) / 1000;
  console.log(summary(`queries, ${clients} ingest clients`, busy));
  console.log(
    `concurrent ingest: ${ingested} spans in ${ingestS.toFixed(1)}s = ${Math.round(ingested / ingestS)} spans/s ` +
      `(every POST answered 202 after commit)`,
  );

  // Dependency links over the whole window are the heaviest read (every span of every trace); they run on
  // their own reader thread, so other queries should not queue behind them.
  let depsRunning = true;
  let depsDone = 0;
  const depsMs: number[] = [];
  const deps = (async () => {
    while (depsRunning) {
      const t = performance.now();
      const res = await fetch(`${skein.baseUrl}/api/v2/dependencies?endTs=${Date.now()}&lookback=86400000`);
      await res.arrayBuffer();
      depsMs.push(performance.now() - t);
      depsDone++;
    }
  })();
  const tDeps = performance.now();
  const withDeps: number[] = [];
  while (performance.now() - tDeps < ingestSeconds * 1000 || depsDone === 0) {
    withDeps.push(...(await measure(skein.baseUrl, 1)));
  }
  depsRunning = false;
  await deps;
  console.log(summary('queries, dependency links running', withDeps));
  console.log(summary(`dependency links over ${seq} traces`, depsMs));
} finally {
  await stopGracefully(skein);
  rmSync(dir, { recursive: true, force: true });
}
