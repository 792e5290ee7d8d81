/**
 * The SQLite writer alone, on this thread: the generator's spans (new trace ids every round, as the ingest
 * benchmark sends them) written in transactions of `group` batches of 100 spans, as group commit does
 * under 8 requests in flight. Prints CPU microseconds per span. A measurement to iterate on the writer
 * quickly, not a test; `npm run bench -- --only=ingest --ingest=sqlite/json` is the figure that counts.
 *
 *   npx tsx test/sqlite/measure-writer.ts [spans=200000] [group=8]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTraces } from '../../src/demo/trace-generator.js';
import type { Span } from '../../src/model/span.js';
import { openWriteConnection } from '../../src/storage/sqlite/sqlite-connection.js';
import { SqliteWriter } from '../../src/storage/sqlite/sqlite-writer.js';

const total = Number(process.argv[2] ?? 200_000);
const group = Number(process.argv[3] ?? 8);

const template: Span[] = [];
const endTsMicros = Date.now() * 1000;
for (let round = 0; template.length < 20_000; round++) {
  for (const trace of generateTraces({ traces: 50, seed: 1 + round, endTsMicros })) template.push(...trace);
}

const dir = mkdtempSync(join(tmpdir(), 'skein-writer-run-'));
const db = openWriteConnection(join(dir, 'skein.sqlite'), 1 << 40);
const writer = new SqliteWriter(db, { searchEnabled: process.env.NOSEARCH ? false : true, autocompleteKeys: ['http.method'] });

let written = 0;
let round = 0;
const start = process.cpuUsage();
const wall = performance.now();
while (written < total) {
  const prefix = (round++).toString(16).padStart(8, '0');
  const spans = template.map((s) => ({ ...s, traceId: prefix + s.traceId.slice(8) }));
  for (let i = 0; i < spans.length; i += 100 * group) {
    const batches: Span[][] = [];
    for (let j = i; j < Math.min(spans.length, i + 100 * group); j += 100) batches.push(spans.slice(j, j + 100));
    writer.write(batches);
  }
  written += spans.length;
}
const cpu = process.cpuUsage(start);
const ms = performance.now() - wall;
console.log(
  `${written} spans: ${(((cpu.user + cpu.system) / written)).toFixed(2)} us CPU/span ` +
    `(user ${(cpu.user / written).toFixed(2)}, sys ${(cpu.system / written).toFixed(2)}), ` +
    `${Math.round(written / (ms / 1000))} spans/s wall`,
);
db.close();
rmSync(dir, { recursive: true, force: true });
