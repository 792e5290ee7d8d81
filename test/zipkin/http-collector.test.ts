import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import type { Span } from '../../src/model/span.js';

let server: RunningSkein;
beforeAll(async () => {
  server = await startTestServer({ QUERY_MAX_BODY_BYTES: '64KiB' });
});
afterAll(async () => {
  await server.close();
});

const span = (traceId: string, over: Partial<Span> = {}) => ({
  traceId,
  id: '000000000000000a',
  name: 'get',
  kind: 'SERVER',
  timestamp: Date.now() * 1000,
  duration: 100,
  localEndpoint: { serviceName: 'frontend' },
  ...over,
});

const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });

async function expectStillServing(traceId: string): Promise<void> {
  const res = await fetch(`${server.url}/api/v2/trace/${traceId}`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as Span[])[0]?.traceId).toBe(traceId);
}

describe('POST /api/v2/spans', () => {
  const kept = '00000000000000000000000000000abc'.slice(16);

  beforeAll(async () => {
    expect((await post('/api/v2/spans', JSON.stringify([span(kept)]))).status).toBe(202);
  });

  it('answers 202 with an empty body for a valid list, for [] and for an empty body', async () => {
    for (const body of [JSON.stringify([span('00000000000000a1')]), '[]', '']) {
      const res = await post('/api/v2/spans', body);
      expect(res.status).toBe(202);
      expect(await res.text()).toBe('');
    }
  });

  it('accepts gzip bodies', async () => {
    const res = await post('/api/v2/spans', gzipSync(JSON.stringify([span('00000000000000b2')])), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(202);
    await expectStillServing('00000000000000b2');
  });

  const bad: Array<[string, string | Buffer, Record<string, string>, RegExp]> = [
    ['truncated JSON', JSON.stringify([span('00000000000000c3')]).slice(0, 30), {}, /Malformed reading List<Span> from json/],
    ['a bad hex trace id', JSON.stringify([span('zz00000000000001')]), {}, /traceId/],
    ['an uppercase trace id', JSON.stringify([span('ABCDEF0000000001')]), {}, /lower-hex/],
    ['a JSON v1 body', JSON.stringify([{ traceId: '0000000000000001', id: '0000000000000001', name: 'x', binaryAnnotations: [] }]), {}, /Expected a JSON_V2 encoded list, but received: JSON_V1/],
    ['a thrift body with a JSON content type', Buffer.from([12, 0, 0, 0, 1, 10, 0, 1]), {}, /Malformed|JSON/i],
    ['truncated proto3', Buffer.from([10, 40, 10, 8, 1, 2]), { 'content-type': 'application/x-protobuf' }, /proto3/],
    ['a proto3 body sent as JSON', Buffer.from([10, 40, 10, 8, 1, 2]), {}, /PROTO3 body; send it with Content-Type: application\/x-protobuf/],
    ['bad gzip', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }, /Cannot gunzip spans/],
  ];
  for (const [what, body, headers, message] of bad) {
    it(`rejects ${what} with 400 and a message, and keeps serving`, async () => {
      const res = await post('/api/v2/spans', body, headers);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(message);
      await expectStillServing(kept);
    });
  }

  it('answers 413 for a body over the limit, and for a gzip bomb while inflating', async () => {
    const big = JSON.stringify(Array.from({ length: 400 }, (_, i) => span((i + 1).toString(16).padStart(16, '0'))));
    expect(big.length).toBeGreaterThan(64 * 1024);
    const res = await post('/api/v2/spans', big);
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/QUERY_MAX_BODY_BYTES/);
    // 64 MiB of zeros compresses to ~64 KiB; it must be refused at 64 KiB of output, not inflated whole.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const before = process.memoryUsage().rss;
    const res2 = await post('/api/v2/spans', bomb, { 'content-encoding': 'gzip' });
    expect(res2.status).toBe(413);
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
    await expectStillServing(kept);
  });

  it('accepts zlib-wrapped and raw deflate bodies', async () => {
    for (const [id, body] of [
      ['00000000000000d1', deflateSync(JSON.stringify([span('00000000000000d1')]))],
      ['00000000000000d2', deflateRawSync(JSON.stringify([span('00000000000000d2')]))],
    ] as const) {
      const res = await post('/api/v2/spans', body, { 'content-encoding': 'deflate' });
      expect(res.status).toBe(202);
      await expectStillServing(id);
    }
    const bad = await post('/api/v2/spans', Buffer.from([0x78, 0x9c, 1, 2, 3]), { 'content-encoding': 'deflate' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/Cannot inflate spans/);
  });

  it('answers 415 for an unknown content encoding', async () => {
    const res = await post('/api/v2/spans', '[]', { 'content-encoding': 'br' });
    expect(res.status).toBe(415);
  });

  it('counts each refused message exactly once, whether refused while reading or while decoding', async () => {
    const dropped = async () =>
      ((await (await fetch(`${server.url}/metrics`)).json()) as Record<string, number>)['counter.zipkin_collector.messages_dropped.http'] ?? 0;
    const cases: Array<[string | Buffer, Record<string, string>]> = [
      [Buffer.from('not gzip'), { 'content-encoding': 'gzip' }],
      ['x'.repeat(70 * 1024), {}],
      ['[{"traceId":', {}],
    ];
    for (const [body, headers] of cases) {
      const before = await dropped();
      expect((await post('/api/v2/spans', body, headers)).status).toBeGreaterThanOrEqual(400);
      expect(await dropped()).toBe(before + 1);
    }
  });

  it('counts messages, bytes and spans per transport in /prometheus and /metrics', async () => {
    const text = await (await fetch(`${server.url}/prometheus`)).text();
    expect(text).toMatch(/zipkin_collector_spans_total\{transport="http"\} [1-9]/);
    expect(text).toMatch(/zipkin_collector_messages_dropped_total\{transport="http"\} [1-9]/);
    expect(text).toMatch(/http_server_requests_seconds_count\{method="POST",uri="\/api\/v2\/spans",status="202"\}/);
    const flat = (await (await fetch(`${server.url}/metrics`)).json()) as Record<string, number>;
    expect(flat['counter.zipkin_collector.spans.http']).toBeGreaterThan(0);
    expect(flat['counter.zipkin_collector.bytes.http']).toBeGreaterThan(0);
  });
});

describe('POST /api/v1/spans', () => {
  it('converts v1 spans and rejects v2 bodies', async () => {
    const v1 = [
      {
        traceId: '00000000000000d4',
        id: '00000000000000d4',
        name: 'get',
        timestamp: Date.now() * 1000,
        duration: 50,
        annotations: [
          { timestamp: Date.now() * 1000, value: 'sr', endpoint: { serviceName: 'v1svc', ipv4: '127.0.0.1' } },
        ],
        binaryAnnotations: [{ key: 'k', value: 'v', endpoint: { serviceName: 'v1svc' } }],
      },
    ];
    expect((await post('/api/v1/spans', JSON.stringify(v1))).status).toBe(202);
    const spans = (await (await fetch(`${server.url}/api/v2/trace/00000000000000d4`)).json()) as Span[];
    expect(spans[0]).toMatchObject({ kind: 'SERVER', localEndpoint: { serviceName: 'v1svc' }, tags: { k: 'v' } });
    const res = await post('/api/v1/spans', JSON.stringify([span('00000000000000e5')]));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Expected a JSON_V1 encoded list, but received: JSON_V2/);
  });

  it('rejects truncated thrift with 400', async () => {
    const res = await post('/api/v1/spans', Buffer.from([12, 0, 0, 0, 2, 10, 0]), { 'content-type': 'application/x-thrift' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/TBinaryProtocol|thrift/i);
  });
});

describe('sampling', () => {
  it('drops traces by COLLECTOR_SAMPLE_RATE but always keeps debug spans', async () => {
    const sampled = await startTestServer({ COLLECTOR_SAMPLE_RATE: '0' });
    try {
      const body = JSON.stringify([span('00000000000000f6'), span('00000000000000f7', { debug: true })]);
      const res = await fetch(`${sampled.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(202);
      expect((await fetch(`${sampled.url}/api/v2/trace/00000000000000f6`)).status).toBe(404);
      expect((await fetch(`${sampled.url}/api/v2/trace/00000000000000f7`)).status).toBe(200);
      const text = await (await fetch(`${sampled.url}/prometheus`)).text();
      expect(text).toMatch(/zipkin_collector_spans_dropped_total\{transport="http"\} 1/);
    } finally {
      await sampled.close();
    }
  });
});
