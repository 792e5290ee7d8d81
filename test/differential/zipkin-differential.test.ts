import { request, type IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJsonV1List } from '../../src/codec/json-v1/json-v1-codec.js';
import { encodeJsonV2List } from '../../src/codec/json-v2/json-v2-codec.js';
import { encodeProto3List } from '../../src/codec/proto3/proto3-codec.js';
import { encodeThriftList } from '../../src/codec/thrift/thrift-codec.js';
import type { Span } from '../../src/model/span.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { startZipkinServer, zipkinServerAvailable, type RunningZipkin } from '../support/zipkin-server.js';

/**
 * The same requests go to the real zipkin-server (the oracle, STORAGE_TYPE=mem) and to Skein, and their
 * answers are compared after normalisation. Each remaining difference is in KNOWN_DIFFERENCES with the
 * reason Skein differs on purpose; a listed row that stops differing fails too, so the table stays true.
 */
const available = zipkinServerAvailable();

/** Both servers get the same settings, spelt as Zipkin spells them. */
const SHARED_ENV = { AUTOCOMPLETE_KEYS: 'http.method,environment', QUERY_LOOKBACK: '86400000' };
/** Skein's body limit, small enough that one request below crosses it (Zipkin has none). */
const SKEIN_BODY_LIMIT = 64 * 1024;

type Field = 'status' | 'type' | 'cacheControl' | 'location' | 'body';

/**
 * Where Skein differs on purpose. Key: the request's label. The listed fields must differ (so a fix
 * shows up as a failing row to delete); every other field must still match.
 */
const KNOWN_DIFFERENCES: Record<string, { fields: Field[]; reason: string }> = {
  'POST over the body limit': {
    fields: ['status', 'type', 'body'],
    reason:
      'Skein answers 413 over QUERY_MAX_BODY_BYTES; Zipkin has no limit (openzipkin/zipkin#3834, gzip bombs)',
  },
  'GET /zipkin/': {
    fields: ['body'],
    reason: "Skein serves its own UI, not Lens; index.html's Cache-Control matches",
  },
  'GET /api/v2/nope': {
    fields: ['type', 'body'],
    reason: "fastify's JSON 404 body instead of Armeria's text; clients look only at the status",
  },
  'HEAD /api/v2/services': {
    fields: ['status', 'cacheControl'],
    reason:
      'RFC 9110: HEAD is GET without a body; Armeria does not route HEAD to GET handlers and answers 404',
  },
  'HEAD /api/v2/spans': {
    fields: ['status'],
    reason: 'as HEAD /api/v2/services: Skein runs the GET handler, here a 400 for the missing serviceName',
  },
  'OPTIONS /api/v2/services without Origin': {
    fields: ['status', 'body'],
    reason: '@fastify/cors answers an OPTIONS without Origin as a bad preflight (400); Armeria says 404',
  },
  'PUT /api/v2/services': {
    fields: ['type'],
    reason: "the same 404 as Zipkin, with fastify's JSON body instead of Armeria's text",
  },
  'DELETE /api/v2/spans': {
    fields: ['type'],
    reason: "the same 404 as Zipkin, with fastify's JSON body instead of Armeria's text",
  },
  'PUT /zipkin/config.json': {
    fields: ['status', 'type', 'body'],
    reason:
      'Armeria answers 405 for other methods on its static files only (the API paths say 404, as Skein)',
  },
};

/**
 * Differences that belong to work in progress elsewhere, not to this suite's fixes: these fields may match or
 * not (a mismatch is printed). Delete a row once its fix lands; the field must then match like any other.
 */
const PENDING: Record<string, { fields: Field[]; why: string }> = {};

interface Req {
  label: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** How to compare the body: json (parsed, lists sorted), text (trimmed), or status-only (ignored). */
  compare?: 'json' | 'text' | 'none';
}

interface Answer {
  status: number;
  type: string;
  cacheControl: string | null;
  location: string | null;
  body: unknown;
}

/** Lists sorted by their JSON (trace order and name order are not part of the contract compared here). */
function sortDeep(v: unknown): unknown {
  if (Array.isArray(v))
    return v.map(sortDeep).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, sortDeep(x)]),
    );
  }
  return v;
}

/** The media type's family: Armeria labels error text `text/*`, fastify `text/plain; charset=utf-8`. */
function family(contentType: string | null): string {
  if (!contentType) return 'none';
  const mime = contentType.split(';')[0]!.trim();
  if (mime.startsWith('text/') && mime !== 'text/html') return 'text';
  return mime;
}

/** node:http rather than fetch, which refuses to send TRACE and follows redirects. */
function send(base: string, r: Req): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${r.path}`,
      { method: r.method ?? 'GET', headers: r.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : Buffer.from(r.body));
  });
}

const header = (h: IncomingHttpHeaders, name: string): string | null => {
  const v = h[name];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
};

async function ask(base: string, r: Req): Promise<Answer> {
  const method = r.method ?? 'GET';
  const res = await send(base, r);
  const text = res.text;
  const compare = r.compare ?? (method === 'POST' || res.status >= 400 ? 'text' : 'json');
  let body: unknown;
  if (compare === 'json' && text !== '') body = sortDeep(JSON.parse(text));
  else if (compare === 'text') body = text.trim();
  return {
    status: res.status,
    type:
      method === 'HEAD' || res.status === 202 || res.status === 302
        ? 'none'
        : family(header(res.headers, 'content-type')),
    cacheControl: header(res.headers, 'cache-control'),
    location: header(res.headers, 'location'),
    body,
  };
}

// Timestamps a minute ago, in epoch microseconds, so every default lookback holds them.
const NOW_MS = Date.now();
const TS = (NOW_MS - 60_000) * 1000;
const END_TS = NOW_MS + 60_000;

const ep = (serviceName: string, extra: Record<string, unknown> = {}) => ({ serviceName, ...extra });

/** One trace per encoding, so each answer shows which decoder a difference came from. */
function trace(prefix: string, service: string): Span[] {
  const traceId = `${prefix}${'0'.repeat(14)}1`;
  return [
    {
      traceId,
      id: '0000000000000001',
      kind: 'SERVER',
      name: 'get /api',
      timestamp: TS,
      duration: 2000,
      localEndpoint: ep(service, { ipv4: '10.0.0.1', port: 8080 }),
      remoteEndpoint: ep('browser', { ipv6: '2001:db8::c001' }),
      annotations: [{ timestamp: TS + 10, value: 'wire.recv' }],
      tags: { 'http.method': 'GET', 'http.path': '/api', environment: 'prod' },
    },
    {
      traceId,
      parentId: '0000000000000001',
      id: '0000000000000002',
      kind: 'CLIENT',
      name: 'query',
      timestamp: TS + 100,
      duration: 1500,
      localEndpoint: ep(service, { ipv4: '10.0.0.1' }),
      remoteEndpoint: ep('db', { ipv4: '10.0.0.9', port: 5432 }),
      tags: { error: 'timeout', 'sql.query': 'select 1' },
    },
    {
      traceId,
      parentId: '0000000000000002',
      id: '0000000000000003',
      kind: 'SERVER',
      shared: true,
      name: 'query',
      timestamp: TS + 150,
      duration: 1000,
      localEndpoint: ep('db', { ipv4: '10.0.0.9', port: 5432 }),
    },
  ] as Span[];
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const INGEST: Req[] = [
  {
    label: 'POST JSON v2',
    method: 'POST',
    path: '/api/v2/spans',
    headers: JSON_HEADERS,
    body: encodeJsonV2List(trace('a', 'jsonv2')),
  },
  {
    label: 'POST JSON v1',
    method: 'POST',
    path: '/api/v1/spans',
    headers: JSON_HEADERS,
    body: encodeJsonV1List(trace('b', 'jsonv1')),
  },
  {
    label: 'POST Thrift list',
    method: 'POST',
    path: '/api/v1/spans',
    headers: { 'content-type': 'application/x-thrift' },
    body: encodeThriftList(trace('c', 'thrift')),
  },
  {
    label: 'POST proto3',
    method: 'POST',
    path: '/api/v2/spans',
    headers: { 'content-type': 'application/x-protobuf' },
    body: encodeProto3List(trace('d', 'proto3')),
  },
  {
    label: 'POST gzip JSON v2',
    method: 'POST',
    path: '/api/v2/spans',
    headers: { ...JSON_HEADERS, 'content-encoding': 'gzip' },
    body: gzipSync(encodeJsonV2List(trace('e', 'gzipped'))),
  },
  {
    label: 'POST JSON v2 without a content type',
    method: 'POST',
    path: '/api/v2/spans',
    body: encodeJsonV2List(trace('f', 'untyped')),
  },
  {
    // zipkin keeps an IPv4 literal with a leading-zero octet as written (its smartthings test trace).
    label: 'POST leading-zero IPv4',
    method: 'POST',
    path: '/api/v2/spans',
    headers: JSON_HEADERS,
    body: JSON.stringify([
      {
        traceId: '9000000000000001',
        id: '0000000000000001',
        name: 'octets',
        timestamp: TS,
        duration: 5,
        localEndpoint: { serviceName: 'octets', ipv4: '52.0.0.04' },
      },
    ]),
  },
  {
    label: 'POST annotationQuery fixture',
    method: 'POST',
    path: '/api/v2/spans',
    headers: JSON_HEADERS,
    body: JSON.stringify([
      {
        traceId: '9000000000000002',
        id: '0000000000000001',
        name: 'tagged',
        timestamp: TS,
        duration: 5,
        localEndpoint: { serviceName: 'tagged' },
        tags: { baz: 'qux' },
      },
    ]),
  },
];
const SERVICES = ['jsonv2', 'jsonv1', 'thrift', 'proto3', 'gzipped', 'untyped', 'octets', 'tagged'];

const bad = (
  label: string,
  body: string | Uint8Array,
  headers: Record<string, string> = JSON_HEADERS,
  path = '/api/v2/spans',
): Req => ({
  label,
  method: 'POST',
  path,
  headers,
  body,
  compare: 'none',
});
const one = (over: Record<string, unknown>) =>
  JSON.stringify([{ traceId: '1', id: '2', name: 'x', ...over }]);

const MALFORMED: Req[] = [
  bad('POST empty body', ''),
  bad('POST empty list', '[]'),
  bad('POST not JSON', 'hello'),
  bad('POST truncated JSON', '[{"traceId":"1"'),
  bad('POST an object, not a list', '{"traceId":"1","id":"2"}'),
  bad('POST v1 body to v2', JSON.stringify([{ traceId: '1', id: '2', name: 'x', binaryAnnotations: [] }])),
  bad('POST uppercase trace id', one({ traceId: 'ABC' })),
  bad('POST 33-character trace id', one({ traceId: 'a'.repeat(33) })),
  bad('POST missing span id', JSON.stringify([{ traceId: '1', name: 'x' }])),
  bad('POST bad kind', one({ kind: 'INTERNAL' })),
  bad('POST port over 65535', one({ localEndpoint: { serviceName: 'p', port: 70000 } })),
  bad('POST boolean tag', one({ tags: { ok: true } })),
  bad('POST bad gzip', 'not gzip', { ...JSON_HEADERS, 'content-encoding': 'gzip' }),
  bad('POST bad proto3', new Uint8Array([10, 5, 1, 2]), { 'content-type': 'application/x-protobuf' }),
  bad(
    'POST bad Thrift',
    new Uint8Array([12, 0, 0, 0, 9, 1]),
    { 'content-type': 'application/x-thrift' },
    '/api/v1/spans',
  ),
  {
    label: 'POST over the body limit',
    method: 'POST',
    path: '/api/v2/spans',
    headers: JSON_HEADERS,
    body: one({ tags: { big: 'x'.repeat(SKEIN_BODY_LIMIT + 1024) } }),
    compare: 'text',
  },
];

const q = (path: string, label = `GET ${path}`, compare: Req['compare'] = 'json'): Req => ({
  label,
  path,
  compare,
});
const window = `endTs=${END_TS}&lookback=3600000`;
const QUERIES: Req[] = [
  q('/api/v2/services'),
  q('/api/v2/spans?serviceName=jsonv2'),
  q('/api/v2/spans?serviceName=JSONV1', 'GET /api/v2/spans, name lowercased'),
  q('/api/v2/spans?serviceName=octets', 'GET /api/v2/spans with one name'),
  q('/api/v2/remoteServices?serviceName=thrift'),
  q('/api/v2/remoteServices?serviceName=octets', 'GET /api/v2/remoteServices with none'),
  q(`/api/v2/traces?${window}&limit=100`),
  q(`/api/v2/traces?serviceName=proto3&${window}`),
  q(`/api/v2/traces?serviceName=gzipped&spanName=query&${window}`),
  q(`/api/v2/traces?serviceName=jsonv1&remoteServiceName=db&${window}`),
  q(`/api/v2/traces?remoteServiceName=browser&${window}&limit=100`),
  q(`/api/v2/traces?serviceName=thrift&annotationQuery=error&${window}`),
  q(
    `/api/v2/traces?serviceName=thrift&annotationQuery=${encodeURIComponent('http.method=GET and wire.recv')}&${window}`,
  ),
  q(
    `/api/v2/traces?annotationQuery=${encodeURIComponent('baz = qux')}&${window}`,
    'GET annotationQuery "baz = qux"',
  ),
  q(
    `/api/v2/traces?annotationQuery=${encodeURIComponent('baz =qux')}&${window}`,
    'GET annotationQuery "baz =qux"',
  ),
  q(
    `/api/v2/traces?annotationQuery=${encodeURIComponent('baz= qux')}&${window}`,
    'GET annotationQuery "baz= qux"',
  ),
  q(`/api/v2/traces?serviceName=untyped&minDuration=1500&${window}`),
  q(`/api/v2/traces?serviceName=untyped&minDuration=1&maxDuration=1200&${window}`),
  q(
    `/api/v2/traces?serviceName=jsonv2&endTs=${NOW_MS - 3_600_000}&lookback=60000`,
    'GET /api/v2/traces before the data',
  ),
  q(`/api/v2/traces?${window}&limit=2`, 'GET /api/v2/traces limit=2', 'none'),
  q('/api/v2/trace/a000000000000001'),
  q('/api/v2/trace/9000000000000001', 'GET /api/v2/trace with a leading-zero IPv4'),
  q('/api/v2/trace/%20b000000000000001%20', 'GET /api/v2/trace with spaces'),
  q('/api/v2/trace/00000000000000000000000000000abc', 'GET /api/v2/trace missing 128-bit', 'text'),
  q('/api/v2/trace/A000000000000001', 'GET /api/v2/trace uppercase', 'text'),
  q('/api/v2/trace/xyz', 'GET /api/v2/trace not hex', 'text'),
  q('/api/v2/trace/0x1', 'GET /api/v2/trace with 0x', 'text'),
  q(`/api/v2/trace/${'a'.repeat(33)}`, 'GET /api/v2/trace 33 characters', 'text'),
  q('/api/v2/traceMany?traceIds=a000000000000001,c000000000000001,0000000000000abc'),
  q('/api/v2/traceMany?traceIds=a000000000000001', 'GET /api/v2/traceMany one id', 'text'),
  q('/api/v2/traceMany?traceIds=', 'GET /api/v2/traceMany empty', 'text'),
  q('/api/v2/traceMany?traceIds=a,a', 'GET /api/v2/traceMany redundant', 'text'),
  q('/api/v2/traceMany?traceIds=a,xyz', 'GET /api/v2/traceMany bad id', 'text'),
  q('/api/v2/traceMany?traceIds=a,', 'GET /api/v2/traceMany trailing comma', 'text'),
  q(`/api/v2/dependencies?${window}`),
  q('/api/v2/autocompleteKeys'),
  q('/api/v2/autocompleteValues?key=http.method'),
  q('/api/v2/autocompleteValues?key=nope', 'GET /api/v2/autocompleteValues unknown key'),
  q('/zipkin/api/v2/services', 'GET /zipkin/api/v2/services'),
  // Parameter errors: the status and type are compared; the wording is Armeria's binding text.
  q('/api/v2/spans', 'GET /api/v2/spans without serviceName', 'none'),
  q('/api/v2/dependencies', 'GET /api/v2/dependencies without endTs', 'none'),
  q('/api/v2/autocompleteValues', 'GET /api/v2/autocompleteValues without key', 'none'),
  q('/api/v2/traces?limit=x', 'GET /api/v2/traces limit=x', 'none'),
  q('/api/v2/traces?limit=0', 'GET /api/v2/traces limit=0', 'text'),
  q('/api/v2/traces?endTs=0', 'GET /api/v2/traces endTs=0', 'text'),
  q('/api/v2/traces?lookback=0', 'GET /api/v2/traces lookback=0', 'text'),
  q('/api/v2/traces?minDuration=0', 'GET /api/v2/traces minDuration=0', 'text'),
  q('/api/v2/traces?maxDuration=5', 'GET /api/v2/traces maxDuration alone', 'text'),
  q('/api/v2/traces?minDuration=10&maxDuration=5', 'GET /api/v2/traces maxDuration < minDuration', 'text'),
];

const HTTP_EDGES: Req[] = [
  q('/zipkin/config.json'),
  q('/', 'GET /', 'none'),
  q('/zipkin', 'GET /zipkin', 'none'),
  q('/zipkin/', 'GET /zipkin/', 'text'),
  q('/zipkin/traces/a000000000000001', 'GET a UI deep link', 'none'),
  q('/api/v2/nope', 'GET /api/v2/nope', 'text'),
  { label: 'TRACE /api/v2/services', method: 'TRACE', path: '/api/v2/services', compare: 'none' },
  { label: 'TRACE /api/v2/spans', method: 'TRACE', path: '/api/v2/spans', compare: 'none' },
  { label: 'TRACE /zipkin/config.json', method: 'TRACE', path: '/zipkin/config.json', compare: 'none' },
  { label: 'PUT /api/v2/services', method: 'PUT', path: '/api/v2/services', compare: 'none' },
  { label: 'DELETE /api/v2/spans', method: 'DELETE', path: '/api/v2/spans', compare: 'none' },
  { label: 'PUT /zipkin/config.json', method: 'PUT', path: '/zipkin/config.json', compare: 'text' },
  { label: 'HEAD /api/v2/services', method: 'HEAD', path: '/api/v2/services', compare: 'none' },
  { label: 'HEAD /api/v2/spans', method: 'HEAD', path: '/api/v2/spans', compare: 'none' },
  {
    label: 'OPTIONS /api/v2/services without Origin',
    method: 'OPTIONS',
    path: '/api/v2/services',
    compare: 'text',
  },
];

describe.skipIf(!available)('Skein answers as zipkin-server does', () => {
  let zipkin: RunningZipkin | undefined;
  let skein: RunningSkein | undefined;
  const ingestAnswers = new Map<string, [Answer, Answer]>();

  beforeAll(async () => {
    [zipkin, skein] = await Promise.all([
      startZipkinServer(SHARED_ENV),
      startTestServer({ ...SHARED_ENV, QUERY_MAX_BODY_BYTES: String(SKEIN_BODY_LIMIT) }),
    ]);
    for (const r of INGEST) ingestAnswers.set(r.label, await both(r));
    // Both answer 202 before every write is visible everywhere; wait until each lists every service.
    for (const [name, base] of [
      ['zipkin-server', zipkin.url],
      ['Skein', skein.url],
    ] as const) {
      await waitFor(
        async () => {
          const names = (await (await fetch(`${base}/api/v2/services`)).json()) as string[];
          return SERVICES.every((s) => names.includes(s)) ? true : undefined;
        },
        `${name} to list the services ${SERVICES.join(', ')}`,
        30_000,
      );
    }
    // Zipkin decides Cache-Control on the name lists from the service count that /services last saw.
    await both(q('/api/v2/services'));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([zipkin?.stop(), skein?.close()]);
  });

  async function both(r: Req): Promise<[Answer, Answer]> {
    if (!zipkin || !skein) throw new Error('the servers did not start');
    return Promise.all([ask(zipkin.url, r), ask(skein.url, r)]);
  }

  function expectSame(label: string, z: Answer, s: Answer): void {
    const known = KNOWN_DIFFERENCES[label];
    const waiting = PENDING[label];
    for (const f of ['status', 'type', 'cacheControl', 'location', 'body'] as const) {
      if (waiting?.fields.includes(f)) {
        if (JSON.stringify(s[f]) !== JSON.stringify(z[f])) {
          console.warn(
            `pending (${waiting.why}): ${label}: ${f} is ${JSON.stringify(s[f])}, zipkin-server ${JSON.stringify(z[f])}`,
          );
        }
      } else if (known?.fields.includes(f)) {
        expect(
          s[f],
          `${label}: ${f} is listed as differing (${known.reason}); it now matches, delete the row`,
        ).not.toEqual(z[f]);
      } else {
        expect({ [f]: s[f] }, `${label}: Skein's ${f} differs from zipkin-server's`).toEqual({ [f]: z[f] });
      }
    }
  }

  describe('ingest in every encoding', () => {
    for (const r of INGEST) {
      it(r.label, () => {
        const [z, s] = ingestAnswers.get(r.label)!;
        expectSame(r.label, z, s);
      });
    }
  });

  for (const [group, requests] of [
    ['queries over the same data', QUERIES],
    ['malformed input', MALFORMED],
    ['HTTP edge cases', HTTP_EDGES],
  ] as const) {
    describe(group, () => {
      for (const r of requests) {
        it(r.label, async () => {
          const [z, s] = await both(r);
          expectSame(r.label, z, s);
        });
      }
    });
  }
});
