import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { contentSecurityPolicy, inlineScriptHashes } from '../security-headers.js';

/**
 * What Skein's Jaeger API offers, in the form Jaeger injects into the Jaeger UI's index.html
 * (JQ/internal/static_handler.go; jaeger-query.md 6.3). searchWithoutServiceName gives the search form
 * an "all services" choice, which Skein answers (a search without `service`); metricsStorage turns on
 * the Monitor tab, which /api/metrics/* answers from stored spans; there is no archive storage.
 */
export const SKEIN_BACKEND_CAPABILITIES = {
  archiveStorage: false,
  metricsStorage: true,
  searchWithoutServiceName: true,
  aiAssistant: false,
} as const;

export interface JaegerUiInjection {
  version: string;
  /** A Jaeger UI config object (JAEGER_CONFIG), or undefined to keep the build's defaults. */
  uiConfig?: Record<string, unknown>;
}

/**
 * Applies Jaeger's search-and-replace to a Jaeger UI index.html: the backend capabilities (UI >= 2.20),
 * the storage capabilities (the name up to 2.19, kept as a fallback later), the version and the UI
 * config. Patterns a build does not have simply do not match. JSON is escaped for a <script> block.
 */
export function injectJaegerUiConfig(html: string, injection: JaegerUiInjection): string {
  const { archiveStorage, metricsStorage } = SKEIN_BACKEND_CAPABILITIES;
  let out = html
    .replace(
      'JAEGER_BACKEND_CAPABILITIES = DEFAULT_BACKEND_CAPABILITIES;',
      `JAEGER_BACKEND_CAPABILITIES = ${scriptJson(SKEIN_BACKEND_CAPABILITIES)};`,
    )
    .replace(
      'JAEGER_STORAGE_CAPABILITIES = DEFAULT_STORAGE_CAPABILITIES;',
      `JAEGER_STORAGE_CAPABILITIES = ${scriptJson({ archiveStorage, metricsStorage })};`,
    )
    .replace(
      'JAEGER_VERSION = DEFAULT_VERSION;',
      `JAEGER_VERSION = ${scriptJson({ gitCommit: '', gitVersion: `skein-${injection.version}`, buildDate: '' })};`,
    );
  if (injection.uiConfig !== undefined) {
    out = out.replace('JAEGER_CONFIG = DEFAULT_CONFIG;', `JAEGER_CONFIG = ${scriptJson(injection.uiConfig)};`);
  }
  return out;
}

/** JSON that cannot close the <script> element it is placed in. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Jaeger UI's client-side routes (UIS/components/App), each answered with index.html as Jaeger does. */
export const JAEGER_UI_ROUTES = [
  '/search',
  '/trace/*',
  '/dependencies',
  '/monitor',
  '/deep-dependencies',
  '/quality-metrics',
];

/**
 * JAEGER_UI_DIR: serves an unmodified Jaeger UI build (its index.html and static/) the way Jaeger's query
 * service does: /static/* from the folder and every UI route with the processed index.html, so the UI
 * knows what Skein offers. `/` keeps leading to Skein's own UI. Throws when the folder has no index.html.
 */
export async function registerJaegerUiAssets(
  app: FastifyInstance,
  dir: string,
  injection: JaegerUiInjection,
): Promise<void> {
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) {
    throw new Error(`JAEGER_UI_DIR: ${indexPath} does not exist; point it at a Jaeger UI build folder`);
  }
  const index = injectJaegerUiConfig(readFileSync(indexPath, 'utf8'), injection);
  // The Jaeger UI's configuration is an inline <script>: allowed by its hash, nothing else inline.
  const csp = contentSecurityPolicy(inlineScriptHashes(index));
  await app.register(fastifyStatic, {
    root: join(dir, 'static'),
    prefix: '/static/',
    decorateReply: false,
  });
  for (const route of JAEGER_UI_ROUTES) {
    app.get(route, async (_req, reply) => reply.type('text/html; charset=utf-8').header('Content-Security-Policy', csp).send(index));
  }
}
