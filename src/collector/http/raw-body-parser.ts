import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readBody } from './read-body.js';

/**
 * Every POST route in Skein takes bytes in a wire format it decodes itself (JSON, thrift, protobuf), so
 * fastify's own parsers are replaced by one that hands the route a Buffer, already inflated and
 * size-limited. Errors (BodyTooLargeError, DecodeError for bad gzip) reach the app's error handler.
 */
export function installRawBodyParser(app: FastifyInstance, maxBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', async (request: FastifyRequest, payload: IncomingMessage) => {
    const header = request.headers['content-encoding'];
    return readBody(payload, Array.isArray(header) ? header[0] : header, maxBytes);
  });
}
