import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import type { JaegerUiTrace } from '../../src/query/jaeger-api/jaeger-ui-model.js';
import { startTestServer } from '../support/server.js';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { ListenError } from '../../src/server/listen-error.js';
import { JAEGER_TRACE, OTLP_TRACE, otlpBody, sendAll, T0, ZIPKIN_TRACE } from './fixtures.js';

let server: RunningSkein;
let empty: RunningSkein;

beforeAll(async () => {
  [server, empty] = await Promise.all([startTestServer(), startTestServer()]);
  await sendAll(server);
});
afterAll(async () => {
  await Promise.all([server?.close(), empty?.close()]);
});

interface Envelope<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: Array<{ code?: number; msg: string; traceID?: string }> | null;
}

async function get<T>(
  path: string,
  base = server.url,
): Promise<{ status: number; type: string; body: Envelope<T> }> {
  const res = await fetch(`${base}${path}`, { redirect: 'manual' });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: JSON.parse(await res.text()) as Envelope<T>,
  };
}

function expectError(
  r: { status: number; type: string; body: Envelope<unknown> },
  status: number,
  msg: string | RegExp,
): void {
  expect(r.status).toBe(status);
  // jaeger handleError: the envelope, sent through http.Error as text/plain.
  expect(r.type).toBe('text/plain; charset=utf-8');
  expect(r.body).toMatchObject({ data: null, total: 0, limit: 0, offset: 0 });
  expect(r.body.errors).toHaveLength(1);
  expect(r.body.errors![0]!.code).toBe(status);
  expect(r.body.errors![0]!.msg).toMatch(msg);
}

const tagOf = (span: JaegerUiTrace['spans'][number], key: string) => span.tags.find((t) => t.key === key);

describe('GET /api/services and operations', () => {
  it('lists every local service in the envelope', async () => {
    const r = await get<string[]>('/api/services');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect([...r.body.data].sort()).toEqual(['backend', 'front/end', 'jaeger-svc', 'otel-svc']);
    expect(r.body).toMatchObject({ total: 4, limit: 0, offset: 0, errors: null });
  });

  it('answers an empty store with [] (never null)', async () => {
    const res = await fetch(`${empty.url}/api/services`);
    expect(await res.text()).toBe('{"data":[],"total":0,"limit":0,"offset":0,"errors":null}');
    const ops = await get<string[]>('/api/services/nope/operations', empty.url);
    expect(ops.body).toEqual({ data: [], total: 0, limit: 0, offset: 0, errors: null });
    const search = await get<unknown[]>('/api/traces?service=nope', empty.url);
    expect(search.status).toBe(200);
    expect(search.body.data).toEqual([]);
  });

  it('decodes a service name containing / from the path', async () => {
    const r = await get<string[]>(`/api/services/${encodeURIComponent('front/end')}/operations`);
    expect(r.body).toEqual({ data: ['get /api'], total: 1, limit: 0, offset: 0, errors: null });
  });

  it('answers an unknown service with 200 and []', async () => {
    const r = await get<string[]>('/api/services/unknown/operations');
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual([]);
  });

  it('/api/operations needs service and filters by spanKind', async () => {
    expectError(await get('/api/operations'), 400, "parameter 'service' is required");
    const all = await get<Array<{ name: string; spanKind: string }>>('/api/operations?service=backend');
    expect(all.body.data).toEqual([
      { name: 'get /api', spanKind: 'server' },
      { name: 'select', spanKind: 'client' },
    ]);
    expect(all.body.total).toBe(2);
    const server = await get<unknown[]>('/api/operations?service=backend&spanKind=server');
    expect(server.body).toEqual({
      data: [{ name: 'get /api', spanKind: 'server' }],
      total: 1,
      limit: 0,
      offset: 0,
      errors: null,
    });
  });
});

describe('GET /api/traces/{id}', () => {
  it('answers a 64-bit Zipkin trace asked for as 32 hex, with the shared span split', async () => {
    const r = await get<JaegerUiTrace[]>(`/api/traces/0000000000000000${ZIPKIN_TRACE.toUpperCase()}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
    expect(r.body.data).toHaveLength(1);
    const t = r.body.data[0]!;
    expect(t.traceID).toBe(ZIPKIN_TRACE);
    expect(t.warnings).toBeNull();
    expect(t.spans).toHaveLength(3);
    const byKind = (k: string) => t.spans.filter((s) => tagOf(s, 'span.kind')?.value === k);
    const server = byKind('server')[0]!;
    const client = t.spans.find((s) => s.spanID === '0000000000000011')!;
    const child = t.spans.find((s) => s.operationName === 'select')!;
    expect(tagOf(client, 'span.kind')?.value).toBe('client');
    expect(server.spanID).not.toBe('0000000000000011');
    expect(server.references).toEqual([
      { refType: 'CHILD_OF', traceID: ZIPKIN_TRACE, spanID: '0000000000000011' },
    ]);
    expect(child.references).toEqual([{ refType: 'CHILD_OF', traceID: ZIPKIN_TRACE, spanID: server.spanID }]);
    expect(client.references).toEqual([]);
    expect(server).toMatchObject({
      traceID: ZIPKIN_TRACE,
      operationName: 'get /api',
      startTime: T0 + 1000,
      duration: 80_000,
      logs: [],
      warnings: null,
    });
    expect(server.flags).toBeUndefined();
    expect(tagOf(server, 'error')).toEqual({ key: 'error', type: 'bool', value: true });
    expect(tagOf(server, 'otel.status_description')).toEqual({
      key: 'otel.status_description',
      type: 'string',
      value: 'boom',
    });
    expect(tagOf(server, 'http.status_code')).toEqual({
      key: 'http.status_code',
      type: 'string',
      value: '500',
    });
    expect(tagOf(client, 'peer.service')).toEqual({ key: 'peer.service', type: 'string', value: 'backend' });
    expect(tagOf(client, 'peer.port')).toEqual({ key: 'peer.port', type: 'int64', value: 8080 });
    expect(child.logs).toEqual([
      { timestamp: T0 + 3000, fields: [{ key: 'event', type: 'string', value: 'cache miss' }] },
    ]);
    // Every processID resolves; the two backend spans share one process.
    expect(t.processes).toEqual({
      [client.processID]: {
        serviceName: 'front/end',
        tags: [{ key: 'ip', type: 'string', value: '10.0.0.1' }],
      },
      [server.processID]: {
        serviceName: 'backend',
        tags: [{ key: 'ip', type: 'string', value: '10.0.0.2' }],
      },
    });
    expect(child.processID).toBe(server.processID);
    expect(Object.keys(t.processes).sort()).toEqual(['p1', 'p2']);
  });

  it('maps OTLP status, events, scope and links', async () => {
    const r = await get<JaegerUiTrace[]>(`/api/traces/${OTLP_TRACE}`);
    const t = r.body.data[0]!;
    expect(t.traceID).toBe(OTLP_TRACE);
    const work = t.spans.find((s) => s.operationName === 'work')!;
    const inner = t.spans.find((s) => s.operationName === 'inner')!;
    expect(work).toMatchObject({ spanID: '00000000000000a1', startTime: T0 + 10_000_000, duration: 2000 });
    expect(work.references).toEqual([
      { refType: 'FOLLOWS_FROM', traceID: ZIPKIN_TRACE, spanID: '0000000000000011' },
    ]);
    expect(inner.references).toEqual([
      { refType: 'CHILD_OF', traceID: OTLP_TRACE, spanID: '00000000000000a1' },
    ]);
    expect(tagOf(work, 'span.kind')?.value).toBe('server');
    expect(tagOf(work, 'error')).toEqual({ key: 'error', type: 'bool', value: true });
    expect(tagOf(work, 'otel.status_code')?.value).toBe('ERROR');
    expect(tagOf(work, 'otel.status_description')?.value).toBe('bad input');
    expect(tagOf(work, 'otel.scope.name')?.value).toBe('my-lib');
    expect(tagOf(work, 'http.method')?.value).toBe('GET');
    expect(work.logs).toEqual([
      {
        timestamp: T0 + 10_000_500,
        fields: [
          { key: 'event', type: 'string', value: 'exception' },
          { key: 'exception.type', type: 'string', value: 'Boom' },
        ],
      },
    ]);
    expect(t.processes[work.processID]).toEqual({ serviceName: 'otel-svc', tags: [] });
  });

  it('maps Jaeger spans back: process ip, span.kind, FOLLOWS_FROM, logs', async () => {
    const r = await get<JaegerUiTrace[]>(`/api/traces/${JAEGER_TRACE}`);
    expect(r.status).toBe(200);
    const t = r.body.data[0]!;
    expect(t.traceID).toBe('0000000000c0ffee');
    const s = t.spans[0]!;
    expect(s.references).toEqual([
      { refType: 'FOLLOWS_FROM', traceID: ZIPKIN_TRACE, spanID: '0000000000000012' },
    ]);
    expect(tagOf(s, 'span.kind')?.value).toBe('server');
    expect(tagOf(s, 'retries')?.value).toBe('3');
    expect(s.logs).toEqual([
      { timestamp: T0 + 20_000_100, fields: [{ key: 'event', type: 'string', value: 'started' }] },
    ]);
    expect(t.processes[s.processID]).toEqual({
      serviceName: 'jaeger-svc',
      tags: [{ key: 'ip', type: 'string', value: '10.1.1.1' }],
    });
  });

  it('404 for a missing trace, 400 for a bad id', async () => {
    expectError(await get('/api/traces/ffffffffffffffff'), 404, /^trace not found$/);
    expectError(
      await get('/api/traces/not-hex'),
      400,
      'strconv.ParseUint: parsing "not-hex": invalid syntax',
    );
    expectError(
      await get(`/api/traces/${'a'.repeat(33)}`),
      400,
      'TraceID cannot be longer than 32 hex characters',
    );
  });

  it('treats start/end as hints (Grafana sends milliseconds in them)', async () => {
    const ms = Math.floor(T0 / 1000);
    const r = await get<JaegerUiTrace[]>(`/api/traces/${ZIPKIN_TRACE}?start=${ms - 1000}&end=${ms + 1000}`);
    expect(r.status).toBe(200);
    expect(r.body.data[0]!.spans).toHaveLength(3);
  });

  it('raw=true skips the shared-span split', async () => {
    const r = await get<JaegerUiTrace[]>(`/api/traces/${ZIPKIN_TRACE}?raw=true`);
    expect(r.body.data[0]!.spans.filter((s) => s.spanID === '0000000000000011')).toHaveLength(2);
  });

  it('prettyPrint indents by 4 spaces', async () => {
    const text = await (await fetch(`${server.url}/api/traces/${ZIPKIN_TRACE}?prettyPrint=true`)).text();
    expect(text.startsWith('{\n    "data": [')).toBe(true);
  });
});

describe('GET /api/traces (search)', () => {
  const ids = async (query: string) => {
    const r = await get<JaegerUiTrace[]>(`/api/traces?${query}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
    return r.body.data.map((t) => t.traceID);
  };
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

  it('finds by service, tags as JSON and as key:value', async () => {
    expect(await ids(q({ service: 'backend' }))).toEqual([ZIPKIN_TRACE]);
    expect(await ids(q({ service: 'backend', tags: '{"http.status_code":"500"}' }))).toEqual([ZIPKIN_TRACE]);
    expect(await ids(q({ service: 'backend', tag: 'db.type:sql' }))).toEqual([ZIPKIN_TRACE]);
    expect(await ids(q({ service: 'backend', tags: '{"http.status_code":"404"}' }))).toEqual([]);
    // Process tags and log fields match too.
    expect(await ids(q({ service: 'jaeger-svc', tag: 'ip:10.1.1.1' }))).toEqual(['0000000000c0ffee']);
    expect(await ids(q({ service: 'otel-svc', tag: 'exception.type:Boom' }))).toEqual([OTLP_TRACE]);
  });

  it('needs one span to satisfy every condition', async () => {
    // db.type is on "select", the status code on "get /api": no single span has both.
    expect(await ids(q({ service: 'backend', tags: '{"http.status_code":"500","db.type":"sql"}' }))).toEqual(
      [],
    );
    expect(await ids(q({ service: 'backend', operation: 'get /api', tag: 'db.type:sql' }))).toEqual([]);
    expect(await ids(q({ service: 'backend', operation: 'select', tag: 'db.type:sql' }))).toEqual([
      ZIPKIN_TRACE,
    ]);
    // 80 ms is the server span, 5 ms the select: minDuration 50ms with operation select matches neither.
    expect(await ids(q({ service: 'backend', minDuration: '50ms' }))).toEqual([ZIPKIN_TRACE]);
    expect(await ids(q({ service: 'backend', minDuration: '50ms', operation: 'select' }))).toEqual([]);
    expect(await ids(q({ service: 'backend', minDuration: '1ms', maxDuration: '0.01s' }))).toEqual([
      ZIPKIN_TRACE,
    ]);
    expect(await ids(q({ service: 'backend', maxDuration: '1.5ms' }))).toEqual([]);
  });

  it('error and span.kind are special keys', async () => {
    expect(await ids(q({ service: 'otel-svc', tags: '{"error":"true"}' }))).toEqual([OTLP_TRACE]);
    expect(await ids(q({ service: 'jaeger-svc', tags: '{"error":"true"}' }))).toEqual([]);
    expect(await ids(q({ service: 'jaeger-svc', tags: '{"error":"false"}' }))).toEqual(['0000000000c0ffee']);
    expect(await ids(q({ service: 'backend', tag: 'span.kind:server' }))).toEqual([ZIPKIN_TRACE]);
    expect(await ids(q({ service: 'otel-svc', tag: 'span.kind:client' }))).toEqual([]);
  });

  it('honours the µs window and limit, and ignores lookback and bare keys', async () => {
    expect(
      await ids(
        q({ service: 'backend', start: String(T0 - 1_000_000), end: String(T0 + 1_000_000), lookback: '1h' }),
      ),
    ).toEqual([ZIPKIN_TRACE]);
    expect(
      await ids(q({ service: 'backend', start: String(T0 + 50_000_000), end: String(T0 + 60_000_000) })),
    ).toEqual([]);
    expect(await ids('service=backend&minDuration&maxDuration&limit=20&lookback=custom')).toEqual([
      ZIPKIN_TRACE,
    ]);
    const all = await ids('');
    expect(all).toHaveLength(3);
    // Newest first.
    expect(all[0]).toBe('0000000000c0ffee');
    expect(await ids('limit=1')).toHaveLength(1);
  });

  it('fetches by traceID, with misses as soft errors', async () => {
    const r = await get<JaegerUiTrace[]>(
      `/api/traces?traceID=${ZIPKIN_TRACE}&traceID=ffffffffffffffff&service=ignored`,
    );
    expect(r.status).toBe(200);
    expect(r.body.data.map((t) => t.traceID)).toEqual([ZIPKIN_TRACE]);
    expect(r.body.errors).toEqual([{ msg: 'trace not found', traceID: 'ffffffffffffffff' }]);
    expectError(await get('/api/traces?traceID=zz'), 400, 'cannot parse traceID param: strconv.ParseUint');
  });

  it('answers bad parameters with 400 in the envelope', async () => {
    expectError(
      await get(`/api/traces?${q({ service: 'a', tags: '{bad' })}`),
      400,
      /^malformed 'tags' parameter, cannot unmarshal JSON: /,
    );
    expectError(
      await get('/api/traces?service=a&tag=nocolon'),
      400,
      "malformed 'tag' parameter, expecting key:value, received: nocolon",
    );
    expectError(
      await get('/api/traces?service=a&minDuration=x'),
      400,
      `unable to parse param 'minDuration': time: invalid duration "x"`,
    );
    expectError(
      await get('/api/traces?service=a&minDuration=2s&maxDuration=1s'),
      400,
      "'maxDuration' should be greater than 'minDuration'",
    );
    expectError(await get('/api/traces?service=a&start=yesterday'), 400, /^unable to parse param 'start': /);
    expectError(
      await get('/api/traces?service=a&limit=lots'),
      400,
      'strconv.ParseInt: parsing "lots": invalid syntax',
    );
  });
});

describe('GET /api/dependencies', () => {
  it('takes endTs and lookback in milliseconds', async () => {
    const r = await get<Array<{ parent: string; child: string; callCount: number }>>(
      `/api/dependencies?endTs=${Date.now()}&lookback=604800000`,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
    expect(r.body.data).toContainEqual({ parent: 'front/end', child: 'backend', callCount: 1 });
    for (const l of r.body.data) expect(Object.keys(l).sort()).toEqual(['callCount', 'child', 'parent']);
    const old = await get<unknown[]>(
      `/api/dependencies?endTs=${Math.floor(T0 / 1000) - 3_600_000}&lookback=1000`,
    );
    expect(old.body.data).toEqual([]);
    expectError(await get('/api/dependencies?endTs=1h'), 400, /^unable to parse param 'endTs': /);
  });
});

describe('JAEGER_QUERY_PORT', () => {
  const jaegerUrl = () => `http://127.0.0.1:${server.listeners['jaeger-query']}`;

  it('serves the same API', async () => {
    const r = await get<string[]>('/api/services', jaegerUrl());
    expect(r.body.total).toBe(4);
  });

  it('redirects Jaeger UI paths to the Skein UI pages', async () => {
    const loc = async (path: string) => {
      const res = await fetch(`${jaegerUrl()}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      return res.headers.get('location');
    };
    expect(await loc(`/trace/${ZIPKIN_TRACE.toUpperCase()}?uiFind=x`)).toBe(`/zipkin/traces/${ZIPKIN_TRACE}`);
    expect(await loc('/dependencies')).toBe('/zipkin/dependency');
    expect(
      await loc(
        '/search?service=backend&operation=select&limit=20&start=1000000&end=5000000&lookback=custom',
      ),
    ).toBe('/zipkin/?serviceName=backend&spanName=select&limit=20&lookback=range&startTs=1000&endTs=5000');
    expect(await loc('/')).toBe('/zipkin/');
  });

  it('is off when set to off', async () => {
    const s = await startTestServer({ JAEGER_QUERY_PORT: 'off' });
    try {
      expect(s.listeners['jaeger-query']).toBeUndefined();
    } finally {
      await s.close();
    }
  });
});

describe('POST /api/transform', () => {
  it('turns an uploaded OTLP JSON file into UI traces without storing it', async () => {
    const res = await fetch(`${empty.url}/api/transform`, {
      method: 'POST',
      body: JSON.stringify(otlpBody),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Envelope<JaegerUiTrace[]>;
    expect(body).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
    expect(body.data.map((t) => t.traceID)).toEqual([OTLP_TRACE]);
    expect(body.data[0]!.spans.map((s) => s.operationName).sort()).toEqual(['inner', 'work']);
    expect((await get<string[]>('/api/services', empty.url)).body.data).toEqual([]);
  });

  it('answers a body that is not OTLP JSON with 400 in the envelope', async () => {
    const res = await fetch(`${server.url}/api/transform`, {
      method: 'POST',
      body: '[1,2',
      headers: { 'content-type': 'application/json' },
    });
    expectError(
      {
        status: res.status,
        type: res.headers.get('content-type') ?? '',
        body: JSON.parse(await res.text()) as Envelope<unknown>,
      },
      400,
      /./,
    );
  });
});

describe('JAEGER_QUERY_PORT already taken', () => {
  it('stops start-up naming the setting', async () => {
    const squatter = createServer().listen(0);
    await once(squatter, 'listening');
    const port = (squatter.address() as AddressInfo).port;
    try {
      const start = startTestServer({ JAEGER_QUERY_PORT: String(port) });
      await expect(start).rejects.toBeInstanceOf(ListenError);
      await expect(start).rejects.toThrow(`port ${port} (JAEGER_QUERY_PORT): the port is already in use`);
      await expect(start).rejects.toThrow('set JAEGER_QUERY_PORT to a free port, or to off');
    } finally {
      squatter.close();
    }
  });
});

describe('STRICT_TRACE_ID=false', () => {
  it('finds a 128-bit trace by its low 64 bits, without a soft error', async () => {
    const s = await startTestServer({ STRICT_TRACE_ID: 'false' });
    try {
      const high = '0af7651916cd43dd';
      const low = '8448eb211c80319c';
      const res = await fetch(`${s.url}/api/v2/spans`, {
        method: 'POST',
        body: JSON.stringify([
          {
            traceId: high + low,
            id: '0000000000000001',
            name: 'x',
            timestamp: T0,
            duration: 1,
            localEndpoint: { serviceName: 's' },
          },
        ]),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(202);
      const r = await get<JaegerUiTrace[]>(`/api/traces?traceID=${low}`, s.url);
      expect(r.body.data.map((t) => t.traceID)).toEqual([high + low]);
      expect(r.body.errors).toBeNull();
      expect((await get<JaegerUiTrace[]>(`/api/traces/${low}`, s.url)).body.data[0]!.traceID).toBe(
        high + low,
      );
    } finally {
      await s.close();
    }
  });
});
