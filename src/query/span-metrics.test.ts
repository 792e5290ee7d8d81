import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { SpanMetrics } from './span-metrics.js';

describe('SpanMetrics caps', () => {
  it('folds services past maxServices into one series without a service name, and cuts long labels', async () => {
    const registry = new Registry();
    const m = new SpanMetrics(registry, { maxOperations: 2, maxServices: 2 });
    const span = (service: string, name: string) => ({
      traceId: '0000000000000001',
      id: '0000000000000001',
      name,
      duration: 1000,
      localEndpoint: { serviceName: service },
    });
    m.record([span('a', 'x'), span('b', 'x'), span('c', 'x'), span('d', 'y'), span('a', 'n'.repeat(5000))]);
    const calls = (await registry.getSingleMetric('traces_span_metrics_calls_total')!.get()).values;
    expect(calls.map((v) => v.labels.service_name).sort()).toEqual(['', 'a', 'a', 'b']);
    expect(calls.find((v) => v.labels.service_name === '')).toMatchObject({
      value: 2,
      labels: { otel_metric_overflow: 'true' },
    });
    expect(calls.map((v) => String(v.labels.span_name ?? '').length).sort((x, y) => x - y)).toEqual([
      0, 1, 1, 200,
    ]);
    const overflow = (await registry.getSingleMetric('skein_span_metrics_overflow_total')!.get()).values;
    expect(overflow).toEqual([{ labels: { service_name: '' }, value: 2 }]);
  });
});
