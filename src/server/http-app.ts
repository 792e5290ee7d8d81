import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import { createServer } from 'node:http';
import type { Logger } from 'pino';
import { sendTextFailure } from '../collector/http/failure-reply.js';
import { registerSecurityHeaders } from '../query/security-headers.js';
import { registerHttpAuth, type HttpAuth } from './auth/http-auth.js';

/**
 * A fastify app whose server is created but never listens itself: the shared-port front door
 * (shared-port.ts) hands it connections. Error mapping for every route lives here, in one catalogue.
 */
export async function createHttpApp(
  logger: Logger,
  allowedOrigins: string[],
  auth?: HttpAuth,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    // Per-request logs would dominate under ingest load; errors are logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
    serverFactory: (handler) => createServer({ keepAliveTimeout: 65_000 }, handler),
    routerOptions: { ignoreTrailingSlash: false, querystringParser: firstValues },
  });
  await app.register(cors, {
    origin: allowedOrigins.includes('*') ? '*' : allowedOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
  });
  registerSecurityHeaders(app as unknown as FastifyInstance);
  // After CORS (a preflight is answered there, without credentials), before every route and body parser.
  if (auth) registerHttpAuth(app as unknown as FastifyInstance, auth);
  // zipkin: server.compression for JSON, JS and CSS over 2 KiB. Trace lists are large and compress ~10x.
  // Request bodies are inflated by read-body.ts, which enforces the size limit while inflating.
  await app.register(compress, {
    threshold: 2048,
    encodings: ['gzip', 'deflate'],
    globalDecompression: false,
  });
  // Every route's failures are answered from the one mapping (model/failure.ts): 400 invalid, 404, 413, 415,
  // 501, 503 + Retry-After for over-capacity and transient storage failures, 500 (logged, text not echoed).
  app.setErrorHandler((err: FastifyError, req, reply) =>
    sendTextFailure(reply, err, req.log, { url: req.url, method: req.method }),
  );
  // pino's Logger and fastify's base logger type differ only nominally.
  return app as unknown as FastifyInstance;
}

/**
 * Query strings with the first value of each parameter, as zipkin's @Param binding reads them, so every
 * route sees strings: a repeated ?limit=1&limit=2 must not reach handlers as an array (it gave a 500).
 */
export function firstValues(query: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(query)) if (!(k in out)) out[k] = v;
  return out;
}
