import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { killHard, startSkeinProcess, stopGracefully, type SkeinProcess } from '../support/skein-process.js';
import { waitFor } from '../support/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-durability-'));
const dbPath = join(dir, 'data', 'skein.sqlite');
const env = { STORAGE_TYPE: 'sqlite', SQLITE_PATH: dbPath };
const running: SkeinProcess[] = [];

afterAll(async () => {
  for (const p of running) await killHard(p);
  rmSync(dir, { recursive: true, force: true });
});

const CLIENTS = 32;
const SPANS_PER_BATCH = 100;
/** Acknowledged batches to wait for before the kill; ingest keeps going while the kill lands. */
const ACKED_BEFORE_KILL = 300;

let seq = 0;
const hex16 = (n: number) => n.toString(16).padStart(16, '0');

/** One trace per batch: a root and children, ids unique across the whole run. */
function makeBatch(client: number): { traceId: string; spanIds: string[]; body: string } {
  const traceId = hex16(0x1000000 * (client + 1) + ++seq);
  const now = Date.now() * 1000;
  const spans = Array.from({ length: SPANS_PER_BATCH }, (_, i) => ({
    traceId,
    id: hex16(seq * 100 + i + 1),
    ...(i > 0 ? { parentId: hex16(seq * 100 + 1) } : {}),
    kind: i === 0 ? 'SERVER' : 'CLIENT',
    name: `op-${i}`,
    timestamp: now + i,
    duration: 100 + i,
    localEndpoint: { serviceName: `svc-${client % 4}` },
    tags: { 'http.path': `/api/${seq}/${i}` },
  }));
  return { traceId, spanIds: spans.map((s) => s.id), body: JSON.stringify(spans) };
}

describe('sqlite durability across SIGKILL', () => {
  it('keeps every span answered 202 when the server is killed mid-ingest, and the file opens cleanly', async () => {
    const first = await startSkeinProcess(env);
    running.push(first);

    const acked = new Map<string, string[]>();
    let stop = false;
    const client = async (c: number) => {
      while (!stop) {
        const batch = makeBatch(c);
        try {
          const res = await fetch(`${first.baseUrl}/api/v2/spans`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: batch.body,
          });
          await res.arrayBuffer();
          // Anything but 202 (a 503 under back-pressure, say) was not acknowledged: not counted.
          if (res.status === 202) acked.set(batch.traceId, batch.spanIds);
        } catch {
          // The kill: requests in flight fail; none of them was acknowledged.
          if (first.child.exitCode !== null || first.child.signalCode !== null) return;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    await waitFor(
      async () => (acked.size >= ACKED_BEFORE_KILL ? true : undefined),
      `${ACKED_BEFORE_KILL} acknowledged batches before the kill`,
      120_000,
    );
    await killHard(first);
    stop = true;
    await Promise.all(clients);
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);

    // The file opens cleanly (this also replays the WAL) and passes SQLite's full integrity check.
    const db = new Database(dbPath);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = db.prepare('SELECT count(*) FROM spans').pluck().get() as number;
      expect(stored).toBeGreaterThanOrEqual(acked.size * SPANS_PER_BATCH);
    } finally {
      db.close();
    }

    const second = await startSkeinProcess(env);
    running.push(second);
    const ids = [...acked.keys()];
    const missing: string[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      // traceMany with a single id is a 400 (as in Zipkin): a last chunk of one also asks for the id before it.
      const chunk = ids.slice(i === ids.length - 1 && i > 0 ? i - 1 : i, i + 100);
      const res = await fetch(`${second.baseUrl}/api/v2/traceMany?traceIds=${chunk.join(',')}`);
      expect(res.status).toBe(200);
      const traces = (await res.json()) as { traceId: string; id: string }[][];
      const found = new Map(traces.map((t) => [t[0]!.traceId, new Set(t.map((s) => s.id))]));
      for (const traceId of chunk) {
        const spans = found.get(traceId);
        for (const id of acked.get(traceId)!) if (!spans?.has(id)) missing.push(`${traceId}/${id}`);
      }
    }
    expect(missing).toEqual([]);
    expect(await stopGracefully(second)).toBe(0);
  }, 120_000);
});
