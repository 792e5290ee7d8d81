import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Span } from '../../model/span.js';
import { DecodeError } from '../../model/decode-error.js';
import { decodeJsonV1List } from '../../codec/json-v1/json-v1-codec.js';
import { decodeJsonV2List } from '../../codec/json-v2/json-v2-codec.js';
import { decodeThriftList } from '../../codec/thrift/thrift-codec.js';
import { decodeProto3List } from '../../codec/proto3/proto3-codec.js';
import type { Collector } from '../collector.js';
import type { IngestRouteConfig } from './raw-body-parser.js';

/**
 * zipkin ZipkinHttpCollector: POST /api/v1/spans (JSON v1, or Thrift with application/x-thrift) and
 * POST /api/v2/spans (JSON v2, or proto3 with application/x-protobuf). 202 with an empty body once storage
 * has the spans; DecodeError -> 400 text/plain (via the app's error handler).
 */
export function registerZipkinHttpCollector(app: FastifyInstance, collector: Collector): void {
  const handle =
    (pick: (contentType: string) => (b: Uint8Array) => Span[]) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const body = bodyBytes(req.body);
      const decode = pick(mediaType(req.headers['content-type']));
      // zipkin: an empty body is an empty list.
      await collector.acceptMessage('http', body, (b) => (b.length === 0 ? [] : decode(b)), req.ip);
      return reply.code(202).send();
    };
  const config = { transport: 'http' } satisfies IngestRouteConfig;
  app.post(
    '/api/v1/spans',
    { config },
    handle((ct) => (ct === 'application/x-thrift' ? decodeThriftList : decodeJsonV1List)),
  );
  app.post(
    '/api/v2/spans',
    { config },
    handle((ct) => (ct === 'application/x-protobuf' ? decodeProto3List : decodeJsonV2List)),
  );
}

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

export function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  throw new DecodeError('request body was not read as bytes');
}
