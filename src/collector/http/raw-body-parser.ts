import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Collector } from '../collector.js';
import type { TransportName } from '../collector-metrics.js';
import type { BodyReservation } from '../body-budget.js';
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
  // The body's bytes count against the collector's shared budget from the first chunk until the answer
  // is sent (request.body holds the Buffer until then), so concurrent large bodies get 503, not an OOM.
  const reservations = new WeakMap<IncomingMessage, BodyReservation>();
  if (collector) {
    app.addHook('onRequest', (request, reply, done) => {
      const reservation = collector.bodies.open();
      reservations.set(request.raw, reservation);
      reply.raw.once('close', () => reservation.release());
      done();
    });
  }
  app.addContentTypeParser('*', async (request: FastifyRequest, payload: IncomingMessage) => {
    const header = request.headers['content-encoding'];
    try {
      return await readBody(
        payload,
        Array.isArray(header) ? header[0] : header,
        maxBytes,
        reservations.get(request.raw),
      );
    } catch (e) {
      const transport = (request.routeOptions.config as Partial<IngestRouteConfig>).transport;
      if (collector && transport)
        collector.rejectMessage(transport, 0, request.ip, 'body refused (too large or bad encoding)');
      throw e;
    }
  });
}
