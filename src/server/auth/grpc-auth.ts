import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { decide } from './access.js';
import type { TokenVerifier } from './tokens.js';

const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;

/** For grpc-js listeners: the gRPC status code and message refusing a call, or undefined to serve it. */
export function grpcIngestCheck(
  verifier: TokenVerifier,
): (authorization: string | undefined) => { code: number; details: string } | undefined {
  return (authorization) => {
    const d = decide(verifier, authorization, 'ingest');
    if (d.ok) return undefined;
    return { code: d.status === 401 ? UNAUTHENTICATED : PERMISSION_DENIED, details: d.message };
  };
}

/**
 * Wraps the HTTP/2 stream handler of QUERY_PORT (zipkin gRPC): a call without an ingest token gets a
 * trailers-only gRPC answer, UNAUTHENTICATED or PERMISSION_DENIED, before any of its body is read.
 */
export function authorizeStreams(
  verifier: TokenVerifier,
  handler: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void,
): (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void {
  const check = grpcIngestCheck(verifier);
  return (stream, headers) => {
    const refused = check(headers.authorization);
    if (!refused) return handler(stream, headers);
    stream.on('error', () => {});
    stream.respond(
      {
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-status': String(refused.code),
        'grpc-message': encodeURIComponent(refused.details),
      },
      { endStream: true },
    );
  };
}
