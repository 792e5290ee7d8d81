import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * HTTP request metrics (zipkin's http_server_requests_seconds, labelled by route pattern, not raw URL, so
 * trace ids do not explode the label set), /prometheus (text) and /metrics (zipkin's flat JSON).
 */
export function registerMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = new Histogram({
    name: 'http_server_requests_seconds',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'uri', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    requests.observe(
      { method: req.method, uri: req.routeOptions.url ?? 'NOT_FOUND', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/prometheus', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  app.get('/actuator/prometheus', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  app.get('/metrics', async () => flatMetrics(await registry.getMetricsAsJSON()));
}

/** zipkin's /metrics keys: "counter.zipkin_collector.spans.http" and friends. */
export function flatMetrics(
  metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of metrics) {
    if (m.name.startsWith('zipkin_collector_') && String(m.type) === 'counter') {
      const what = m.name.slice('zipkin_collector_'.length).replace(/_total$/, '');
      for (const v of m.values) out[`counter.zipkin_collector.${what}.${String(v.labels.transport)}`] = v.value;
    }
  }
  return out;
}
