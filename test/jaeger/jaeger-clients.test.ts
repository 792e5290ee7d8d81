import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import jaeger from 'jaeger-client';
import { followsFrom, type Span as OtSpan } from 'opentracing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostSpansRequest } from '../../src/codec/jaeger/jaeger-proto-codec.js';
import { startTestServer } from '../support/server.js';
import { getJson, waitFor } from '../support/wait.js';
import { writeEmitBatch } from './jaeger-thrift-writer.js';
import { ZIPKIN_V2_FIELDS as SPAN_FIELDS } from '../../src/model/span.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
type ZipkinSpan = {
  traceId: string;
  parentId?: string;
  id: string;
  kind?: string;
  name?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: Record<string, unknown>;
  remoteEndpoint?: Record<string, unknown>;
  annotations?: Array<{ timestamp: number; value: string }>;
  tags?: Record<string, string>;
};

const ZIPKIN_V2_FIELDS: ReadonlySet<string> = new Set(SPAN_FIELDS);
const silent = { info() {}, error() {} };

let server: Server;
let strategiesDir: string;

beforeAll(async () => {
  strategiesDir = mkdtempSync(join(tmpdir(), 'skein-sampling-'));
  const file = join(strategiesDir, 'strategies.json');
  writeFileSync(
    file,
    JSON.stringify({
      service_strategies: [
        {
          service: 'checkout',
          type: 'probabilistic',
          param: 0.25,
          operation_strategies: [{ operation: 'GET /health', type: 'probabilistic', param: 0 }],
        },
        { service: 'firehose', type: 'ratelimiting', param: 5 },
      ],
      default_strategy: { type: 'probabilistic', param: 0.5 },
    }),
  );
  server = await startTestServer({ JAEGER_SAMPLING_STRATEGIES_FILE: file });
});
afterAll(async () => {
  await server?.close();
});

async function readTrace(traceId: string, count: number): Promise<ZipkinSpan[]> {
  return waitFor(async () => {
    const spans = await getJson<ZipkinSpan[]>(`${server.url}/api/v2/trace/${traceId}`);
    return spans && spans.length >= count ? spans : undefined;
  }, `${count} spans of trace ${traceId}`);
}

async function counter(name: string, transport: string): Promise<number> {
  const text = await (await fetch(`${server.url}/prometheus`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{transport="${transport}"}`));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** One trace from the real jaeger-client: server root, client child with error and logs, producer, follows-from. */
async function reportWithJaegerClient(serviceName: string, reporter: Record<string, unknown>) {
  const tracer = jaeger.initTracer(
    { serviceName, sampler: { type: 'const', param: 1 }, reporter: { flushIntervalMs: 20, ...reporter } },
    { logger: silent, traceId128bit: true, tags: { 'app.region': 'eu' } },
  );
  const root = tracer.startSpan('HTTP GET /Orders', {
    tags: { 'span.kind': 'server', 'http.status_code': 200 },
  });
  const client = tracer.startSpan('SELECT', {
    childOf: root,
    tags: { 'span.kind': 'client', 'peer.service': 'Postgres', 'db.rows': 3, 'cache.hit': false, ratio: 0.5 },
  });
  client.setTag('error', true);
  client.log({ event: 'retry' });
  client.log({ event: 'error', message: 'timeout' });
  client.finish();
  const producer = tracer.startSpan('publish', { childOf: root, tags: { 'span.kind': 'producer' } });
  producer.finish();
  const follower = tracer.startSpan('async job', { references: [followsFrom(root.context())] });
  follower.finish();
  root.finish();
  await new Promise<void>((resolve) => tracer.close(() => resolve()));
  const ctx = (s: OtSpan) => s.context() as unknown as { toTraceId(): string; toSpanId(): string };
  return {
    // jaeger-client drops leading zeros from ids; zipkin ids are fixed-width.
    traceId: ctx(root).toTraceId().padStart(32, '0'),
    root: ctx(root).toSpanId().padStart(16, '0'),
    client: ctx(client).toSpanId().padStart(16, '0'),
    producer: ctx(producer).toSpanId().padStart(16, '0'),
    follower: ctx(follower).toSpanId().padStart(16, '0'),
  };
}

function assertJaegerMapping(
  spans: ZipkinSpan[],
  ids: Awaited<ReturnType<typeof reportWithJaegerClient>>,
  service: string,
) {
  for (const s of spans) for (const k of Object.keys(s)) expect(ZIPKIN_V2_FIELDS).toContain(k);
  expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
  const byId = (id: string) => spans.find((s) => s.id === id)!;
  const root = byId(ids.root);
  expect(root.traceId).toBe(ids.traceId);
  expect(root).toMatchObject({
    kind: 'SERVER',
    name: 'http get /orders',
    localEndpoint: { serviceName: service },
  });
  expect(root.localEndpoint?.ipv4 ?? root.localEndpoint?.ipv6).toEqual(expect.any(String));
  expect(root.parentId).toBeUndefined();
  expect(root.tags).toMatchObject({
    'http.status_code': '200',
    'app.region': 'eu',
    hostname: expect.any(String),
  });
  expect(root.tags).not.toHaveProperty('span.kind');
  expect(root.tags).not.toHaveProperty('ip');
  expect(root.timestamp).toBeGreaterThan(0);

  const client = byId(ids.client);
  expect(client).toMatchObject({
    parentId: root.id,
    kind: 'CLIENT',
    name: 'select',
    remoteEndpoint: { serviceName: 'postgres' },
    tags: { error: 'true', 'db.rows': '3', 'cache.hit': 'false', ratio: '0.5', 'peer.service': 'Postgres' },
  });
  // Logs made in the same microsecond are ordered by value, as zipkin orders annotations.
  expect(client.annotations?.map((a) => a.value).sort()).toEqual(['event=error message=timeout', 'retry']);

  expect(byId(ids.producer)).toMatchObject({ parentId: root.id, kind: 'PRODUCER', name: 'publish' });
  const follower = byId(ids.follower);
  // jaeger-client makes a lone FOLLOWS_FROM reference the parent; it is also kept as a link.
  expect(follower.kind).toBeUndefined();
  expect(follower.parentId).toBe(root.id);
}

describe('jaeger-client over UDP (thrift binary, the client default)', () => {
  it('reports spans that read back through the Zipkin API with every mapping applied', async () => {
    const ids = await reportWithJaegerClient('Jaeger-UDP', {
      agentHost: '127.0.0.1',
      agentPort: server.listeners['jaeger-udp-binary'],
    });
    const spans = await readTrace(ids.traceId, 4);
    assertJaegerMapping(spans, ids, 'jaeger-udp');
    const stored = await server.storage.traces().getTrace(ids.traceId);
    expect(stored.find((s) => s.id === ids.follower)?.links).toEqual([
      { traceId: ids.traceId, spanId: ids.root, type: 'FOLLOWS_FROM' },
    ]);
  });
});

describe('jaeger-client over HTTP (collectorEndpoint)', () => {
  it.each([
    ['JAEGER_HTTP_PORT', () => `http://127.0.0.1:${server.listeners['jaeger-http']}/api/traces`],
    ['QUERY_PORT', () => `${server.url}/api/traces`],
  ])('reports to %s', async (label, endpoint) => {
    const service = `jaeger-http-${label.toLowerCase().replace(/_/g, '-')}`;
    const ids = await reportWithJaegerClient(service, { collectorEndpoint: endpoint() });
    assertJaegerMapping(await readTrace(ids.traceId, 4), ids, service);
  });
});

describe('thrift compact over UDP (6831)', () => {
  it('stores an Agent.emitBatch packet', async () => {
    const packet = writeEmitBatch(
      {
        process: { serviceName: 'compact-svc' },
        spans: [
          {
            traceIdLow: '00000000000c0de1',
            spanId: '0000000000000001',
            operationName: 'tick',
            startTime: Date.now() * 1000,
            duration: 5,
          },
        ],
      },
      'compact',
    );
    await send(packet, server.listeners['jaeger-udp-compact']!);
    const [span] = await readTrace('00000000000c0de1', 1);
    expect(span).toMatchObject({ name: 'tick', duration: 5, localEndpoint: { serviceName: 'compact-svc' } });
  });
});

describe('jaeger gRPC collector (api_v2 PostSpans)', () => {
  it('stores spans and answers INVALID_ARGUMENT for a malformed request', async () => {
    const client = new grpc.Client(
      `127.0.0.1:${server.listeners['jaeger-grpc']}`,
      grpc.credentials.createInsecure(),
    );
    const call = (body: Uint8Array) =>
      new Promise<{ err: grpc.ServiceError | null }>((resolve) =>
        client.makeUnaryRequest(
          '/jaeger.api_v2.CollectorService/PostSpans',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.from(body),
          (err) => resolve({ err }),
        ),
      );
    const bad = await call(Buffer.from([0x0a, 0x20, 0x01]));
    expect(bad.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.err?.details).toMatch(/Malformed reading PostSpansRequest/);

    const now = Math.floor(Date.now() / 1000);
    const req = PostSpansRequest.fromObject({
      batch: {
        process: { serviceName: 'grpc-svc', tags: [{ key: 'ip', vStr: '10.9.8.7' }] },
        spans: [
          {
            traceId: Buffer.from('00000000000000000000000000abcdef', 'hex'),
            spanId: Buffer.from('00000000000000aa', 'hex'),
            operationName: 'Handle',
            startTime: { seconds: now, nanos: 0 },
            duration: { seconds: 0, nanos: 3_000_000 },
            tags: [{ key: 'span.kind', vStr: 'server' }],
          },
        ],
      },
    });
    expect((await call(PostSpansRequest.encode(req).finish())).err).toBeNull();
    client.close();
    const [span] = await readTrace('0000000000abcdef', 1);
    expect(span).toEqual({
      traceId: '0000000000abcdef',
      id: '00000000000000aa',
      kind: 'SERVER',
      name: 'handle',
      timestamp: now * 1_000_000,
      duration: 3000,
      localEndpoint: { serviceName: 'grpc-svc', ipv4: '10.9.8.7' },
    });
  });
});

describe('malformed jaeger input', () => {
  it('UDP: garbage packets are counted and the agent ports keep serving', async () => {
    const before = await counter('zipkin_collector_messages_dropped_total', 'jaeger-udp');
    await send(Buffer.from('not thrift at all'), server.listeners['jaeger-udp-binary']!);
    await send(Buffer.from([0x82, 0x81, 0x00]), server.listeners['jaeger-udp-compact']!);
    await waitFor(
      async () =>
        (await counter('zipkin_collector_messages_dropped_total', 'jaeger-udp')) >= before + 2
          ? true
          : undefined,
      'two dropped UDP messages',
    );
    const ids = await reportWithJaegerClient('after-garbage', {
      agentHost: '127.0.0.1',
      agentPort: server.listeners['jaeger-udp-binary'],
    });
    expect(await readTrace(ids.traceId, 4)).toHaveLength(4);
  });

  it.each([['JAEGER_HTTP_PORT'], ['QUERY_PORT']])(
    'HTTP on %s: 400 for a bad body or content type, 202 after',
    async (label) => {
      const url =
        label === 'QUERY_PORT'
          ? `${server.url}/api/traces`
          : `http://127.0.0.1:${server.listeners['jaeger-http']}/api/traces`;
      const post = (body: BodyInit, type: string) =>
        fetch(url, { method: 'POST', body, headers: { 'content-type': type } });
      const bad = await post('garbage', 'application/x-thrift');
      expect(bad.status).toBe(400);
      expect(await bad.text()).toMatch(/Malformed reading jaeger.Batch from thrift binary/);
      const wrongType = await post('{}', 'application/json');
      expect(wrongType.status).toBe(400);
      expect(await wrongType.text()).toMatch(/Unsupported content type/);
      const ids = await reportWithJaegerClient(`after-bad-http-${label.length}`, { collectorEndpoint: url });
      expect(await readTrace(ids.traceId, 4)).toHaveLength(4);
    },
  );
});

describe('remote sampling (GET /sampling)', () => {
  const sampling = (query: string) =>
    fetch(`http://127.0.0.1:${server.listeners['jaeger-sampling']}/sampling${query}`);

  it('serves per-service strategies from JAEGER_SAMPLING_STRATEGIES_FILE, the default strategy otherwise', async () => {
    expect(await (await sampling('?service=checkout')).json()).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.25 },
      operationSampling: {
        defaultSamplingProbability: 0.25,
        defaultLowerBoundTracesPerSecond: 0,
        perOperationStrategies: [{ operation: 'GET /health', probabilisticSampling: { samplingRate: 0 } }],
      },
    });
    expect(await (await sampling('?service=firehose')).json()).toEqual({
      strategyType: 'RATE_LIMITING',
      rateLimitingSampling: { maxTracesPerSecond: 5 },
    });
    expect(await (await sampling('?service=other')).json()).toEqual({
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: 0.5 },
    });
  });

  it('answers 400 without a service', async () => {
    expect((await sampling('')).status).toBe(400);
  });

  it("is what jaeger-client's remote sampler adopts", async () => {
    const RemoteSampler = (
      jaeger as unknown as {
        RemoteSampler: new (service: string, opts: object) => { close(cb?: () => void): void };
      }
    ).RemoteSampler;
    const updated = await new Promise<{ _samplingRate?: number; samplingRate?: number }>((resolve) => {
      const sampler = new RemoteSampler('other', {
        host: '127.0.0.1',
        port: server.listeners['jaeger-sampling'],
        refreshInterval: 10,
        logger: silent,
        onSamplerUpdate: (s: { _samplingRate?: number; samplingRate?: number }) => {
          sampler.close();
          resolve(s);
        },
      });
    });
    expect(updated.samplingRate ?? updated._samplingRate).toBe(0.5);
  });
});

describe('default sampling', () => {
  it('is probabilistic 1.0 without a strategies file', async () => {
    const plain = await startTestServer({ QUERY_PORT: '0' });
    try {
      const res = await fetch(`http://127.0.0.1:${plain.listeners['jaeger-sampling']}/sampling?service=any`);
      expect(await res.json()).toEqual({
        strategyType: 'PROBABILISTIC',
        probabilisticSampling: { samplingRate: 1 },
      });
    } finally {
      await plain.close();
    }
  });
});

function send(packet: Buffer, port: number): Promise<void> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) =>
    socket.send(packet, port, '127.0.0.1', (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}

describe('collector metrics', () => {
  it('count spans and dropped messages per Jaeger transport', async () => {
    for (const transport of ['jaeger-udp', 'jaeger-http', 'jaeger-grpc']) {
      expect(await counter('zipkin_collector_spans_total', transport)).toBeGreaterThan(0);
      expect(await counter('zipkin_collector_messages_total', transport)).toBeGreaterThan(0);
    }
    // Each protocol's malformed input above was counted against its own transport.
    expect(await counter('zipkin_collector_messages_dropped_total', 'jaeger-http')).toBeGreaterThanOrEqual(4);
    expect(await counter('zipkin_collector_messages_dropped_total', 'jaeger-grpc')).toBeGreaterThanOrEqual(1);
  });
});
