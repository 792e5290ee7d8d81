import type { Logger } from 'pino';
import type { FastifyError, FastifyInstance } from 'fastify';
import { decodeJaegerThriftBatch, type ThriftProtocolName } from '../../codec/jaeger/jaeger-thrift-codec.js';
import { isDecodeError } from '../../model/decode-error.js';
import { CollectorBusyError, type Collector } from '../collector.js';
import type { IngestRouteConfig } from '../http/raw-body-parser.js';
import { BodyTooLargeError, UnsupportedEncodingError } from '../http/read-body.js';

/** jaeger collector: the content types of a thrift Batch on POST /api/traces. */
const PROTOCOLS: Record<string, ThriftProtocolName> = {
  'application/x-thrift': 'binary',
  'application/vnd.apache.thrift.binary': 'binary',
  'application/vnd.apache.thrift.compact': 'compact',
};

/**
 * jaeger collector :14268 POST /api/traces: one thrift Batch; 202 once stored, 400 for a bad body or
 * content type (as jaeger answers), 413 over the size limit, 503 + Retry-After when saturated.
 * Encapsulated with its own error handler so the answer is the same on QUERY_PORT and on 14268.
 */
export async function jaegerHttpPlugin(
  app: FastifyInstance,
  opts: { collector: Collector; logger: Logger },
): Promise<void> {
  const { collector, logger } = opts;
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const text = (code: number, msg: string) => reply.code(code).type('text/plain; charset=utf-8').send(msg);
    // Refused bodies are counted by the raw body parser, decode errors by the Collector.
    if (isDecodeError(err)) return text(400, `Unable to process request body: ${err.message}`);
    if (err instanceof BodyTooLargeError) return text(413, err.message);
    if (err instanceof UnsupportedEncodingError) return text(415, err.message);
    if (err instanceof CollectorBusyError) {
      reply.header('Retry-After', String(err.retryAfterSeconds));
      return text(503, err.message);
    }
    if (typeof err.statusCode === 'number' && err.statusCode < 500) return text(err.statusCode, err.message);
    logger.error({ err: err.message, url: req.url }, 'jaeger POST /api/traces failed');
    return text(500, err.message || 'Internal Server Error');
  });
  const config = { transport: 'jaeger-http' } satisfies IngestRouteConfig;
  app.post('/api/traces', { config }, async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const protocol = PROTOCOLS[type];
    if (!protocol) {
      collector.rejectMessage('jaeger-http', body.length);
      return reply
        .code(400)
        .type('text/plain; charset=utf-8')
        .send(
          `Unsupported content type: ${JSON.stringify(type)}; send a thrift Batch as application/x-thrift`,
        );
    }
    await collector.acceptMessage('jaeger-http', body, (b) => decodeJaegerThriftBatch(b, protocol));
    return reply.code(202).send();
  });
}
