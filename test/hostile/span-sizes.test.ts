import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import type { Span } from '../../src/model/span.js';
import { startTestServer } from '../support/server.js';
import { getJson, waitFor } from '../support/wait.js';

/**
 * Issue 15: names, tag keys and values, tags per span and annotations per span are bounded. A 10 MB
 * service name and a 100k-tag span are accepted, cut to the SPAN_MAX_* defaults and counted on
 * /prometheus, on the memory store and on SQLite, and over the Zipkin and the OTLP transports.
 */

const MB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'skein-span-sizes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number, width = 16) => n.toString(16).padStart(width, '0');
const now = Date.now() * 1000;

async function truncatedCount(server: RunningSkein, field: string): Promise<number> {
  const text = await (await fetch(`${server.url}/prometheus`)).text();
  const m = new RegExp(`^skein_span_values_truncated_total\\{field="${field}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

for (const storage of ['mem', 'sqlite'] as const) {
  describe(`span sizes are bounded (${storage})`, () => {
    let server: RunningSkein;
    beforeAll(async () => {
      server = await startTestServer({
        STORAGE_TYPE: storage,
        SQLITE_PATH: join(dir, `${storage}.db`),
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    it(
      'a 10 MB service name is stored cut to SPAN_MAX_NAME_LENGTH and counted',
      { timeout: 60_000 },
      async () => {
        const huge = 'a'.repeat(10 * MB);
        const traceId = hex(0x5151);
        const span = {
          traceId,
          id: hex(1),
          name: 'get',
          timestamp: now,
          duration: 10,
          localEndpoint: { serviceName: huge },
        };
        const res = await post(`${server.url}/api/v2/spans`, JSON.stringify([span]));
        expect(res.status).toBe(202);
        const trace = await waitFor(
          () => getJson<Span[]>(`${server.url}/api/v2/trace/${traceId}`),
          'the trace',
        );
        expect(trace[0]!.localEndpoint!.serviceName).toBe('a'.repeat(1024));
        const services = await (await fetch(`${server.url}/api/v2/services`)).json();
        expect(services).toContain('a'.repeat(1024));
        expect(JSON.stringify(services).length).toBeLessThan(64 * 1024);
        expect(await truncatedCount(server, 'serviceName')).toBeGreaterThanOrEqual(1);
        // A normal span after it is stored as sent.
        const next = { ...span, traceId: hex(0x5152), localEndpoint: { serviceName: 'normal' } };
        expect((await post(`${server.url}/api/v2/spans`, JSON.stringify([next]))).status).toBe(202);
        const later = await waitFor(
          () => getJson<Span[]>(`${server.url}/api/v2/trace/${hex(0x5152)}`),
          'the next trace',
        );
        expect(later[0]!.localEndpoint!.serviceName).toBe('normal');
      },
    );

    it(
      'a span with 100k tags keeps SPAN_MAX_TAGS of them and counts the rest',
      { timeout: 60_000 },
      async () => {
        const tags: Record<string, string> = {};
        for (let i = 0; i < 100_000; i++) tags[`k${i}`] = `v${i}`;
        const traceId = hex(0x7a65);
        const span = {
          traceId,
          id: hex(2),
          name: 'many-tags',
          timestamp: now,
          duration: 5,
          localEndpoint: { serviceName: 'tags' },
          tags,
        };
        const before = await truncatedCount(server, 'tags');
        expect((await post(`${server.url}/api/v2/spans`, JSON.stringify([span]))).status).toBe(202);
        const trace = await waitFor(
          () => getJson<Span[]>(`${server.url}/api/v2/trace/${traceId}`),
          'the trace',
        );
        const kept = Object.keys(trace[0]!.tags!);
        expect(kept).toHaveLength(1024);
        expect(kept).toContain('k0');
        expect(kept).toContain('k1023');
        expect((await truncatedCount(server, 'tags')) - before).toBe(100_000 - 1024);
      },
    );

    it('OTLP: the same limits apply (a 10 MB service.name)', { timeout: 60_000 }, async () => {
      const traceId = hex(0x07, 32);
      const body = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'b'.repeat(10 * MB) } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: hex(3),
                    name: 'otlp',
                    kind: 2,
                    startTimeUnixNano: String(now * 1000),
                    endTimeUnixNano: String(now * 1000 + 1000),
                  },
                ],
              },
            ],
          },
        ],
      };
      const res = await post(
        `http://127.0.0.1:${server.listeners['otlp-http']}/v1/traces`,
        JSON.stringify(body),
      );
      expect(res.status).toBe(200);
      const trace = await waitFor(
        () => getJson<Span[]>(`${server.url}/api/v2/trace/${traceId}`),
        'the OTLP trace',
      );
      expect(trace[0]!.localEndpoint!.serviceName).toBe('b'.repeat(1024));
    });
  });
}
