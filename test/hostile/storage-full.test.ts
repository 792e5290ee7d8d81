import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { serviceMissing } from '../support/require-service.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue 15: storage write failures are back-pressure, not 500s. On a real full disk (a 24 MiB tmpfs
 * mounted for the test, which needs root), SQLite writes get 503 with Retry-After, /health is DOWN with the
 * reason, the process keeps running and reading, and once space is freed the next write is stored and
 * /health is UP again. No answer carries internal text past the failure's own message.
 */

const canMount = process.getuid?.() === 0;
const available =
  canMount || serviceMissing('a mountable tmpfs', 'the full-disk test mounts one and needs root');

const hex = (n: number) => n.toString(16).padStart(16, '0');
let n = 0;
/** A batch of spans with some bulk, so a few fill the disk. */
function batch(): string {
  const spans = Array.from({ length: 50 }, () => {
    n++;
    return {
      traceId: hex(0xd000000 + n),
      id: hex(n),
      name: 'fill',
      timestamp: Date.now() * 1000,
      duration: 5,
      localEndpoint: { serviceName: 'disk' },
      tags: { payload: `${n}-`.padEnd(2000, 'x') },
    };
  });
  return JSON.stringify(spans);
}
const post = (url: string, body: string) =>
  fetch(`${url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe.skipIf(!available)('sqlite on a full disk', () => {
  let mountPoint: string;
  let server: RunningSkein;
  const filler = () => join(mountPoint, 'filler');
  beforeAll(async () => {
    mountPoint = mkdtempSync(join(tmpdir(), 'skein-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mountPoint]);
    server = await startTestServer({ STORAGE_TYPE: 'sqlite', SQLITE_PATH: join(mountPoint, 'skein.db') });
  });
  afterAll(async () => {
    await server?.close().catch(() => undefined);
    if (mountPoint) {
      try {
        execFileSync('umount', ['-l', mountPoint]);
      } finally {
        rmdirSync(mountPoint);
      }
    }
  });

  it(
    '503 + Retry-After and /health DOWN while full; stored and UP again once space is freed',
    { timeout: 120_000 },
    async () => {
      expect((await post(server.url, batch())).status).toBe(202);
      // Fill what is left of the disk, but for a little.
      const fd = openSync(filler(), 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        closeSync(fd);
      }
      const refused = await waitFor(
        async () => {
          const res = await post(server.url, batch());
          const text = await res.text();
          if (res.status === 202) return undefined;
          return { status: res.status, retryAfter: res.headers.get('retry-after'), text };
        },
        'a write refused on the full disk',
        60_000,
      );
      expect(refused.status).toBe(503);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.text).not.toMatch(/at \w+ \(|node:internal|\.ts:\d+/);

      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(503);
      const body = (await health.json()) as {
        status: string;
        zipkin: { details: Record<string, { details?: { error?: string } }> };
      };
      expect(body.status).toBe('DOWN');
      expect(JSON.stringify(body)).toMatch(/writes are failing: .*(full|disk)/i);
      // Reads still work.
      expect((await fetch(`${server.url}/api/v2/services`)).status).toBe(200);

      rmSync(filler());
      const stored = await waitFor(
        async () => {
          const res = await post(server.url, batch());
          await res.text();
          return res.status === 202 ? res : undefined;
        },
        'a write accepted once space is freed',
        60_000,
      );
      expect(stored.status).toBe(202);
      await waitFor(
        async () => ((await fetch(`${server.url}/health`)).status === 200 ? true : undefined),
        '/health UP again',
      );
    },
  );
});

describe.skipIf(!available)('sqlite with its write-ahead log made immutable (chattr +i)', () => {
  let dir: string;
  let server: RunningSkein;
  const wal = () => join(dir, 'skein.db-wal');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skein-immutable-'));
    server = await startTestServer({ STORAGE_TYPE: 'sqlite', SQLITE_PATH: join(dir, 'skein.db') });
  });
  afterAll(async () => {
    try {
      if (dir) execFileSync('chattr', ['-i', wal()]);
    } catch {
      // no WAL, or already writable
    }
    await server?.close().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    '503 + Retry-After and /health DOWN while the WAL cannot be written; UP again once it can',
    { timeout: 60_000 },
    async () => {
      expect((await post(server.url, batch())).status).toBe(202);
      execFileSync('chattr', ['+i', wal()]);
      let undone = false;
      try {
        const res = await post(server.url, batch());
        expect(res.status).toBe(503);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        const health = await fetch(`${server.url}/health`);
        expect(health.status).toBe(503);
        expect(await health.text()).toContain('writes are failing');
        execFileSync('chattr', ['-i', wal()]);
        undone = true;
      } finally {
        if (!undone) execFileSync('chattr', ['-i', wal()]);
      }
      await waitFor(async () => {
        const res = await post(server.url, batch());
        await res.text();
        return res.status === 202 ? true : undefined;
      }, 'a write accepted once the WAL is writable again');
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    },
  );
});
