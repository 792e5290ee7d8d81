import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { Logger } from 'pino';
import { decodeJaegerAgentPacket, type ThriftProtocolName } from '../../codec/jaeger/jaeger-thrift-codec.js';
import { isDecodeError } from '../../model/decode-error.js';
import type { Collector } from '../collector.js';

export interface JaegerUdpOptions {
  port: number;
  host: string;
  protocol: ThriftProtocolName;
  collector: Collector;
  logger: Logger;
  /**
   * JAEGER_AGENT_RECEIVE_BUFFER: room for bursts, as a jaeger client sends packets of up to 65000 bytes
   * as fast as it flushes. Default 4 MiB.
   */
  receiveBufferBytes?: number;
}

/**
 * The jaeger agent's UDP ports: each packet is one Agent.emitBatch message (6831 thrift compact, 6832
 * thrift binary). UDP cannot answer, so a malformed packet is counted (messages_dropped) and logged by the
 * collector, and the socket keeps serving; storage back-pressure is logged the same way.
 */
export async function startJaegerUdpListener(
  opts: JaegerUdpOptions,
): Promise<{ port: number; receiveBufferBytes(): number; close(): Promise<void> }> {
  const socket: Socket = createSocket({ type: opts.host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
  socket.on('message', (packet, remote) => {
    opts.collector
      .acceptMessage(
        'jaeger-udp',
        packet,
        (b) => decodeJaegerAgentPacket(b, opts.protocol),
        `${remote.address}:${remote.port}`,
      )
      .catch((e: unknown) => {
        // The collector already counted the drop (and logged the decode error); add who sent it.
        if (isDecodeError(e))
          opts.logger.debug({ from: `${remote.address}:${remote.port}` }, 'malformed jaeger UDP packet');
        else
          opts.logger.warn(
            { err: (e as Error).message, protocol: opts.protocol },
            'jaeger UDP batch not stored',
          );
      });
  });
  socket.on('error', (e) => opts.logger.error({ err: e.message }, 'jaeger UDP socket error'));
  socket.bind(opts.port, opts.host);
  await Promise.race([
    once(socket, 'listening'),
    once(socket, 'error').then(([e]) => Promise.reject(e as Error)),
  ]);
  const wanted = opts.receiveBufferBytes ?? 4 * 1024 * 1024;
  try {
    socket.setRecvBufferSize(wanted);
  } catch {
    // Refused outright on some systems; the default still works, and the size is reported below.
  }
  // Linux caps it at net.core.rmem_max silently (and reports double what it keeps, for bookkeeping).
  const got = socket.getRecvBufferSize();
  if (got < wanted)
    opts.logger.warn(
      { port: socket.address().port, wanted, got },
      'jaeger UDP receive buffer is smaller than JAEGER_AGENT_RECEIVE_BUFFER (raise net.core.rmem_max)',
    );
  return {
    port: socket.address().port,
    receiveBufferBytes: () => socket.getRecvBufferSize(),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
