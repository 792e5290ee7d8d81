import { once } from 'node:events';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import type { Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { encodeRpcStatusProto } from '../../codec/otlp/otlp-proto-codec.js';
import { failureOf } from '../../model/failure.js';

/** One unary method: its full gRPC path and what to do with the request message's bytes. */
export interface UnaryMethod {
  path: string;
  /** `peer` is the client's address (call.getPeer()), for the log line of a dropped message. */
  handle(request: Buffer, peer: string): Promise<Uint8Array>;
}

export interface GrpcListenerOptions {
  port: number;
  host: string;
  maxMessageBytes: number;
  logger: Logger;
  /**
   * The header timeout and connection cap of this listener (server/connection-guard.ts), given the
   * listening socket server and when a socket counts as started; with it, `idleTimeoutMs` closes idle
   * sessions.
   */
  guard?: { idleTimeoutMs: number; apply(server: NetServer, started: (s: Socket) => boolean): void };
  /**
   * Authentication (server/auth): given the call's `authorization` metadata, the status refusing it
   * (UNAUTHENTICATED, PERMISSION_DENIED), or undefined to serve it. Checked before the message is decoded.
   */
  authorize?: (authorization: string | undefined) => { code: number; details: string } | undefined;
  /** TLS (server/tls): turns each accepted socket into the stream grpc-js serves, or refuses it. Guarded listeners only. */
  upgrade?: (raw: Socket, ready: (stream: Duplex) => void) => void;
}

function metadataValue(metadata: grpc.Metadata, key: string): string | undefined {
  const v = metadata.get(key)[0];
  return v === undefined ? undefined : String(v);
}

/** The HTTP/2 client preface's length: a socket that has sent this much has started a session. */
const H2_PREFACE_BYTES = 24;

const identity = (b: Buffer) => b;

/**
 * A grpc-js server for collectors that decode their own protobuf: messages arrive as bytes (so the
 * collector counts them and reports decode errors itself) and grpc-js does framing, HTTP/2 and gzip.
 * Status semantics (OTLP specification, also right for jaeger): a DecodeError is INVALID_ARGUMENT (not
 * retried); saturation and storage outages are UNAVAILABLE with a google.rpc.RetryInfo (retried after the
 * delay, so a client keeps the spans while storage recovers); see model/failure.ts for the rest.
 */
export async function startGrpcListener(
  opts: GrpcListenerOptions,
  methods: UnaryMethod[],
): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxMessageBytes,
    ...(opts.guard ? { 'grpc.max_connection_idle_ms': opts.guard.idleTimeoutMs } : {}),
  });
  const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const m of methods) {
    const name = m.path.slice(m.path.lastIndexOf('/') + 1);
    definition[name] = {
      path: m.path,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
      originalName: name,
    };
    implementation[name] = ((
      call: grpc.ServerUnaryCall<Buffer, Buffer>,
      callback: grpc.sendUnaryData<Buffer>,
    ) => {
      const refused = opts.authorize?.(metadataValue(call.metadata, 'authorization'));
      if (refused) return callback({ code: refused.code, details: refused.details });
      m.handle(call.request, call.getPeer()).then(
        (response) => callback(null, Buffer.from(response.buffer, response.byteOffset, response.byteLength)),
        (e: unknown) => callback(toStatus(e, m.path, opts.logger)),
      );
    }) as grpc.handleUnaryCall<Buffer, Buffer>;
  }
  server.addService(definition, implementation);
  if (opts.guard) return listenGuarded(server, opts, opts.guard);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`,
      grpc.ServerCredentials.createInsecure(),
      (err, bound) => (err ? reject(err) : resolve(bound)),
    ),
  );
  return { port, close: () => shutdown(server) };
}

/**
 * grpc-js binds its own sockets with no connection cap and no timeout before the HTTP/2 preface, so a
 * guarded listener is a net server of ours that hands each accepted socket to grpc-js (its public
 * connection injector): silent or half-preface sockets are closed after the header timeout, and past the
 * cap new ones are refused and logged, as on every other TCP listener.
 */
async function listenGuarded(
  server: grpc.Server,
  opts: GrpcListenerOptions,
  guard: NonNullable<GrpcListenerOptions['guard']>,
): Promise<{ port: number; close(): Promise<void> }> {
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const upgrade = opts.upgrade;
  const front = createNetServer((socket: Socket) =>
    upgrade ? upgrade(socket, (s) => injector.injectConnection(s)) : injector.injectConnection(socket),
  );
  guard.apply(front, (s) => s.bytesRead >= H2_PREFACE_BYTES);
  front.listen(opts.port, opts.host);
  await Promise.race([
    once(front, 'listening'),
    once(front, 'error').then(([e]) => Promise.reject(e as Error)),
  ]);
  return {
    port: (front.address() as AddressInfo).port,
    close: async () => {
      front.close();
      await shutdown(server);
      injector.destroy();
    },
  };
}

function shutdown(server: grpc.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    // Let in-flight exports finish, but do not wait forever on a client that keeps its stream open.
    const timer = setTimeout(() => server.forceShutdown(), 5000);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The gRPC status for any failure, from the one mapping; retryable ones carry a google.rpc.RetryInfo. */
function toStatus(e: unknown, path: string, logger: Logger): Partial<grpc.StatusObject> {
  const failure = failureOf(e);
  if (failure.log) logger.error({ err: e, path }, 'gRPC export failed');
  if (failure.retryAfterSeconds === undefined) return { code: failure.grpcCode, details: failure.message };
  const metadata = new grpc.Metadata();
  metadata.set(
    'grpc-status-details-bin',
    Buffer.from(encodeRpcStatusProto(failure.grpcCode, failure.message, failure.retryAfterSeconds)),
  );
  return { code: failure.grpcCode, details: failure.message, metadata };
}
