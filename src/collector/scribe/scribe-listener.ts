import { Buffer } from 'node:buffer';
import type { AddressInfo, Server, Socket } from 'node:net';
import thrift from 'thrift';
import type { TProtocol } from 'thrift';
import { decodeThriftSpan } from '../../codec/thrift/thrift-codec.js';
import type { Span } from '../../model/span.js';
import { acceptQueued, type QueueConsumerOptions } from '../queue/queue-consumer.js';
import { ResultCode, readLogArgs, writeLogResult, type LogEntry } from './scribe-protocol.js';

export interface ScribeListenerOptions extends Pick<QueueConsumerOptions, 'collector' | 'logger'> {
  port: number;
  host: string;
  /** Only entries of this category carry spans (zipkin: SCRIBE_CATEGORY). */
  category: string;
  /**
   * The header timeout and connection cap of this listener (server/connection-guard.ts), given the server
   * and when a socket counts as started (it has sent a byte). No idle timeout: Scribe clients keep their
   * connection open between batches.
   */
  guard?: (server: Server, started: (s: Socket) => boolean) => void;
}

/**
 * zipkin's Scribe collector: Thrift framed TBinaryProtocol `Log(messages)`, each message of the category a
 * base64 Thrift span. A Log call is one collector message, so its spans are stored (or refused) together and
 * a TRY_LATER never leaves part of a call stored. The answer is the queue decision of failureOf (via
 * acceptQueued): 'requeue' (storage busy or down) is TRY_LATER, so the sender keeps the batch; anything else
 * is OK, an undecodable call dropped and logged as zipkin drops it.
 */
export async function startScribeListener(
  opts: ScribeListenerOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const log = async (entries: LogEntry[]): Promise<ResultCode> => {
    const mine = entries.filter((e) => e.category === opts.category);
    if (mine.length === 0) return ResultCode.OK;
    const decoded = mine.map((e) => Buffer.from(e.message, 'base64'));
    const decode = (): Span[] => decoded.flatMap((b) => decodeThriftSpan(b));
    const outcome = await acceptQueued(opts, 'scribe', opts.category, Buffer.concat(decoded), decode);
    return outcome === 'requeue' ? ResultCode.TRY_LATER : ResultCode.OK;
  };

  // The thrift server calls process() for each framed message; what generated code would do, for one method.
  class ScribeProcessor {
    process(input: TProtocol, output: TProtocol): void {
      const msg = input.readMessageBegin();
      if (msg.fname !== 'Log') {
        input.skip(thrift.Thrift.Type.STRUCT);
        input.readMessageEnd();
        const x = new thrift.Thrift.TApplicationException(
          thrift.Thrift.TApplicationExceptionType.UNKNOWN_METHOD,
          `Scribe serves only Log, not ${msg.fname}`,
        );
        output.writeMessageBegin(msg.fname, thrift.Thrift.MessageType.EXCEPTION, msg.rseqid);
        x.write(output);
        output.writeMessageEnd();
        output.flush();
        return;
      }
      const entries = readLogArgs(input);
      input.readMessageEnd();
      void log(entries)
        // acceptQueued decides every failure; anything reaching here is a bug, and TRY_LATER keeps the batch.
        .catch((e: unknown) => {
          opts.logger.error({ transport: 'scribe', err: (e as Error).message }, 'scribe Log failed');
          return ResultCode.TRY_LATER;
        })
        .then((code) => {
          output.writeMessageBegin('Log', thrift.Thrift.MessageType.REPLY, msg.rseqid);
          writeLogResult(output, code);
          output.writeMessageEnd();
          output.flush();
        });
    }
  }

  const server = thrift.createServer(
    ScribeProcessor,
    {},
    {
      transport: thrift.TFramedTransport,
      protocol: thrift.TBinaryProtocol,
    },
  ) as unknown as Server;
  opts.guard?.(server, (s) => s.bytesRead > 0);
  // A client that breaks the protocol only loses its own connection (the thrift server ends it).
  server.on('error', (e: Error) =>
    opts.logger.warn({ transport: 'scribe', err: e.message }, 'scribe connection error'),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Scribe clients keep connections open; ending them lets close() finish.
        for (const s of sockets) s.end();
      }),
  };
}
