import type { FastifyInstance } from 'fastify';
import { queryParams } from './jaeger-params.js';

/** Jaeger UI search-form parameters and the Skein (Zipkin) UI's names for them. */
const SEARCH_PARAMS: Record<string, string> = {
  service: 'serviceName',
  operation: 'spanName',
  limit: 'limit',
};

/**
 * Jaeger UI deep links (jaeger-ui routes /search, /trace/{id}, /dependencies; jaeger-query.md 6.2) land
 * on the matching page of Skein's UI at /zipkin/, so bookmarks and links from Grafana keep working.
 */
export function registerJaegerUiRedirects(app: FastifyInstance): void {
  app.get('/search', async (req, reply) => {
    const from = queryParams(req.url);
    const to = new URLSearchParams();
    for (const [jaeger, zipkin] of Object.entries(SEARCH_PARAMS)) {
      const v = from.get(jaeger);
      if (v) to.set(zipkin, v);
    }
    // The Jaeger UI puts its window in start/end (microseconds); Skein's UI (search-criteria.ts) takes
    // lookback=range with startTs/endTs in milliseconds.
    const start = Number(from.get('start'));
    const end = Number(from.get('end'));
    if (Number.isSafeInteger(start) && Number.isSafeInteger(end) && start > 0 && start < end) {
      to.set('lookback', 'range');
      to.set('startTs', String(Math.floor(start / 1000)));
      to.set('endTs', String(Math.ceil(end / 1000)));
    }
    const q = to.toString();
    return reply.redirect(`/zipkin/${q === '' ? '' : `?${q}`}`, 302);
  });
  app.get<{ Params: { id: string } }>('/trace/:id', async (req, reply) =>
    reply.redirect(`/zipkin/traces/${encodeURIComponent(req.params.id.toLowerCase())}`, 302),
  );
  app.get('/dependencies', async (_req, reply) => reply.redirect('/zipkin/dependency', 302));
}
