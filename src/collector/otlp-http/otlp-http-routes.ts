import type { Logger } from 'pino';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeOtlpTraces, type OtlpFormat } from '../../codec/otlp/otlp-codec.js';
import { encodeOtlpResponseJson, encodeRpcStatusJson } from '../../codec/otlp/otlp-json-codec.js';
import { encodeOtlpResponseProto, encodeRpcStatusProto } from '../../codec/otlp/otlp-proto-codec.js';
import type { OtlpSpans } from '../../codec/otlp/otlp-span-mapper.js';
import { GrpcCode } from '../../model/failure.js';
import type { Collector } from '../collector.js';
import type { IngestRouteConfig } from '../http/raw-body-parser.js';
import { applyFailure } from '../http/failure-reply.js';

const CONTENT_TYPES: Record<OtlpFormat, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/**
 * OTLP/HTTP POST /v1/traces (opentelemetry-proto docs/specification.md): protobuf or JSON, gzip allowed;
 * 200 with ExportTraceServiceResponse (partial_success when some spans were refused); 400 with a
 * google.rpc.Status for an undecodable request; 413 over the size limit; 503 + Retry-After when the
 * collector is saturated; 415 for other content types. Every answer is in the request's content type.
 *
 * Registered as an encapsulated plugin so its error handler (which also sees body-reading errors) answers
 * in OTLP's terms instead of the host app's text/plain.
 */
export async function otlpHttpPlugin(
  app: FastifyInstance,
  opts: { collector: Collector; logger: Logger },
): Promise<void> {
  const { collector, logger } = opts;
  // Refused bodies are counted by the raw body parser, decode errors by the Collector.
  app.setErrorHandler((err: FastifyError, req, reply) => sendError(req, reply, err, logger));
  const config = { transport: 'otlp-http' } satisfies IngestRouteConfig;
  app.post('/v1/traces', { config }, async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const format = requestFormat(req);
    if (!format) {
      collector.rejectMessage('otlp-http', body.length, req.ip, 'unsupported content type');
      return sendStatus(
        reply.code(415),
        'json',
        GrpcCode.INVALID_ARGUMENT,
        `Unsupported Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}: use application/x-protobuf or application/json`,
      );
    }
    let decoded: OtlpSpans | undefined;
    await collector.acceptMessage(
      'otlp-http',
      body,
      (b) => {
        decoded = decodeOtlpTraces(b, format);
        return decoded.spans;
      },
      req.ip,
    );
    const rejected = decoded?.rejectedSpans ?? 0;
    collector.dropSpans('otlp-http', rejected);
    const partial =
      rejected > 0 ? { rejectedSpans: rejected, errorMessage: decoded?.errorMessage ?? '' } : undefined;
    reply.code(200).type(CONTENT_TYPES[format]);
    return reply.send(
      format === 'json' ? encodeOtlpResponseJson(partial) : Buffer.from(encodeOtlpResponseProto(partial)),
    );
  });
}

function requestFormat(req: FastifyRequest): OtlpFormat | undefined {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  err: FastifyError,
  logger: Logger,
): FastifyReply {
  // An unknown content type is answered in JSON, the one format every client can read.
  const format = requestFormat(req) ?? 'json';
  // OTLP: 503 (and 429) are retryable and the client honours Retry-After; other codes drop the batch.
  const failure = applyFailure(reply, err, logger, { url: req.url, transport: 'otlp-http' });
  const code = failure.httpStatus < 500 ? GrpcCode.INVALID_ARGUMENT : failure.grpcCode;
  return sendStatus(reply, format, code, failure.message, failure.retryAfterSeconds);
}

function sendStatus(
  reply: FastifyReply,
  format: OtlpFormat,
  code: number,
  message: string,
  retryAfterSeconds?: number,
): FastifyReply {
  reply.type(CONTENT_TYPES[format]);
  return reply.send(
    format === 'json'
      ? encodeRpcStatusJson(code, message)
      : Buffer.from(encodeRpcStatusProto(code, message, retryAfterSeconds)),
  );
}
