import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import type { ProxiedSkein } from './proxied-skein.js';
import type { TcpProxy } from './tcp-proxy.js';
import { waitFor } from './wait.js';

/** Longer than any answer may take: a request still open after this is a hang. */
const HANG_MS = 20_000;
const CLIENTS = 4;
const SPANS_PER_BATCH = 20;

interface Outcome {
  status: number | 'hang' | 'error';
  retryAfter: string | null;
  traceId: string;
  spanIds: string[];
  /** Whether it was sent while the database was cut. */
  duringCut: boolean;
}

export interface StorageOutageOptions {
  /** Shown in the suite name, e.g. "postgres". */
  name: string;
  /** Whether the database is reachable (requireService); the suite is skipped loudly otherwise. */
  available: boolean;
  start(): Promise<ProxiedSkein>;
  /** The store's name in /health, e.g. /^PostgresStorage\(127\.0\.0\.1:\d+\/skein_test_/. */
  storageName: RegExp;
  /** The reason /health gives while the proxy refuses connections. */
  refusedReason: RegExp;
}

/**
 * The database goes away during ingest and comes back (a TCP proxy between Skein and the machine's
 * database server is cut and restored; the shared server itself keeps running). Zipkin clients must get 503
 * with Retry-After while it is gone (never a 500, never a hang), /health says DOWN with the reason, Skein
 * reconnects by itself, and every span answered 202, before or after, is readable. The same for every
 * server-backed store.
 */
export function describeStorageOutage(o: StorageOutageOptions): void {
  describe.skipIf(!o.available)(`${o.name} outage during ingest`, () => {
    let running: ProxiedSkein | undefined;
    let proxy: TcpProxy;
    let server: RunningSkein;

    beforeAll(async () => {
      running = await o.start();
      ({ proxy, server: server } = running);
    });
    afterAll(async () => {
      await running?.close();
    });

    it('answers 503 with Retry-After, says DOWN with the reason, reconnects, and loses no acknowledged span', async () => {
      const outcomes: Outcome[] = [];
      let cut = false;
      let stop = false;
      let seq = 0;
      const hex16 = (n: number) => n.toString(16).padStart(16, '0');

      const client = async (c: number) => {
        while (!stop) {
          const n = ++seq;
          const traceId = hex16(0xa000000 + n);
          const now = Date.now() * 1000;
          const spans = Array.from({ length: SPANS_PER_BATCH }, (_, i) => ({
            traceId,
            id: hex16(n * 100 + i + 1),
            ...(i > 0 ? { parentId: hex16(n * 100 + 1) } : {}),
            name: `op-${i}`,
            timestamp: now + i,
            duration: 10 + i,
            localEndpoint: { serviceName: `svc-${c}` },
          }));
          const duringCut = cut;
          let status: Outcome['status'];
          let retryAfter: string | null = null;
          try {
            const res = await fetch(`${server.url}/api/v2/spans`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(spans),
              signal: AbortSignal.timeout(HANG_MS),
            });
            await res.arrayBuffer();
            status = res.status;
            retryAfter = res.headers.get('retry-after');
          } catch (e) {
            status = (e as Error).name === 'TimeoutError' ? 'hang' : 'error';
          }
          outcomes.push({ status, retryAfter, traceId, spanIds: spans.map((s) => s.id), duringCut });
          // A real client backs off on 503; a short pause keeps the test brisk.
          if (status !== 202) await new Promise((r) => setTimeout(r, 100));
        }
      };
      const count = (p: (o: Outcome) => boolean) => outcomes.filter(p).length;
      const loops = Array.from({ length: CLIENTS }, (_, c) => client(c));
      try {
        await waitFor(
          async () => (count((o) => o.status === 202) >= 20 ? true : undefined),
          '20 batches stored',
        );

        await proxy.cut();
        cut = true;
        await waitFor(
          async () => (count((o) => o.duringCut && o.status === 503) >= 10 ? true : undefined),
          '10 batches refused with 503 while the database is gone',
        );
        const health = await fetch(`${server.url}/health`);
        expect(health.status).toBe(503);
        const body = (await health.json()) as {
          status: string;
          zipkin: { details: Record<string, { status: string; details?: { error: string } }> };
        };
        expect(body.status).toBe('DOWN');
        const [name, storage] = Object.entries(body.zipkin.details)[0]!;
        expect(name).toMatch(o.storageName);
        expect(storage.status).toBe('DOWN');
        expect(storage.details?.error).toMatch(o.refusedReason);

        const query = await fetch(`${server.url}/api/v2/services`);
        expect(query.status).toBe(503);
        expect(Number(query.headers.get('retry-after'))).toBeGreaterThan(0);

        await proxy.restore();
        cut = false;
        await waitFor(
          async () => ((await fetch(`${server.url}/health`)).ok ? true : undefined),
          'health UP again',
        );
        const storedBefore = count((o) => o.status === 202);
        await waitFor(
          async () => (count((o) => o.status === 202) >= storedBefore + 20 ? true : undefined),
          '20 more batches stored after the database came back',
        );
      } finally {
        stop = true;
        await Promise.all(loops);
      }

      // Only 202 or 503, never a 500 or a hang; every 503 says when to come back.
      const statuses = [...new Set(outcomes.map((o) => o.status))].sort();
      expect(statuses).toEqual([202, 503]);
      for (const o of outcomes.filter((x) => x.status === 503))
        expect(Number(o.retryAfter)).toBeGreaterThan(0);

      const acked = outcomes.filter((o) => o.status === 202);
      for (const o of acked) {
        const res = await fetch(`${server.url}/api/v2/trace/${o.traceId}`);
        expect(res.status, `trace ${o.traceId}`).toBe(200);
        const spans = (await res.json()) as { id: string }[];
        expect(spans.map((s) => s.id).sort(), `trace ${o.traceId}`).toEqual([...o.spanIds].sort());
      }
      expect(proxy.accepted).toBeGreaterThan(1); // it did reconnect through the restored proxy
    });

    it('answers 503 in bounded time when the database stops answering instead of refusing', async () => {
      await proxy.cut('hang');
      try {
        const health = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(HANG_MS) });
        expect(health.status).toBe(503);
        const res = await fetch(`${server.url}/api/v2/spans`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify([
            { traceId: 'b'.repeat(16), id: 'c'.repeat(16), name: 'x', timestamp: Date.now() * 1000 },
          ]),
          signal: AbortSignal.timeout(HANG_MS),
        });
        expect(res.status).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await res.text()).toMatch(/timeout/i);
      } finally {
        await proxy.restore();
      }
      await waitFor(
        async () => ((await fetch(`${server.url}/health`)).ok ? true : undefined),
        'health UP again',
      );
    });
  });
}
