import type { FastifyInstance } from 'fastify';
import { jaegerInternalApiPlugin, type JaegerQueryOptions } from './jaeger-internal-api.js';
import { registerJaegerUiRedirects } from './jaeger-ui-redirects.js';

/**
 * Everything the Jaeger query service answers, on an app that already serves Zipkin's routes: the internal
 * JSON API (GET /api/services, /api/services/{s}/operations, /api/operations, /api/traces[/{id}],
 * /api/dependencies) and, with the UI on, the Jaeger UI paths redirected to Skein's pages. None of these
 * paths clash with /api/v1, /api/v2 or the Jaeger collector's POST /api/traces (a different method).
 */
export async function registerJaegerQuery(
  app: FastifyInstance,
  options: JaegerQueryOptions,
  withUiRedirects: boolean,
): Promise<void> {
  await app.register(jaegerInternalApiPlugin, options);
  if (withUiRedirects) registerJaegerUiRedirects(app);
}
