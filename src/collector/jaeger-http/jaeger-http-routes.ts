import type { Logger } from 'pino';
import type { FastifyError, FastifyInstance } from 'fastify';
import { decodeJaegerThriftBatch, type ThriftProtocolName } from '../../codec/jaeger/jaeger-thrift-codec.js';
import type { Collector } from '../collector.js';
import type { IngestRouteConfig } from '../http/raw-body-parser.js';
import { sendTextFailure } from '../http/failure-reply.js';

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
  // Refused bodies are counted by the raw body parser, decode errors by the Collector.
  app.setErrorHandler((err: FastifyError, req, reply) =>
    sendTextFailure(
      reply,
      err,
      logger,
      { url: req.url, transport: 'jaeger-http' },
      'Unable to process request body: ',
    ),
  );
  const config = { transport: 'jaeger-http' } satisfies IngestRouteConfig;
  app.post('/api/traces', { config }, async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const protocol = PROTOCOLS[type];
    if (!protocol) {
      collector.rejectMessage('jaeger-http', body.length, req.ip, 'unsupported content type');
      return reply
        .code(400)
        .type('text/plain; charset=utf-8')
        .send(
          `Unsupported content type: ${JSON.stringify(type)}; send a thrift Batch as application/x-thrift`,
        );
    }
    await collector.acceptMessage('jaeger-http', body, (b) => decodeJaegerThriftBatch(b, protocol), req.ip);
    return reply.code(202).send();
  });
}
