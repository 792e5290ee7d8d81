import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { JAEGER_TRACE, OTLP_TRACE, sendAll, ZIPKIN_TRACE } from './fixtures.js';

/**
 * Span links of stored traces, on every API that carries them: the Zipkin API with ?extensions=true (the
 * API Skein's UI reads), Jaeger references and api_v3 OTLP links. An OTLP link and a Jaeger FOLLOWS_FROM
 * reference go in over the wire and come back out, from the memory store and from SQLite.
 */

interface ZipkinSpan {
  id: string;
  links?: Array<{ traceId: string; spanId: string; type?: string; tags?: Record<string, string> }>;
}

let dir: string;
const servers: Record<string, RunningSkein> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-links-'));
  servers.mem = await startTestServer();
  servers.sqlite = await startTestServer({ STORAGE_TYPE: 'sqlite', SQLITE_PATH: join(dir, 'links.sqlite') });
  await Promise.all(Object.values(servers).map(sendAll));
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe.each(['mem', 'sqlite'])('span links from the %s store', (store) => {
  const base = () => servers[store]!.url;

  it('GET /api/v2/trace/{id}?extensions=true carries an OTLP link; without it the answer is plain zipkin', async () => {
    const spans = await json<ZipkinSpan[]>(`${base()}/api/v2/trace/${OTLP_TRACE}?extensions=true`);
    const work = spans.find((s) => s.id === '00000000000000a1')!;
    expect(work.links).toEqual([{ traceId: ZIPKIN_TRACE, spanId: '0000000000000011', type: 'link' }]);
    expect(spans.find((s) => s.id === '00000000000000a2')!.links).toBeUndefined();
    const plain = await json<ZipkinSpan[]>(`${base()}/api/v2/trace/${OTLP_TRACE}`);
    expect(plain.every((s) => !('links' in s))).toBe(true);
    const off = await json<ZipkinSpan[]>(`${base()}/api/v2/trace/${OTLP_TRACE}?extensions=false`);
    expect(off).toEqual(plain);
  });

  it('carries a Jaeger FOLLOWS_FROM reference as a link of that type, in /traces and /traceMany too', async () => {
    const [jaeger] = await json<ZipkinSpan[][]>(
      `${base()}/api/v2/traces?serviceName=jaeger-svc&extensions=true&lookback=86400000&endTs=${Date.now()}`,
    );
    expect(jaeger![0]!.links).toEqual([
      { traceId: ZIPKIN_TRACE, spanId: '0000000000000012', type: 'FOLLOWS_FROM' },
    ]);
    const many = await json<ZipkinSpan[][]>(
      `${base()}/api/v2/traceMany?traceIds=${OTLP_TRACE},${JAEGER_TRACE.slice(16)}&extensions=true`,
    );
    const linked = many.flat().filter((s) => s.links !== undefined);
    expect(linked.map((s) => s.links![0]!.type).sort()).toEqual(['FOLLOWS_FROM', 'link']);
  });

  it('rejects extensions values other than true or false with 400 and the parameter name', async () => {
    const res = await fetch(`${base()}/api/v2/trace/${OTLP_TRACE}?extensions=yes`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('extensions should be true or false but was yes');
  });

  it('Jaeger references and api_v3 OTLP links come from the stored links', async () => {
    const ui = await json<{ data: Array<{ spans: Array<{ spanID: string; references: unknown[] }> }> }>(
      `${base()}/api/traces/${OTLP_TRACE}`,
    );
    const work = ui.data[0]!.spans.find((s) => s.spanID === '00000000000000a1')!;
    expect(work.references).toEqual([
      { refType: 'FOLLOWS_FROM', traceID: ZIPKIN_TRACE, spanID: '0000000000000011' },
    ]);
    const jaeger = await json<{ data: Array<{ spans: Array<{ references: unknown[] }> }> }>(
      `${base()}/api/traces/${JAEGER_TRACE}`,
    );
    expect(jaeger.data[0]!.spans[0]!.references).toEqual([
      { refType: 'FOLLOWS_FROM', traceID: ZIPKIN_TRACE, spanID: '0000000000000012' },
    ]);
    const v3 = await json<{
      result: {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ spanId: string; links?: unknown[] }> }> }>;
      };
    }>(`${base()}/api/v3/traces/${OTLP_TRACE}`);
    const spans = v3.result.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.find((s) => s.spanId === '00000000000000a1')!.links).toEqual([
      { traceId: `0000000000000000${ZIPKIN_TRACE}`, spanId: '0000000000000011' },
    ]);
  });
});
