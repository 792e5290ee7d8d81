import type { FastifyInstance } from 'fastify';
import { jaegerApiV3Plugin } from './jaeger-api-v3.js';
import { jaegerInternalApiPlugin, type JaegerQueryOptions } from './jaeger-internal-api.js';
import { registerJaegerUiRedirects } from './jaeger-ui-redirects.js';
import { registerJaegerUiAssets, type JaegerUiInjection } from './jaeger-ui-assets.js';

/**
 * Everything the Jaeger query service answers, on an app that already serves Zipkin's routes: the internal
 * JSON API (GET /api/services, /api/services/{s}/operations, /api/operations, /api/traces[/{id}],
 * /api/dependencies, POST /api/transform), the api_v3 gateway (/api/v3/services, /operations, /traces[/{id}],
 * /trace-summaries) and, with the UI on, the Jaeger UI paths redirected to Skein's pages. None of these
 * paths clash with /api/v1, /api/v2 or the Jaeger collector's POST /api/traces (a different method).
 */
export async function registerJaegerQuery(
  app: FastifyInstance,
  options: JaegerQueryOptions,
  withUiRedirects: boolean,
  /** JAEGER_UI_DIR: a Jaeger UI build served on the UI routes instead of the redirects. */
  jaegerUi?: { dir: string; injection: JaegerUiInjection },
): Promise<void> {
  await app.register(jaegerInternalApiPlugin, options);
  await app.register(jaegerApiV3Plugin, options);
  if (jaegerUi) await registerJaegerUiAssets(app, jaegerUi.dir, jaegerUi.injection);
  else if (withUiRedirects) registerJaegerUiRedirects(app);
}
