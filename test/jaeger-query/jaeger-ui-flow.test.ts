import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { sendAll, T0, ZIPKIN_TRACE } from './fixtures.js';

/**
 * The requests the Jaeger UI makes, in order, against JAEGER_QUERY_PORT (jaeger-query.md section 1):
 * the current UI (>= 2.19: api_v3 for the search page, v1 for the trace page and dependencies) and the
 * classic UI (<= 2.18, v1.x: v1 everywhere, with bare `&minDuration&maxDuration` keys). Answers are checked
 * against what the UI validates (UIS/api/v3/schemas.ts, Zod-strict) and dereferences.
 */
let server: RunningSkein;
let base: string;

beforeAll(async () => {
  server = await startTestServer();
  base = `http://127.0.0.1:${server.listeners['jaeger-query']}`;
  await sendAll(server);
});
afterAll(async () => {
  await server?.close();
});

const getJson = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as Record<string, unknown>;
};

describe('Jaeger UI >= 2.19', () => {
  it('search page, results, trace page, System Architecture', async () => {
    const { services } = (await getJson('/api/v3/services')) as { services: unknown[] };
    expect(services.every((s) => typeof s === 'string')).toBe(true);
    expect(services).toContain('backend');

    const { operations } = (await getJson(`/api/v3/operations?service=backend`)) as {
      operations: Array<Record<string, unknown>>;
    };
    for (const o of operations) expect(Object.keys(o).sort()).toEqual(['name', 'spanKind']);

    // fetchTraceSummaries: us URL params become ISO strings with millisecond precision.
    const startUs = T0 - 3600e6;
    const endUs = T0 + 3600e6;
    const q = new URLSearchParams({
      'query.serviceName': 'backend',
      'query.startTimeMin': new Date(startUs / 1000).toISOString(),
      'query.startTimeMax': new Date(endUs / 1000).toISOString(),
      'query.searchDepth': '20',
      'query.durationMin': '10ms',
      'query.attributes': JSON.stringify({ 'http.status_code': '500' }),
    });
    const { summaries } = (await getJson(`/api/v3/trace-summaries?${q}`)) as {
      summaries: Array<Record<string, unknown>>;
    };
    expect(summaries).toHaveLength(1);
    const s = summaries[0]!;
    expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(s.minStartTimeUnixNano).toMatch(/^\d+$/);
    expect(s.maxEndTimeUnixNano).toMatch(/^\d+$/);
    for (const k of ['spanCount', 'errorSpanCount', 'orphanSpanCount']) {
      expect(Number.isInteger(s[k]) && (s[k] as number) >= 0).toBe(true);
    }

    // The trace page asks for the 32-hex id it got, even for a 64-bit Zipkin trace.
    const trace = (await getJson(`/api/traces/${String(s.traceId)}`)) as {
      data: Array<{
        traceID: string;
        spans: Array<{ processID: string }>;
        processes: Record<string, unknown>;
      }>;
    };
    expect(trace.data[0]!.traceID).toBe(ZIPKIN_TRACE);
    for (const span of trace.data[0]!.spans) expect(trace.data[0]!.processes[span.processID]).toBeDefined();

    const deps = (await getJson(`/api/dependencies?endTs=${Date.now()}&lookback=604800000`)) as {
      data: unknown[];
    };
    expect(deps.data).toContainEqual({ parent: 'front/end', child: 'backend', callCount: 1 });
  });
});

describe('Jaeger UI <= 2.18 and 1.x', () => {
  it('services, operations of a service with /, search with bare keys, trace', async () => {
    expect(((await getJson('/api/services')) as { data: string[] }).data).toContain('front/end');
    const ops = (await getJson(`/api/services/${encodeURIComponent('front/end')}/operations`)) as {
      data: string[];
    };
    expect(ops.data).toEqual(['get /api']);
    const start = T0 - 3600e6;
    const end = T0 + 3600e6;
    const search = (await getJson(
      `/api/traces?end=${end}&limit=20&lookback=1h&maxDuration&minDuration&service=front%2Fend&start=${start}`,
    )) as { data: Array<{ traceID: string }> };
    expect(search.data.map((t) => t.traceID)).toEqual([ZIPKIN_TRACE]);
    const trace = (await getJson(`/api/traces/${ZIPKIN_TRACE}`)) as { data: unknown[] };
    expect(trace.data).toHaveLength(1);
  });
});
