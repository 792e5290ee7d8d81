import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSkeinProcess, stopGracefully } from '../support/skein-process.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-sigterm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const batch = (n: number) =>
  JSON.stringify(
    Array.from({ length: 50 }, (_, i) => ({
      traceId: (n + 1).toString(16).padStart(16, '0'),
      id: (i + 1).toString(16).padStart(16, '0'),
      name: 'op',
      timestamp: Date.now() * 1000,
      duration: 10,
      localEndpoint: { serviceName: 'svc' },
    })),
  );

describe('SIGTERM', () => {
  it('finishes requests already accepted, exits 0, and keeps every acknowledged span', async () => {
    const env = { STORAGE_TYPE: 'sqlite', SQLITE_PATH: join(dir, 'db.sqlite') };
    const first = await startSkeinProcess(env);
    const sends = Array.from({ length: 40 }, (_, n) =>
      fetch(`${first.baseUrl}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch(n) })
        .then((r) => r.status)
        .catch(() => 0),
    );
    // Signal while the rest are still in flight.
    await sends[0];
    const code = await stopGracefully(first);
    const statuses = await Promise.all(sends);
    expect(code, first.output()).toBe(0);
    // A request is either refused outright (0: the port closed) or acknowledged; never a half-done 5xx.
    expect(statuses.every((s) => s === 202 || s === 0)).toBe(true);
    const acked = statuses.flatMap((s, n) => (s === 202 ? [n] : []));
    expect(acked.length).toBeGreaterThan(0);

    const second = await startSkeinProcess(env);
    try {
      for (const n of acked) {
        const res = await fetch(`${second.baseUrl}/api/v2/trace/${(n + 1).toString(16).padStart(16, '0')}`);
        expect(res.status).toBe(200);
        expect(((await res.json()) as unknown[]).length).toBe(50);
      }
    } finally {
      await stopGracefully(second);
    }
  });
});
