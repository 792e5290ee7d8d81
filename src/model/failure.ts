import { isDecodeError } from './decode-error.js';

/**
 * Why a request, a message or a store call failed, and so what the sender should do. Every transport and
 * every API answers from this one mapping (`failureOf`), so a storage outage is a 503 with Retry-After on
 * HTTP, UNAVAILABLE on gRPC and a requeue on a queue alike, instead of being decided per route.
 *
 * - `invalid`: the input or query is wrong; retrying the same thing fails again (HTTP 400).
 * - `not-found`: the asked-for thing does not exist (404).
 * - `too-large`: over a configured size limit (413).
 * - `unsupported-media-type`: an encoding or content type Skein does not read (415).
 * - `unsupported`: a feature this backend or server does not offer (501).
 * - `over-capacity`: Skein or its store is saturated; retry later (503 + Retry-After).
 * - `transient`: the store is unreachable or failing for now (connection lost, disk full); retry later
 *   (503 + Retry-After). Nothing was stored.
 * - `terminal`: a bug or a state retrying cannot fix (500, logged once; its text is not echoed).
 *
 * It lives in model because codecs, collectors, stores and the query layer all raise or map it, and
 * model is the one package every other imports.
 */
export type FailureKind =
  | 'invalid'
  | 'not-found'
  | 'too-large'
  | 'unsupported-media-type'
  | 'unsupported'
  | 'over-capacity'
  | 'transient'
  | 'terminal';

/** An error that says its own kind. Subclass it (or use it directly) instead of adding a mapping case. */
export class KindedError extends Error {
  override name = 'KindedError';
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** For over-capacity and transient: how long the sender should wait, in seconds. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A storage failure, raised by a backend with the kind it knows (e.g. connection refused: transient). */
export class StorageError extends KindedError {
  override name = 'StorageError';
}

/** gRPC status codes used by the mapping (grpc/status.h), so model needs no gRPC library. */
export const GrpcCode = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** What every surface does with one failure. */
export interface Failure {
  kind: FailureKind;
  /** The HTTP status to answer. */
  httpStatus: number;
  /** The gRPC status to answer. */
  grpcCode: number;
  /** Seconds for Retry-After / google.rpc.RetryInfo, set exactly when the sender should retry. */
  retryAfterSeconds?: number;
  /** What a queue consumer does with the message: keep it for later (with backoff), or ack and drop it. */
  queue: 'requeue' | 'drop';
  /**
   * The text to send back. For terminal failures it is generic: internal error text (paths, SQL, stack
   * details) is logged, never echoed to a client.
   */
  message: string;
  /** Whether the server should log this failure (terminal ones, once, where they are answered). */
  log: boolean;
}

const DEFAULT_RETRY_AFTER_SECONDS = 1;

const HTTP_STATUS: Record<FailureKind, number> = {
  invalid: 400,
  'not-found': 404,
  'too-large': 413,
  'unsupported-media-type': 415,
  unsupported: 501,
  'over-capacity': 503,
  transient: 503,
  terminal: 500,
};

const GRPC_CODE: Record<FailureKind, number> = {
  invalid: GrpcCode.INVALID_ARGUMENT,
  'not-found': GrpcCode.NOT_FOUND,
  'too-large': GrpcCode.RESOURCE_EXHAUSTED,
  'unsupported-media-type': GrpcCode.INVALID_ARGUMENT,
  unsupported: GrpcCode.UNIMPLEMENTED,
  'over-capacity': GrpcCode.UNAVAILABLE,
  transient: GrpcCode.UNAVAILABLE,
  terminal: GrpcCode.INTERNAL,
};

/** The message a terminal failure is answered with. */
export const INTERNAL_ERROR_MESSAGE = 'Internal Server Error: the failure is logged by the server';

/** The kind of any thrown value. Unknown errors are terminal. */
export function failureKindOf(err: unknown): FailureKind {
  if (err instanceof KindedError) return err.kind;
  if (isDecodeError(err)) return 'invalid';
  // Framework errors (fastify's own 4xx: bad JSON content type, unknown route) carry a statusCode.
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 404) return 'not-found';
    if (status === 413) return 'too-large';
    if (status === 415) return 'unsupported-media-type';
    return 'invalid';
  }
  return 'terminal';
}

/** The one mapping from a thrown value to every surface's answer. */
export function failureOf(err: unknown): Failure {
  const kind = failureKindOf(err);
  const retryable = kind === 'over-capacity' || kind === 'transient';
  const raw = err instanceof Error ? err.message : String(err);
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  const failure: Failure = {
    kind,
    // A framework 4xx keeps its own code (e.g. 405), the kind only groups it.
    httpStatus:
      typeof status === 'number' && status >= 400 && status < 500 && !(err instanceof KindedError)
        ? status
        : HTTP_STATUS[kind],
    grpcCode: GRPC_CODE[kind],
    // A terminal failure is dropped too (as zipkin's collectors do): requeueing a message that cannot be
    // stored would loop on it forever and hold back every message behind it.
    queue: retryable ? 'requeue' : 'drop',
    message: kind === 'terminal' ? INTERNAL_ERROR_MESSAGE : raw,
    log: kind === 'terminal',
  };
  if (retryable) {
    const after = err instanceof KindedError ? err.retryAfterSeconds : undefined;
    failure.retryAfterSeconds = after !== undefined && after > 0 ? after : DEFAULT_RETRY_AFTER_SECONDS;
  }
  return failure;
}
