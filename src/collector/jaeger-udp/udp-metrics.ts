import { Gauge, type Registry } from 'prom-client';
import { udpReceiveDrops } from './udp-drops.js';

export interface UdpSocketInfo {
  /** The listener's name (jaeger-udp-compact, jaeger-udp-binary), the metrics' label. */
  name: string;
  port: number;
  receiveBufferBytes(): number;
}

/**
 * /prometheus: per UDP listener, the kernel's receive-buffer drop count (datagrams lost before Skein read
 * them: zipkin_collector_messages_total never sees them) and the receive buffer the kernel granted.
 * Read when scraped; the drops series is absent where /proc/net/udp is not (not Linux).
 */
export function registerUdpMetrics(registry: Registry, sockets: readonly UdpSocketInfo[]): void {
  new Gauge({
    name: 'skein_udp_receive_drops',
    help: 'Datagrams the kernel dropped because the socket receive buffer was full (/proc/net/udp drops; JAEGER_AGENT_RECEIVE_BUFFER)',
    labelNames: ['listener'],
    registers: [registry],
    collect() {
      for (const s of sockets) {
        const drops = udpReceiveDrops(s.port);
        if (drops !== undefined) this.set({ listener: s.name }, drops);
      }
    },
  });
  new Gauge({
    name: 'skein_udp_receive_buffer_bytes',
    help: 'Receive buffer of the UDP socket as the kernel reports it (SO_RCVBUF; Linux reports twice what was set)',
    labelNames: ['listener'],
    registers: [registry],
    collect() {
      for (const s of sockets) this.set({ listener: s.name }, s.receiveBufferBytes());
    },
  });
}
