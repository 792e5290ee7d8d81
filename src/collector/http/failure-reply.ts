import type { FastifyReply } from 'fastify';
import { failureOf, type Failure } from '../../model/failure.js';

export interface FailureLogger {
  error(obj: object, msg: string): void;
}

/**
 * Sets the status (and Retry-After when the sender should retry) for any thrown value, from the one
 * mapping in model/failure.ts, and logs a terminal failure once. Each route then writes the body in its
 * protocol's shape (Zipkin text, OTLP google.rpc.Status, Jaeger envelope) from `failure.message`.
 */
export function applyFailure(
  reply: FastifyReply,
  err: unknown,
  logger: FailureLogger,
  context: Record<string, unknown>,
): Failure {
  const failure = failureOf(err);
  reply.code(failure.httpStatus);
  if (failure.retryAfterSeconds !== undefined) reply.header('Retry-After', String(failure.retryAfterSeconds));
  if (failure.log) logger.error({ ...context, err }, 'request failed');
  return failure;
}

/** The Zipkin-style answer: the failure's message as plain text. */
export function sendTextFailure(
  reply: FastifyReply,
  err: unknown,
  logger: FailureLogger,
  context: Record<string, unknown>,
  prefixInvalid = '',
): FastifyReply {
  const failure = applyFailure(reply, err, logger, context);
  const message = failure.kind === 'invalid' ? `${prefixInvalid}${failure.message}` : failure.message;
  return reply.type('text/plain; charset=utf-8').send(message);
}
