import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import type {
  OtlpJsonResourceSpans,
  OtlpJsonSpan,
  TraceSummary,
} from '../../src/query/jaeger-api/jaeger-otlp-model.js';
import { startTestServer } from '../support/server.js';
import { OTLP_TRACE, sendAll, T0, ZIPKIN_TRACE } from './fixtures.js';

let server: RunningSkein;
let empty: RunningSkein;

beforeAll(async () => {
  [server, empty] = await Promise.all([startTestServer(), startTestServer()]);
  await sendAll(server);
});
afterAll(async () => {
  await Promise.all([server?.close(), empty?.close()]);
});

async function get(
  path: string,
  base = server.url,
): Promise<{ status: number; type: string; text: string; body: unknown }> {
  const res = await fetch(`${base}${path}`);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: JSON.parse(text) };
}

function expectError(
  r: { status: number; type: string; body: unknown },
  status: number,
  message: string | RegExp,
): void {
  expect(r.status).toBe(status);
  expect(r.type).toBe('text/plain; charset=utf-8');
  const e = (r.body as { error: { httpCode: number; message: string } }).error;
  expect(e.httpCode).toBe(status);
  expect(e.message).toMatch(message);
}

const iso = (us: number) => new Date(us / 1000).toISOString();
const window = `query.startTimeMin=${iso(T0 - 60e6)}&query.startTimeMax=${iso(T0 + 60e6)}`;

function spansOf(
  body: unknown,
): Array<OtlpJsonSpan & { service: string; scope: { name?: string; version?: string } }> {
  const rss = (body as { result: { resourceSpans: OtlpJsonResourceSpans[] } }).result.resourceSpans;
  return rss.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        ...s,
        service: rs.resource.attributes[0]!.value.stringValue!,
        scope: ss.scope,
      })),
    ),
  );
}

describe('api_v3 on an empty store', () => {
  it('answers arrays, never {}', async () => {
    expect((await get('/api/v3/services', empty.url)).text).toBe('{"services":[]}');
    expect((await get('/api/v3/operations?service=x', empty.url)).text).toBe('{"operations":[]}');
    expect((await get(`/api/v3/trace-summaries?${window}`, empty.url)).text).toBe('{"summaries":[]}');
    expectError(await get(`/api/v3/traces?${window}`, empty.url), 404, /^No traces found$/);
  });
});

describe('GET /api/v3/services and operations', () => {
  it('lists services', async () => {
    const r = await get('/api/v3/services');
    expect(r.type).toMatch(/^application\/json/);
    expect((r.body as { services: string[] }).services.sort()).toEqual([
      'backend',
      'front/end',
      'jaeger-svc',
      'otel-svc',
    ]);
  });

  it('lists operations with a kind each (none = internal), filtered by spanKind or span_kind', async () => {
    expect((await get('/api/v3/operations?service=backend')).body).toEqual({
      operations: [
        { name: 'get /api', spanKind: 'server' },
        { name: 'select', spanKind: 'client' },
      ],
    });
    expect((await get('/api/v3/operations?service=otel-svc')).body).toEqual({
      operations: [
        { name: 'inner', spanKind: 'internal' },
        { name: 'work', spanKind: 'server' },
      ],
    });
    expect((await get('/api/v3/operations?service=backend&span_kind=client')).body).toEqual({
      operations: [{ name: 'select', spanKind: 'client' }],
    });
  });
});

describe('GET /api/v3/traces/{id}', () => {
  it('answers OTLP JSON with 32-hex ids, integer enums and string nanoseconds', async () => {
    const r = await get(`/api/v3/traces/${ZIPKIN_TRACE}`);
    expect(r.status).toBe(200);
    const spans = spansOf(r.body);
    expect(spans).toHaveLength(3);
    const client = spans.find((s) => s.kind === 3 && s.name === 'get /api')!;
    const server = spans.find((s) => s.kind === 2)!;
    const select = spans.find((s) => s.name === 'select')!;
    expect(client).toMatchObject({
      traceId: `0000000000000000${ZIPKIN_TRACE}`,
      spanId: '0000000000000011',
      parentSpanId: '',
      startTimeUnixNano: `${T0}000`,
      endTimeUnixNano: `${T0 + 100_000}000`,
      service: 'front/end',
      status: { code: 0 },
    });
    expect(server.parentSpanId).toBe('0000000000000011');
    expect(server.spanId).not.toBe('0000000000000011');
    expect(server.status).toEqual({ code: 2, message: 'boom' });
    expect(server.attributes).toContainEqual({ key: 'http.status_code', value: { stringValue: '500' } });
    expect(server.attributes.map((a) => a.key)).not.toContain('error');
    expect(select.parentSpanId).toBe(server.spanId);
    expect(select.events).toEqual([{ timeUnixNano: `${T0 + 3000}000`, name: 'cache miss', attributes: [] }]);
    const rs = (r.body as { result: { resourceSpans: OtlpJsonResourceSpans[] } }).result.resourceSpans;
    expect(
      rs.find((x) => x.resource.attributes[0]!.value.stringValue === 'backend')!.resource.attributes,
    ).toEqual([
      { key: 'service.name', value: { stringValue: 'backend' } },
      { key: 'ip', value: { stringValue: '10.0.0.2' } },
    ]);
  });

  it('carries OTLP status, events, scope and links back', async () => {
    const spans = spansOf((await get(`/api/v3/traces/${OTLP_TRACE}`)).body);
    const work = spans.find((s) => s.name === 'work')!;
    expect(work).toMatchObject({
      traceId: OTLP_TRACE,
      spanId: '00000000000000a1',
      kind: 2,
      status: { code: 2, message: 'bad input' },
    });
    expect(work.scope).toEqual({ name: 'my-lib', version: '1.2.3' });
    expect(work.links).toEqual([{ traceId: `0000000000000000${ZIPKIN_TRACE}`, spanId: '0000000000000011' }]);
    expect(work.events).toEqual([
      {
        timeUnixNano: `${T0 + 10_000_500}000`,
        name: 'exception',
        attributes: [{ key: 'exception.type', value: { stringValue: 'Boom' } }],
      },
    ]);
    expect(work.attributes).toEqual([{ key: 'http.method', value: { stringValue: 'GET' } }]);
  });

  it('404 No traces found; 400 for a bad id', async () => {
    expectError(await get('/api/v3/traces/ffffffffffffffff'), 404, /^No traces found$/);
    expectError(await get('/api/v3/traces/xyz!'), 400, /^malformed parameter trace_id: /);
  });
});

describe('GET /api/v3/traces and trace-summaries (search)', () => {
  it('searches with canonical parameters', async () => {
    const r = await get(
      `/api/v3/traces?${window}&query.serviceName=backend&query.attributes=${encodeURIComponent('{"db.type":"sql"}')}`,
    );
    expect(r.status).toBe(200);
    expect(new Set(spansOf(r.body).map((s) => s.traceId))).toEqual(
      new Set([`0000000000000000${ZIPKIN_TRACE}`]),
    );
    expectError(await get(`/api/v3/traces?${window}&query.serviceName=nope`), 404, 'No traces found');
  });

  it('validates the window and durations', async () => {
    expectError(
      await get('/api/v3/traces?query.serviceName=backend'),
      400,
      'query.startTimeMin and query.startTimeMax are required',
    );
    expectError(
      await get(`/api/v3/traces?query.startTimeMin=${iso(T0)}&query.startTimeMax=${iso(T0)}`),
      400,
      'query.startTimeMin must be before query.startTimeMax',
    );
    expectError(
      await get(`/api/v3/traces?query.startTimeMin=yesterday&query.startTimeMax=${iso(T0)}`),
      400,
      /^malformed parameter query.startTimeMin: /,
    );
    expectError(
      await get(`/api/v3/traces?${window}&query.durationMin=fast`),
      400,
      /^malformed parameter query.durationMin: time: invalid duration/,
    );
  });

  it('summarizes traces, 200 with [] when none match', async () => {
    const r = await get(`/api/v3/trace-summaries?${window}&query.serviceName=backend&query.searchDepth=20`);
    expect(r.status).toBe(200);
    const summaries = (r.body as { summaries: TraceSummary[] }).summaries;
    expect(summaries).toEqual([
      {
        traceId: `0000000000000000${ZIPKIN_TRACE}`,
        rootServiceName: 'front/end',
        rootOperationName: 'get /api',
        minStartTimeUnixNano: `${T0}000`,
        maxEndTimeUnixNano: `${T0 + 100_000}000`,
        spanCount: 3,
        errorSpanCount: 1,
        orphanSpanCount: 0,
        services: [
          { name: 'backend', spanCount: 2, errorSpanCount: 1 },
          { name: 'front/end', spanCount: 1, errorSpanCount: 0 },
        ],
      },
    ]);
    for (const s of summaries) expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
    const none = await get(
      `/api/v3/trace-summaries?${window}&query.serviceName=backend&query.operationName=nope`,
    );
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ summaries: [] });
  });
});
