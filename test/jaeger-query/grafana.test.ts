import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { sendAll, T0, ZIPKIN_TRACE } from './fixtures.js';

/**
 * The requests Grafana's Jaeger data source makes (jaeger-query.md section 1 and 8.8): the frontend
 * (public/app/plugins/datasource/jaeger/datasource.ts) and the Go backend (pkg/tsdb/jaeger/client.go,
 * grpc_client.go, querydata.go). Answers are checked against the types they decode into.
 */
let server: RunningSkein;

beforeAll(async () => {
  server = await startTestServer();
  await sendAll(server);
});
afterAll(async () => {
  await server?.close();
});

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: JSON.parse(await res.text()) as Record<string, unknown> };
}

const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);

/** What Grafana's Go types (querydata.go) and responseTransform.ts toSpanRow need of one UI trace. */
function expectGrafanaTrace(trace: unknown): void {
  const t = trace as Record<string, unknown>;
  expect(typeof t.traceID).toBe('string');
  const spans = t.spans as Array<Record<string, unknown>>;
  const processes = t.processes as Record<string, { serviceName: unknown; tags: unknown }>;
  expect(spans.length).toBeGreaterThan(0);
  for (const s of spans) {
    expect(isInt(s.startTime) && isInt(s.duration)).toBe(true);
    if ('flags' in s) expect(isInt(s.flags)).toBe(true);
    expect(s.warnings === null || Array.isArray(s.warnings)).toBe(true);
    expect(Array.isArray(s.references) && Array.isArray(s.tags) && Array.isArray(s.logs)).toBe(true);
    for (const l of s.logs as Array<{ timestamp: unknown; fields: unknown }>) {
      expect(isInt(l.timestamp)).toBe(true);
      expect(Array.isArray(l.fields)).toBe(true);
    }
    const p = processes[s.processID as string];
    expect(p, `process ${String(s.processID)}`).toBeDefined();
    expect(typeof p!.serviceName).toBe('string');
    expect(Array.isArray(p!.tags)).toBe(true);
  }
}

describe('Grafana frontend mode', () => {
  it('"Save & test" needs a non-empty service list', async () => {
    const r = await getJson('/api/services');
    expect(r.status).toBe(200);
    expect((r.body.data as string[]).length).toBeGreaterThan(0);
  });

  it('loads operations of a service picked from the list (metadataRequest)', async () => {
    const r = await getJson(`/api/services/${encodeURIComponent('front/end')}/operations`);
    expect(r.body.data).toEqual(['get /api']);
  });

  it('searches with lookback=custom, µs start/end and logfmt tags converted to JSON', async () => {
    const from = Math.floor(T0 / 1000) - 300_000;
    const to = Math.floor(T0 / 1000) + 300_000;
    const params = new URLSearchParams({
      service: 'backend',
      operation: 'get /api',
      tags: JSON.stringify({ error: 'true' }),
      minDuration: '10ms',
      limit: '20',
      start: String(from * 1000),
      end: String(to * 1000),
      lookback: 'custom',
    });
    const r = await getJson(`/api/traces?${params}`);
    expect(r.status).toBe(200);
    const data = r.body.data as unknown[];
    expect(data).toHaveLength(1);
    for (const t of data) expectGrafanaTrace(t);
  });

  it('loads a trace by id, also with traceIdTimeParams (µs)', async () => {
    const plain = await getJson(`/api/traces/${ZIPKIN_TRACE}`);
    expect(plain.status).toBe(200);
    expectGrafanaTrace((plain.body.data as unknown[])[0]);
    const windowed = await getJson(
      `/api/traces/${ZIPKIN_TRACE}?start=${T0 - 1_000_000}&end=${T0 + 1_000_000}`,
    );
    expect((windowed.body.data as unknown[]).length).toBe(1);
  });

  it('draws the dependency graph (endTs and lookback in ms)', async () => {
    const end = Date.now();
    const r = await getJson(`/api/dependencies?endTs=${end}&lookback=${3600_000}`);
    expect(r.body.data).toContainEqual({ parent: 'front/end', child: 'backend', callCount: 1 });
  });
});

describe('Grafana Go backend mode', () => {
  it('CheckHealth: /api/services decodes', async () => {
    const r = await getJson('/api/services');
    expect(Array.isArray(r.body.data)).toBe(true);
  });

  it('trace by id with milliseconds passed as the µs start/end still finds the trace', async () => {
    const fromMs = Math.floor(T0 / 1000) - 3_600_000;
    const toMs = Math.floor(T0 / 1000) + 3_600_000;
    const r = await getJson(`/api/traces/${ZIPKIN_TRACE}?start=${fromMs}&end=${toMs}`);
    expect(r.status).toBe(200);
    expectGrafanaTrace((r.body.data as unknown[])[0]);
  });

  it('v3 search with snake_case parameters and an unencoded +02:00 offset', async () => {
    // time.Format(time.RFC3339Nano) in a +02:00 zone, appended to the URL without encoding.
    const local = (us: number) => {
      const d = new Date(us / 1000 + 2 * 3600_000);
      return `${d.toISOString().slice(0, 23)}000000+02:00`;
    };
    const url =
      `/api/v3/traces?query.service_name=backend&query.start_time_min=${local(T0 - 60e6)}` +
      `&query.start_time_max=${local(T0 + 60e6)}&query.num_traces=20&query.duration_min=1ms`;
    const r = await getJson(url);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const result = r.body.result as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }>;
    };
    const spans = result.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
    expect(spans).toHaveLength(3);
    for (const s of spans) {
      // GrpcTracesResponse: kind and status.code decode into int64; times are strings.
      expect(isInt(s.kind)).toBe(true);
      expect(isInt((s.status as { code: unknown }).code)).toBe(true);
      expect(typeof s.startTimeUnixNano).toBe('string');
      expect(s.traceId).toBe(`0000000000000000${ZIPKIN_TRACE}`);
    }
  });

  it('v3 trace by id and services (jaegerEnableGrpcEndpoint)', async () => {
    expect(((await getJson('/api/v3/services')).body.services as string[]).length).toBe(4);
    const r = await getJson(`/api/v3/traces/0000000000000000${ZIPKIN_TRACE}`);
    expect(r.status).toBe(200);
    const miss = await getJson('/api/v3/traces/ffffffffffffffff');
    // GrpcTracesResponse reads error.httpCode / error.message.
    expect(miss).toEqual({ status: 404, body: { error: { httpCode: 404, message: 'No traces found' } } });
  });
});
