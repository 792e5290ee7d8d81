import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Collector } from '../collector/collector.js';
import type { Config } from './config.js';

/**
 * The non-Zipkin-HTTP transports (OTLP, Jaeger, Zipkin gRPC) and how the composition root starts them.
 * The composition root calls these three functions; everything a transport needs comes in the context.
 */
export interface TransportContext {
  config: Config;
  collector: Collector;
  logger: Logger;
}

/** A listener on its own port; `port` is the bound port (useful when configured as 0). */
export interface Listener {
  name: string;
  port: number;
  close(): Promise<void>;
}

/** Routes other protocols also serve on QUERY_PORT (e.g. OTLP POST /v1/traces, Jaeger POST /api/traces). */
export function registerTransportRoutes(app: FastifyInstance, ctx: TransportContext): void {
  void app;
  void ctx;
}

/** Starts every enabled listener on its own port. */
export async function startTransportListeners(ctx: TransportContext): Promise<Listener[]> {
  void ctx;
  return [];
}

/** Handles HTTP/2 (h2c) streams arriving on QUERY_PORT: zipkin.proto3.SpanService/Report. */
export function http2StreamHandler(
  ctx: TransportContext,
): ((stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void) | undefined {
  void ctx;
  return undefined;
}
