/**
 * What the queue collector tests share: traces to publish, the encodings to publish them in, reading a
 * trace back through the Zipkin API, a storage that can be taken down, and a consumer on the collector path
 * with its logs and counters in reach.
 */
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { expect } from 'vitest';
import { encodeJsonV1List } from '../../src/codec/json-v1/json-v1-codec.js';
import { encodeJsonV2List } from '../../src/codec/json-v2/json-v2-codec.js';
import { encodeProto3List } from '../../src/codec/proto3/proto3-codec.js';
import { encodeThriftList } from '../../src/codec/thrift/thrift-codec.js';
import { Collector } from '../../src/collector/collector.js';
import { PrometheusCollectorMetrics, type TransportName } from '../../src/collector/collector-metrics.js';
import { QueueConsumer, type QueueTransport } from '../../src/collector/queue/queue-consumer.js';
import { CollectorSampler } from '../../src/collector/sampler.js';
import { StorageError } from '../../src/model/failure.js';
import type { Span } from '../../src/model/span.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import type { SpanConsumer } from '../../src/storage/storage-component.js';
import { waitFor } from '../support/wait.js';

/** Unique per run, so runs (and files) never read each other's messages. */
export const runId = `${process.pid}-${Date.now().toString(36)}`;

/** A two-span trace with a fresh 128-bit trace id. */
export function trace(): Span[] {
  const traceId = randomBytes(16).toString('hex');
  const ts = Date.now() * 1000;
  return [
    {
      traceId,
      id: '000000000000000a',
      name: 'get /orders',
      kind: 'CLIENT',
      timestamp: ts,
      duration: 1500,
      localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' },
      remoteEndpoint: { serviceName: 'orders', ipv4: '10.0.0.2', port: 8080 },
      tags: { 'http.path': '/orders' },
    },
    {
      traceId,
      parentId: '000000000000000a',
      id: '000000000000000b',
      name: 'select',
      kind: 'CLIENT',
      timestamp: ts + 100,
      duration: 700,
      localEndpoint: { serviceName: 'orders', ipv4: '10.0.0.2' },
      remoteEndpoint: { serviceName: 'mysql' },
      annotations: [{ timestamp: ts + 150, value: 'query sent' }],
    },
  ];
}

/** Every encoding zipkin's message collectors read, as its senders write them. */
export const ENCODINGS: Array<[string, (spans: Span[]) => Buffer]> = [
  ['JSON v1', (s) => Buffer.from(encodeJsonV1List(s))],
  ['JSON v2', (s) => Buffer.from(encodeJsonV2List(s))],
  ['Thrift list', (s) => Buffer.from(encodeThriftList(s))],
  ['proto3', (s) => Buffer.from(encodeProto3List(s))],
];

const byId = (a: Span, b: Span) => a.id.localeCompare(b.id);

/** The trace from the Zipkin API, or undefined while it is not there (any answer but 200). */
export async function getTrace(server: RunningSkein, traceId: string): Promise<Span[] | undefined> {
  const res = await fetch(`${server.url}/api/v2/trace/${traceId}`);
  return res.status === 200 ? ((await res.json()) as Span[]) : undefined;
}

/** Waits (with waitFor's deadline) for the trace to have `spans` spans; sorted by span id. */
export async function readTrace(
  server: RunningSkein,
  traceId: string,
  spans: number,
  timeoutMs?: number,
): Promise<Span[]> {
  return waitFor(
    async () => {
      const got = await getTrace(server, traceId);
      return got && got.length >= spans ? got.sort(byId) : undefined;
    },
    `trace ${traceId} with ${spans} spans in the Zipkin API`,
    timeoutMs,
  );
}

/** /health's consumer entry for `transport`, once the overall status is UP. */
export async function healthyConsumer(server: RunningSkein, transport: TransportName) {
  const health = await waitFor(async () => {
    const h = (await (await fetch(`${server.url}/health`)).json()) as {
      status: string;
      zipkin: { details: Record<string, { status: string; details?: { queue: string; state: string } }> };
    };
    return h.status === 'UP' ? h : undefined;
  }, `/health UP with the ${transport} consumer connected`);
  return health.zipkin.details[transport];
}

/** A counter of /prometheus for one transport (0 when absent). */
export async function prometheusCounter(server: RunningSkein, name: string, transport: TransportName) {
  const metrics = await (await fetch(`${server.url}/prometheus`)).text();
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{transport="${transport}"}`));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/** A SpanConsumer over the server's storage that throws a transient StorageError while `down`. */
export function flakyStorage(server: RunningSkein) {
  const real = server.storage.spanConsumer();
  const state = { down: false, refused: 0, stored: 0 };
  const consumer: SpanConsumer = {
    async accept(spans) {
      if (state.down) {
        state.refused++;
        throw new StorageError('transient', 'test outage: storage unreachable');
      }
      await real.accept(spans);
      state.stored++;
    },
  };
  return { state, consumer };
}

/**
 * A QueueConsumer for `broker` on a collector of its own over `consumer`, with short retry delays; started
 * and connected. Returns it with what it logged and its messages_dropped counter.
 */
export async function startConsumer(broker: QueueTransport, consumer: SpanConsumer) {
  const logs: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const log = (obj: object, msg: string) => logs.push({ obj: obj as Record<string, unknown>, msg });
  const logger = { info: log, warn: log, error: log };
  const registry = new Registry();
  const collector = new Collector({
    consumer,
    sampler: new CollectorSampler(1),
    metrics: new PrometheusCollectorMetrics(registry),
    logger,
  });
  const qc = new QueueConsumer(broker, { collector, logger, retry: { initialMs: 50, maxMs: 400 } });
  await qc.start();
  expect(qc.state).toBe('connected');
  const dropped = async () =>
    (await registry.getSingleMetric('zipkin_collector_messages_dropped_total')!.get()).values.find(
      (v) => v.labels.transport === broker.transport,
    )?.value ?? 0;
  return { qc, logs, dropped, logger };
}
