import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import type { Span } from '../../src/model/span.js';

let server: RunningSkein;
const now = Date.now();
const TRACE = '463ac35c9f6413ad48485a3953bb6124';

const spans: Span[] = [
  { traceId: TRACE, id: '48485a3953bb6124', kind: 'SERVER', name: 'get /', timestamp: now * 1000, duration: 9000, localEndpoint: { serviceName: 'frontend' }, tags: { 'http.path': '/' } },
  { traceId: TRACE, parentId: '48485a3953bb6124', id: '0000000000000002', kind: 'CLIENT', name: 'get /api', timestamp: now * 1000 + 100, duration: 5000, localEndpoint: { serviceName: 'frontend' }, remoteEndpoint: { serviceName: 'backend' }, annotations: [{ timestamp: now * 1000 + 200, value: 'wire.send' }] },
  { traceId: TRACE, parentId: '48485a3953bb6124', id: '0000000000000002', kind: 'SERVER', name: 'get /api', timestamp: now * 1000 + 300, duration: 4000, localEndpoint: { serviceName: 'backend' }, shared: true, tags: { error: 'boom' } },
  ...['alpha', 'beta', 'gamma'].map((svc, i): Span => ({ traceId: `00000000000000${i + 1}1`, id: '0000000000000001', name: 'op', timestamp: now * 1000 - 1000 * (i + 1), duration: 10, localEndpoint: { serviceName: svc } })),
];

beforeAll(async () => {
  server = await startTestServer({ ZIPKIN_QUERY_ALLOWED_ORIGINS: 'https://dash.example.com', AUTOCOMPLETE_KEYS: 'http.path' });
  const res = await fetch(`${server.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spans) });
  expect(res.status).toBe(202);
});
afterAll(async () => {
  await server.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers, redirect: 'manual' });
async function expect400(path: string, message: RegExp) {
  const res = await get(path);
  expect(res.status).toBe(400);
  expect(await res.text()).toMatch(message);
}

describe('query API v2', () => {
  for (const prefix of ['/api/v2', '/zipkin/api/v2']) {
    it(`serves sorted service names with a cache header at ${prefix}/services`, async () => {
      const res = await get(`${prefix}/services`);
      expect(await res.json()).toEqual(['alpha', 'backend', 'beta', 'frontend', 'gamma']);
      expect(res.headers.get('cache-control')).toBe('max-age=300, must-revalidate');
    });
  }

  it('serves span names and remote service names of a service', async () => {
    expect(await (await get('/api/v2/spans?serviceName=Frontend')).json()).toEqual(['get /', 'get /api']);
    expect(await (await get('/api/v2/remoteServices?serviceName=frontend')).json()).toEqual(['backend']);
    await expect400('/api/v2/spans', /serviceName/);
  });

  it('searches traces with every criterion and returns whole traces newest first', async () => {
    const all = (await (await get(`/api/v2/traces?endTs=${now + 1000}&lookback=60000`)).json()) as Span[][];
    expect(all.map((t) => t[0]!.traceId)).toEqual([TRACE, '0000000000000011', '0000000000000021', '0000000000000031']);
    const q = async (qs: string) => ((await (await get(`/api/v2/traces?${qs}`)).json()) as Span[][]).map((t) => t.length);
    expect(await q('serviceName=backend&spanName=get%20/api')).toEqual([3]);
    expect(await q('serviceName=frontend&remoteServiceName=backend')).toEqual([3]);
    expect(await q('annotationQuery=error')).toEqual([3]);
    expect(await q('serviceName=frontend&annotationQuery=error')).toEqual([]);
    expect(await q('annotationQuery=http.path%3D%2F%20and%20wire.send')).toEqual([3]);
    expect(await q('minDuration=8000')).toEqual([3]);
    expect(await q('minDuration=8000&maxDuration=8500')).toEqual([]);
    expect(await q('limit=2')).toHaveLength(2);
  });

  it('answers 400 with a message for invalid search parameters', async () => {
    await expect400('/api/v2/traces?limit=0', /limit/);
    await expect400('/api/v2/traces?lookback=-1', /lookback/);
    await expect400('/api/v2/traces?endTs=0', /endTs/);
    await expect400('/api/v2/traces?maxDuration=10', /minDuration/);
    await expect400('/api/v2/traces?minDuration=10&maxDuration=5', /maxDuration/);
    await expect400('/api/v2/traces?limit=ten', /limit/);
  });

  it('gets a trace by id, 404 when unknown, 400 when not lower-hex (uppercase too, as zipkin)', async () => {
    const res = await get(`/api/v2/trace/${TRACE}`);
    expect(res.status).toBe(200);
    expect((await res.json()) as Span[]).toHaveLength(3);
    const missing = await get('/api/v2/trace/00000000000000ff');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('00000000000000ff not found');
    await expect400('/api/v2/trace/nothex', /^nothex should be lower-hex encoded with no prefix$/);
    await expect400(`/api/v2/trace/${TRACE.toUpperCase()}`, /should be lower-hex encoded with no prefix$/);
  });

  it('gets many traces, rejecting empty and redundant id lists', async () => {
    const res = (await (await get(`/api/v2/traceMany?traceIds=${TRACE},0000000000000011,00000000000000ff`)).json()) as Span[][];
    expect(res.map((t) => t[0]!.traceId).sort()).toEqual(['0000000000000011', TRACE]);
    await expect400('/api/v2/traceMany?traceIds=', /traceIds parameter is empty/);
    await expect400('/api/v2/traceMany?traceIds=11,0000000000000011', /redundant traceId: 0000000000000011/);
  });

  it('computes dependency links on demand, with error counts', async () => {
    const links = await (await get(`/api/v2/dependencies?endTs=${now + 1000}&lookback=60000`)).json();
    expect(links).toEqual([{ parent: 'frontend', child: 'backend', callCount: 1, errorCount: 1 }]);
    await expect400('/api/v2/dependencies', /endTs/);
  });

  it('serves autocomplete keys and values for the configured keys only', async () => {
    expect(await (await get('/api/v2/autocompleteKeys')).json()).toEqual(['http.path']);
    expect(await (await get('/api/v2/autocompleteValues?key=http.path')).json()).toEqual(['/']);
    expect(await (await get('/api/v2/autocompleteValues?key=error')).json()).toEqual([]);
    await expect400('/api/v2/autocompleteValues', /key/);
  });
});

describe('UI paths, config, CORS and operations', () => {
  it('redirects / and /zipkin to /zipkin/', async () => {
    for (const path of ['/', '/zipkin']) {
      const res = await get(path);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/zipkin/');
    }
  });

  it('keeps the search of a /zipkin?... link through the redirect', async () => {
    const res = await get('/zipkin?serviceName=frontend&lookback=1h');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/zipkin/?serviceName=frontend&lookback=1h');
  });

  it('serves /zipkin/config.json with zipkin defaults, unset URLs as null, cacheable for 10 minutes', async () => {
    const res = await get('/zipkin/config.json');
    expect(res.headers.get('cache-control')).toBe('max-age=600');
    expect(await res.json()).toEqual({
      environment: '',
      queryLimit: 10,
      defaultLookback: 900000,
      searchEnabled: true,
      logsUrl: null,
      supportUrl: null,
      archivePostUrl: null,
      archiveUrl: null,
      dependency: { enabled: true, lowErrorRate: 0.5, highErrorRate: 0.75 },
    });
  });

  it('allows only configured CORS origins', async () => {
    const ok = await get('/api/v2/services', { origin: 'https://dash.example.com' });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');
    const other = await get('/api/v2/services', { origin: 'https://evil.example.com' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reports health and info', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'UP', zipkin: { status: 'UP' } });
    expect(await (await get('/info')).json()).toMatchObject({ zipkin: { version: expect.any(String) } });
  });
});

describe('parameter edge cases', () => {
  it('takes the first of a repeated parameter instead of failing', async () => {
    const res = await get(`/api/v2/traces?limit=1&limit=2&endTs=${now + 1000}&lookback=60000`);
    expect(res.status).toBe(200);
    expect((await res.json()) as unknown[]).toHaveLength(1);
    expect(await (await get('/api/v2/spans?serviceName=backend&serviceName=frontend')).json()).toEqual(['get /api']);
    const many = await get(`/api/v2/traceMany?traceIds=${TRACE},0000000000000012&traceIds=0000000000000011`);
    expect(many.status).toBe(200);
    const deps = await get(`/api/v2/dependencies?endTs=${now + 1000}&endTs=1&lookback=60000`);
    expect(deps.status).toBe(200);
  });

  it('answers 400 for integers that do not fit', async () => {
    await expect400('/api/v2/traces?endTs=99999999999999999999', /endTs should be an integer/);
  });
});

describe('response compression', () => {
  it('gzips large JSON answers when the client accepts it, as zipkin does', async () => {
    const big = Array.from({ length: 60 }, (_, i): Span => ({ traceId: '00000000000000c0', id: (i + 1).toString(16).padStart(16, '0'), name: 'op', timestamp: now * 1000, duration: 5, localEndpoint: { serviceName: 'zipper' }, tags: { 'sql.query': `select * from t where id = ${i}` } }));
    await fetch(`${server.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(big) });
    const res = await fetch(`${server.url}/api/v2/trace/00000000000000c0`, { headers: { 'accept-encoding': 'gzip' } });
    // fetch inflates transparently; the header shows what went over the wire.
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(((await res.json()) as unknown[]).length).toBe(60);
  });
});
