import { describe, expect, it } from 'vitest';
import { DecodeError } from './decode-error.js';
import { failureOf, GrpcCode, INTERNAL_ERROR_MESSAGE, KindedError, StorageError } from './failure.js';

describe('failureOf: the one mapping of failures to answers', () => {
  it.each([
    [new DecodeError('bad json'), 400, GrpcCode.INVALID_ARGUMENT, 'drop', undefined],
    [new KindedError('not-found', 'abc not found'), 404, GrpcCode.NOT_FOUND, 'drop', undefined],
    [new KindedError('too-large', 'too big'), 413, GrpcCode.RESOURCE_EXHAUSTED, 'drop', undefined],
    [new KindedError('unsupported-media-type', 'br?'), 415, GrpcCode.INVALID_ARGUMENT, 'drop', undefined],
    [new KindedError('unsupported', 'no such feature'), 501, GrpcCode.UNIMPLEMENTED, 'drop', undefined],
    [new StorageError('over-capacity', 'queue full', 3), 503, GrpcCode.UNAVAILABLE, 'requeue', 3],
    [new StorageError('transient', 'connection refused'), 503, GrpcCode.UNAVAILABLE, 'requeue', 1],
    [new StorageError('terminal', 'schema is newer'), 500, GrpcCode.INTERNAL, 'drop', undefined],
  ] as const)('%s', (err, httpStatus, grpcCode, queue, retryAfterSeconds) => {
    const f = failureOf(err);
    expect({ httpStatus: f.httpStatus, grpcCode: f.grpcCode, queue: f.queue }).toEqual({
      httpStatus,
      grpcCode,
      queue,
    });
    expect(f.retryAfterSeconds).toBe(retryAfterSeconds);
  });

  it('answers an unexpected error with 500 and a generic message, and asks for one log line', () => {
    const f = failureOf(new Error('SQLITE_CORRUPT at /var/lib/skein/skein.sqlite'));
    expect(f).toMatchObject({
      kind: 'terminal',
      httpStatus: 500,
      log: true,
      message: INTERNAL_ERROR_MESSAGE,
    });
    expect(f.message).not.toContain('/var/lib');
  });

  it('keeps a framework 4xx status such as 405, and its message', () => {
    const err = Object.assign(new Error('Method TRACE is not allowed'), { statusCode: 405 });
    expect(failureOf(err)).toMatchObject({
      kind: 'invalid',
      httpStatus: 405,
      message: 'Method TRACE is not allowed',
    });
  });

  it('shows the message of every kind but terminal', () => {
    expect(failureOf(new StorageError('transient', 'postgres: connection refused')).message).toBe(
      'postgres: connection refused',
    );
  });
});
