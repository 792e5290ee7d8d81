import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import type { Span } from '../../src/model/span.js';
import type { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { startTestServer } from '../support/server.js';
import { getJson, waitFor } from '../support/wait.js';

/**
 * Issue 15: a span timestamp of 1e308 or 2^63 µs was accepted with 202 and never expired, whatever
 * RETENTION said. Beyond RETENTION_MAX_FUTURE of its arrival, the arrival time is used (the original is
 * kept in the skein.future_timestamp tag, and a line is logged), so retention expires the trace like any
 * other; within the bound (clock skew) the span is kept as sent.
 */

const dir = mkdtempSync(join(tmpdir(), 'skein-future-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hex = (n: number) => n.toString(16).padStart(16, '0');
const DAY_MS = 86_400_000;

/** JSON with the timestamp written literally, so 2^63 reaches the decoder exactly as a client sends it. */
function spanJson(traceId: string, timestamp: string): string {
  return `[{"traceId":"${traceId}","id":"${hex(1)}","name":"future","timestamp":${timestamp},"duration":5,"localEndpoint":{"serviceName":"future"}}]`;
}

for (const storage of ['mem', 'sqlite'] as const) {
  describe(`future timestamps (${storage})`, () => {
    let server: RunningSkein;
    beforeAll(async () => {
      server = await startTestServer({
        STORAGE_TYPE: storage,
        SQLITE_PATH: join(dir, `${storage}.db`),
        RETENTION: '1d',
        RETENTION_MAX_FUTURE: '1h',
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    const cases = [
      { label: '1e308', literal: '1e308', tag: '1e+308', trace: hex(0xf001) },
      { label: '2^63', literal: '9223372036854775808', tag: '9223372036854776000', trace: hex(0xf002) },
    ];
    for (const c of cases) {
      it(`${c.label} µs: stored at its arrival time, tagged with what was sent`, async () => {
        const before = Date.now() * 1000;
        const res = await fetch(`${server.url}/api/v2/spans`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: spanJson(c.trace, c.literal),
        });
        expect(res.status).toBe(202);
        const after = Date.now() * 1000;
        const trace = await waitFor(
          () => getJson<Span[]>(`${server.url}/api/v2/trace/${c.trace}`),
          'the trace',
        );
        expect(trace[0]!.timestamp).toBeGreaterThanOrEqual(before);
        expect(trace[0]!.timestamp).toBeLessThanOrEqual(after);
        expect(trace[0]!.tags).toEqual({ 'skein.future_timestamp': c.tag });
        // A search around now finds it, where it arrived.
        const found = (await (
          await fetch(`${server.url}/api/v2/traces?serviceName=future&limit=10`)
        ).json()) as Span[][];
        expect(found.map((t) => t[0]!.traceId)).toContain(c.trace);
      });
    }

    it('within the bound (clock skew), the timestamp is kept as sent', async () => {
      const skewed = (Date.now() + 30 * 60_000) * 1000;
      const traceId = hex(0xf003);
      const res = await fetch(`${server.url}/api/v2/spans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: spanJson(traceId, String(skewed)),
      });
      expect(res.status).toBe(202);
      const trace = await waitFor(
        () => getJson<Span[]>(`${server.url}/api/v2/trace/${traceId}`),
        'the trace',
      );
      expect(trace[0]!.timestamp).toBe(skewed);
      expect(trace[0]!.tags).toBeUndefined();
    });

    if (storage === 'sqlite') {
      it('retention expires the far-future traces after RETENTION like any other', async () => {
        const store = server.storage as SqliteStorage;
        // Retention as it will run two days from now: everything sent now is older than RETENTION=1d.
        await store.runRetention(Date.now() + 2 * DAY_MS);
        for (const id of [hex(0xf001), hex(0xf002), hex(0xf003)]) {
          expect((await fetch(`${server.url}/api/v2/trace/${id}`)).status).toBe(404);
        }
      });
    }
  });
}
