import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { Logger } from 'pino';
import { decodeProto3List } from '../../codec/proto3/proto3-codec.js';
import { DecodeError } from '../../model/decode-error.js';
import { failureOf } from '../../model/failure.js';
import type { Collector } from '../collector.js';

export const ZIPKIN_REPORT_PATH = '/zipkin.proto3.SpanService/Report';

/** gRPC status codes (grpc/doc/statuscodes.md). */
const OK = 0;
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNIMPLEMENTED = 12;

/** The empty ReportResponse, framed: not compressed, length 0. */
const EMPTY_RESPONSE_FRAME = Buffer.alloc(5);

export interface ZipkinGrpcOptions {
  collector: Collector;
  logger: Logger;
  maxMessageBytes: number;
}

/**
 * zipkin.proto3.SpanService/Report over h2c on QUERY_PORT, as zipkin-server does it: a unary gRPC call
 * whose request is a zipkin proto3 ListOfSpans. Written on node:http2 directly because the streams come
 * from the shared port's own http2 server. Frames: 1 byte compressed flag, 4 bytes big-endian length,
 * the message (compressed with the grpc-encoding header's algorithm when the flag is set).
 */
export function zipkinGrpcStreamHandler(
  opts: ZipkinGrpcOptions,
): (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void {
  return (stream, headers) => {
    stream.on('error', () => {
      // A client that resets its stream is not our error; nothing to answer any more.
    });
    const contentType = String(headers['content-type'] ?? '');
    if (!contentType.startsWith('application/grpc')) {
      stream.respond({ ':status': 415, 'content-type': 'text/plain; charset=utf-8' });
      stream.end(
        'Only gRPC (application/grpc) is served over HTTP/2 on this port; use HTTP/1.1 for the HTTP API\n',
      );
      return;
    }
    if (headers[':path'] !== ZIPKIN_REPORT_PATH || headers[':method'] !== 'POST') {
      stream.resume();
      trailersOnly(
        stream,
        UNIMPLEMENTED,
        `unknown method ${String(headers[':path'])}; this port serves ${ZIPKIN_REPORT_PATH.slice(1)}`,
      );
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let tooLarge = false;
    stream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > opts.maxMessageBytes + 5) tooLarge = true;
      else chunks.push(chunk);
    });
    stream.on('end', () => {
      if (tooLarge) {
        opts.collector.rejectMessage(
          'grpc',
          total,
          peerOf(stream),
          'message refused (too large or bad framing)',
        );
        trailersOnly(
          stream,
          RESOURCE_EXHAUSTED,
          `message larger than ${opts.maxMessageBytes} bytes (QUERY_MAX_BODY_BYTES)`,
        );
        return;
      }
      let message: Buffer;
      try {
        message = unframe(
          Buffer.concat(chunks, total),
          String(headers['grpc-encoding'] ?? 'identity'),
          opts.maxMessageBytes,
        );
      } catch (e) {
        opts.collector.rejectMessage(
          'grpc',
          total,
          peerOf(stream),
          'message refused (too large or bad framing)',
        );
        const code = e instanceof RangeError ? RESOURCE_EXHAUSTED : INVALID_ARGUMENT;
        trailersOnly(stream, code, (e as Error).message);
        return;
      }
      // zipkin: an empty message is an empty list.
      opts.collector.bodies
        .hold(message.length, () =>
          opts.collector.acceptMessage(
            'grpc',
            message,
            (b) => (b.length === 0 ? [] : decodeProto3List(b)),
            peerOf(stream),
          ),
        )
        .then(
          () => {
            if (stream.destroyed) return;
            stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
            stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(OK) }));
            stream.end(EMPTY_RESPONSE_FRAME);
          },
          (e: unknown) => {
            const failure = failureOf(e);
            if (failure.log) opts.logger.error({ err: e }, 'zipkin gRPC Report failed');
            trailersOnly(stream, failure.grpcCode, failure.message);
          },
        );
    });
  };
}

/** The one message of a unary call. Throws DecodeError for bad framing, RangeError when inflating past the limit. */
function unframe(body: Buffer, encoding: string, maxBytes: number): Buffer {
  if (body.length < 5)
    throw new DecodeError(`gRPC message frame is ${body.length} bytes; a frame has a 5-byte header`);
  const compressed = body[0] === 1;
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) {
    throw new DecodeError(
      `gRPC frame says ${length} bytes but ${body.length - 5} arrived; a unary call carries exactly one message`,
    );
  }
  const message = body.subarray(5);
  if (!compressed) return message;
  const enc = encoding.trim().toLowerCase();
  if (enc === 'gzip') return gunzipSync(message, { maxOutputLength: maxBytes });
  if (enc === 'deflate') return inflateSync(message, { maxOutputLength: maxBytes });
  throw new DecodeError(
    `compressed message with unsupported grpc-encoding ${JSON.stringify(enc)} (use gzip or deflate)`,
  );
}

function trailersOnly(stream: ServerHttp2Stream, code: number, message: string): void {
  if (stream.destroyed || stream.headersSent) return;
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(code),
      // gRPC: grpc-message is percent-encoded.
      'grpc-message': encodeURIComponent(message),
    },
    { endStream: true },
  );
}

/** The client's address for the log line of a dropped message. */
function peerOf(stream: ServerHttp2Stream): string | undefined {
  const socket = stream.session?.socket;
  return socket?.remoteAddress === undefined ? undefined : `${socket.remoteAddress}:${socket.remotePort}`;
}
