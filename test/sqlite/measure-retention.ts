/**
 * A long ingest run through a small RETENTION_MAX_BYTES with only the background retention at work, to
 * show that the file (plus its WAL) does not grow past the budget. A measurement, not a test.
 *
 *   npx tsx test/sqlite/measure-retention.ts [budgetMiB=32] [seconds=60] [writers=8]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { normalizeSpan } from '../../src/model/normalize-span.js';
import type { Span } from '../../src/model/span.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const budget = Number(process.argv[2] ?? 32) * 1024 * 1024;
const seconds = Number(process.argv[3] ?? 60);
const writers = Number(process.argv[4] ?? 8);

const dir = mkdtempSync(join(tmpdir(), 'skein-retention-run-'));
const path = join(dir, 'skein.sqlite');
const hex16 = (n: number) => n.toString(16).padStart(16, '0');
let seq = 0;
let writtenBytes = 0;
let writtenSpans = 0;

function batch(): Span[] {
  const out: Span[] = [];
  const now = Date.now();
  for (let t = 0; t < 20; t++) {
    const n = ++seq;
    for (let i = 0; i < 10; i++) {
      const span = normalizeSpan({
        traceId: hex16(n),
        id: hex16(n * 100 + i + 1),
        ...(i > 0 ? { parentId: hex16(n * 100 + 1) } : {}),
        kind: i === 0 ? 'SERVER' : 'CLIENT',
        name: `op-${i % 5}`,
        timestamp: now * 1000 + i,
        duration: 1000 + i,
        localEndpoint: { serviceName: `svc-${n % 8}`, ipv4: '10.0.0.1' },
        remoteEndpoint: { serviceName: `backend-${i % 3}` },
        tags: { 'http.path': `/api/items/${n % 1000}`, 'request.id': `${n}-${i}-${'r'.repeat(40)}` },
      });
      writtenBytes += JSON.stringify(span).length;
      out.push(span);
    }
  }
  writtenSpans += out.length;
  return out;
}

/** What the file system says: the database, its WAL and its shared-memory index. */
function onDisk(): { db: number; wal: number; shm: number } {
  const size = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  return { db: size(path), wal: size(`${path}-wal`), shm: size(`${path}-shm`) };
}

const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
const deleted: number[] = [];
const storage = await openSqliteStorage({
  path,
  strictTraceId: true,
  searchEnabled: true,
  autocompleteKeys: [],
  retentionMs: 7 * 86_400_000,
  retentionMaxBytes: budget,
  logger: {
    info: (o) => deleted.push((o as { deletedTraces?: number }).deletedTraces ?? 0),
    warn: (o, m) => console.warn(m, o),
  },
});
console.log(`budget ${mib(budget)} MiB, ${seconds}s, ${writers} concurrent writers of 200 spans`);
console.log('  t(s)  written(MiB)  spans/s   db(MiB)  wal(MiB)  db+wal+shm(MiB)  max so far');
let maxTotal = 0;
let stop = false;
const t0 = performance.now();
const sampler = setInterval(() => {
  const d = onDisk();
  maxTotal = Math.max(maxTotal, d.db + d.wal + d.shm);
}, 50);
const report = setInterval(() => {
  const d = onDisk();
  const t = (performance.now() - t0) / 1000;
  console.log(
    `${t.toFixed(0).padStart(6)}  ${mib(writtenBytes).padStart(12)}  ${String(Math.round(writtenSpans / t)).padStart(7)}` +
      `  ${mib(d.db).padStart(8)}  ${mib(d.wal).padStart(8)}  ${mib(d.db + d.wal + d.shm).padStart(15)}  ${mib(maxTotal).padStart(10)}`,
  );
}, 5000);
await Promise.all(
  Array.from({ length: writers }, async () => {
    while (!stop && performance.now() - t0 < seconds * 1000) await storage.spanConsumer().accept(batch());
  }),
);
stop = true;
clearInterval(sampler);
clearInterval(report);
const size = await storage.size();
const newest = await storage.traces().getTrace(hex16(seq));
const oldest = await storage.traces().getTrace(hex16(1));
console.log(
  `wrote ${mib(writtenBytes)} MiB of span JSON (${writtenSpans} spans) through a ${mib(budget)} MiB budget; ` +
    `largest db+wal+shm seen ${mib(maxTotal)} MiB (sampled every 50 ms); ` +
    `final file ${mib(size.fileBytes)} MiB, used ${mib(size.usedBytes)} MiB, wal ${mib(size.walBytes)} MiB; ` +
    `newest trace kept: ${newest.length > 0}, first trace deleted: ${oldest.length === 0}`,
);
await storage.close();
rmSync(dir, { recursive: true, force: true });
