import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Collector } from '../collector.js';
import type { TransportName } from '../collector-metrics.js';
import { readBody } from './read-body.js';

/** Route config of a collector route: which transport its messages count under. */
export interface IngestRouteConfig {
  transport: TransportName;
}

/**
 * Every POST route in Skein takes bytes in a wire format it decodes itself (JSON, thrift, protobuf), so
 * fastify's own parsers are replaced by one that hands the route a Buffer, already inflated and
 * size-limited. Errors (BodyTooLargeError, DecodeError for bad gzip) reach the app's error handler.
 *
 * A body refused here never reaches the Collector, so this is where it is counted as a dropped message,
 * under the transport the route declares in its config (`{ config: { transport: 'http' } }`). Decode
 * errors after this point are counted by the Collector itself, so nobody else counts them.
 */
export function installRawBodyParser(app: FastifyInstance, maxBytes: number, collector?: Collector): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', async (request: FastifyRequest, payload: IncomingMessage) => {
    const header = request.headers['content-encoding'];
    try {
      return await readBody(payload, Array.isArray(header) ? header[0] : header, maxBytes);
    } catch (e) {
      const transport = (request.routeOptions.config as Partial<IngestRouteConfig>).transport;
      if (collector && transport)
        collector.rejectMessage(transport, 0, request.ip, 'body refused (too large or bad encoding)');
      throw e;
    }
  });
}
