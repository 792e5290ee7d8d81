import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { encodeJsonV2List } from '../codec/json-v2/json-v2-codec.js';
import { decodeDetectedSpans } from '../codec/detect-encoding.js';
import { StorageError } from '../model/failure.js';
import type { Span } from '../model/span.js';
import { Collector, type AcceptOptions } from './collector.js';
import { PrometheusCollectorMetrics } from './collector-metrics.js';
import { CollectorSampler } from './sampler.js';

const span: Span = {
  traceId: '0000000000000001',
  id: '0000000000000001',
  name: 'get',
  timestamp: 1_700_000_000_000_000,
  duration: 10,
  localEndpoint: { serviceName: 'a' },
};
const body = Buffer.from(encodeJsonV2List([span]));

/** A collector over a storage that always fails with `error`; returns what was counted and logged. */
async function refuse(error: Error, accept: AcceptOptions, maxInFlight?: number) {
  const registry = new Registry();
  const logs: string[] = [];
  const log = (_: object, msg: string) => logs.push(msg);
  const collector = new Collector({
    consumer: { accept: () => Promise.reject(error) },
    sampler: new CollectorSampler(1),
    metrics: new PrometheusCollectorMetrics(registry),
    logger: { warn: log, error: log },
    maxInFlight,
  });
  for (let i = 0; i < 3; i++) {
    await expect(
      collector.acceptMessage('rabbitmq', body, decodeDetectedSpans, 'queue q', accept),
    ).rejects.toBe(error);
  }
  const value = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.transport === 'rabbitmq')
      ?.value ?? 0;
  return {
    messages: await value('zipkin_collector_messages_total'),
    messagesDropped: await value('zipkin_collector_messages_dropped_total'),
    spansDropped: await value('zipkin_collector_spans_dropped_total'),
    logs,
  };
}

describe('Collector: a message the transport will deliver again', () => {
  const transient = new StorageError('transient', 'storage unreachable');

  it('is not counted as dropped, nor logged as a drop, when storage refuses it for now', async () => {
    const r = await refuse(transient, { redelivers: true });
    expect(r.messages).toBe(3);
    expect(r.messagesDropped).toBe(0);
    expect(r.spansDropped).toBe(0);
    expect(r.logs).toEqual([]);
  });

  it('is counted and logged when nothing redelivers it (HTTP: the client got a 503)', async () => {
    const r = await refuse(transient, {});
    expect(r.messagesDropped).toBe(3);
    expect(r.spansDropped).toBe(3);
    expect(r.logs.length).toBeGreaterThan(0);
  });

  it('is counted as dropped when the failure is terminal: retrying cannot fix it, so it is given up on', async () => {
    const r = await refuse(new StorageError('terminal', 'bad schema'), { redelivers: true });
    expect(r.messagesDropped).toBe(3);
    expect(r.spansDropped).toBe(3);
  });

  it('is not counted as dropped when the collector is saturated (COLLECTOR_MAX_IN_FLIGHT)', async () => {
    // maxInFlight 0: every message finds the collector full, the over-capacity refusal.
    const registry = new Registry();
    const collector = new Collector({
      consumer: { accept: () => Promise.resolve() },
      sampler: new CollectorSampler(1),
      metrics: new PrometheusCollectorMetrics(registry),
      logger: { warn: () => undefined, error: () => undefined },
      maxInFlight: 0,
    });
    await expect(
      collector.acceptMessage('kafka', body, decodeDetectedSpans, 'queue q', { redelivers: true }),
    ).rejects.toThrow();
    await expect(collector.acceptMessage('kafka', body, decodeDetectedSpans, 'queue q')).rejects.toThrow();
    const dropped = (await registry.getSingleMetric('zipkin_collector_messages_dropped_total')!.get())
      .values;
    expect(dropped.find((v) => v.labels.transport === 'kafka')?.value).toBe(1);
  });
});
