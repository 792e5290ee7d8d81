import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { RetryInfo, RpcStatus } from '../../codec/otlp/otlp-schema.js';
import { DecodeError } from '../../model/decode-error.js';
import { StorageError } from '../../model/failure.js';
import { CollectorBusyError } from '../collector.js';
import { startGrpcListener } from './grpc-unary-server.js';

const listener = await startGrpcListener(
  { port: 0, host: '127.0.0.1', maxMessageBytes: 1024, logger: pino({ level: 'silent' }) },
  [
    {
      path: '/test.Svc/Call',
      async handle(req) {
        const s = req.toString();
        if (s === 'busy') throw new CollectorBusyError(2);
        if (s === 'bad') throw new DecodeError('bad input at byte 0');
        if (s === 'boom') throw new StorageError('transient', 'disk full', 1);
        if (s === 'bug') throw new Error('internal detail: /var/lib/skein/skein.sqlite');
        return Buffer.from(`ok:${s}`);
      },
    },
  ],
);

const client = new grpc.Client(`127.0.0.1:${listener.port}`, grpc.credentials.createInsecure());
afterAll(async () => {
  client.close();
  await listener.close();
});
const call = (body: string) =>
  new Promise<{ err: grpc.ServiceError | null; res?: Buffer }>((resolve) =>
    client.makeUnaryRequest(
      '/test.Svc/Call',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      (err, res) => resolve({ err, res }),
    ),
  );

describe('startGrpcListener', () => {
  it('passes bytes through both ways', async () => {
    expect((await call('x')).res?.toString()).toBe('ok:x');
  });

  it('maps DecodeError to INVALID_ARGUMENT', async () => {
    const { err } = await call('bad');
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toBe('bad input at byte 0');
  });

  it('maps saturation to UNAVAILABLE with a RetryInfo detail', async () => {
    const { err } = await call('busy');
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    const details = err!.metadata.get('grpc-status-details-bin')[0] as Buffer;
    const status = RpcStatus.toObject(RpcStatus.decode(details), { longs: Number }) as {
      code: number;
      details: Array<{ typeUrl: string; value: Uint8Array }>;
    };
    expect(status.code).toBe(14);
    expect(status.details[0]!.typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
    expect(RetryInfo.toObject(RetryInfo.decode(status.details[0]!.value), { longs: Number })).toEqual({
      retryDelay: { seconds: 2 },
    });
  });

  it('maps storage failures to UNAVAILABLE so clients retry, and refuses messages over the limit', async () => {
    expect((await call('boom')).err?.code).toBe(grpc.status.UNAVAILABLE);
    // An unexpected error is terminal: INTERNAL, and its text (paths, SQL) stays in the server log.
    const bug = (await call('bug')).err;
    expect(bug?.code).toBe(grpc.status.INTERNAL);
    expect(bug?.details).not.toContain('/var/lib');
    expect((await call('x'.repeat(2000))).err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });
});
