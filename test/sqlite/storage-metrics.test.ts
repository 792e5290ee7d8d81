import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';

/** The value of one sample line of the Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('storage metrics on /prometheus (SQLite)', () => {
  let dir: string;
  let server: RunningSkein;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skein-metrics-'));
    server = await startTestServer({
      STORAGE_TYPE: 'sqlite',
      SQLITE_PATH: join(dir, 'm.sqlite'),
      RETENTION_MAX_BYTES: '64MiB',
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports database and WAL size against RETENTION_MAX_BYTES, the write queue, deletions and accept latency', async () => {
    const spans = Array.from({ length: 50 }, (_, i) => ({
      traceId: (0xabc000 + i).toString(16).padStart(16, '0'),
      id: (0xabc000 + i).toString(16).padStart(16, '0'),
      name: 'get',
      timestamp: Date.now() * 1000,
      duration: 10,
      localEndpoint: { serviceName: 'metrics-svc' },
    }));
    const post = await fetch(`${server.url}/api/v2/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(spans),
    });
    expect(post.status).toBe(202);

    const text = await (await fetch(`${server.url}/prometheus`)).text();
    expect(sample(text, 'skein_storage_bytes{part="database"}')).toBeGreaterThan(0);
    expect(sample(text, 'skein_storage_bytes{part="wal"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'skein_storage_max_bytes')).toBe(64 * 1024 * 1024);
    // Nothing is waiting once the 202 has been answered (it is sent after the spans are stored).
    expect(sample(text, 'skein_storage_write_queue_bytes')).toBe(0);
    expect(sample(text, 'skein_storage_retention_deleted_traces_total')).toBe(0);
    expect(sample(text, 'skein_storage_accept_seconds_count{outcome="stored"}')).toBeGreaterThanOrEqual(1);

    // Retention run as if 30 days had passed (RETENTION is 7d): all 50 traces go, and the counter says so.
    const deleted = await (server.storage as SqliteStorage).runRetention(Date.now() + 30 * 86_400_000);
    expect(deleted.deletedTraces).toBe(50);
    const after = await (await fetch(`${server.url}/prometheus`)).text();
    expect(sample(after, 'skein_storage_retention_deleted_traces_total')).toBe(50);
  });
});
