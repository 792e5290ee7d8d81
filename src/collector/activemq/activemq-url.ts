/** One broker Skein's STOMP client can connect to. */
export interface StompServer {
  host: string;
  port: number;
  /** STOMP over TLS (from ssl://, stomp+ssl:// or stomp+nio+ssl://). */
  ssl: boolean;
}

/** The STOMP port of an ActiveMQ whose ACTIVEMQ_URL names only its OpenWire port. */
export const DEFAULT_STOMP_PORT = 61613;

/**
 * ACTIVEMQ_URL as zipkin takes it (an OpenWire broker URL: tcp://host:61616, ssl://..., nio://...,
 * failover:(tcp://a:61616,tcp://b:61616)?randomize=false) or as a STOMP URL (stomp://host:61613,
 * stomp+ssl://...), into the STOMP endpoints to try in order.
 *
 * Skein speaks STOMP, not OpenWire (there is no OpenWire client for Node.js): an OpenWire URL gives the
 * host and whether to use TLS, and the port is `stompPort` (ACTIVEMQ_STOMP_PORT) instead of the OpenWire
 * one. A stomp:// URL is used as written. Throws an Error naming what is wrong; the URL is not echoed,
 * since its query may carry a password (jms.password=...).
 */
export function parseActiveMqUrl(url: string, stompPort = DEFAULT_STOMP_PORT): StompServer[] {
  let body = url.trim();
  const failover = /^failover:\(?([^)?]*)\)?(\?.*)?$/i.exec(body);
  if (failover) body = failover[1]!;
  const entries = body
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) throw new Error('expected tcp://host:port, failover:(...) or stomp://host:port');
  return entries.map((entry) => {
    const m = /^([a-z+]+):\/\/(\[[^\]]+\]|[^:/?\s]+)(?::(\d{1,5}))?\/?(\?.*)?$/i.exec(entry);
    if (!m) throw new Error(`expected scheme://host[:port] entries, one of them is not`);
    const scheme = m[1]!.toLowerCase();
    const host = m[2]!.replace(/^\[|\]$/g, '');
    const stomp = scheme.startsWith('stomp');
    const ssl = scheme === 'ssl' || scheme.endsWith('+ssl') || scheme === 'nio+ssl';
    if (!stomp && !['tcp', 'nio', 'ssl', 'nio+ssl', 'auto', 'auto+nio', 'auto+ssl'].includes(scheme)) {
      throw new Error(`unsupported scheme ${scheme}:// (use tcp://, ssl://, failover:(...) or stomp://)`);
    }
    const explicit = m[3] === undefined ? undefined : Number(m[3]);
    if (explicit !== undefined && (explicit < 1 || explicit > 65535))
      throw new Error('a port is out of range');
    // Only a STOMP URL's own port is a STOMP port; an OpenWire port (61616) is replaced.
    const port = stomp ? (explicit ?? DEFAULT_STOMP_PORT) : stompPort;
    return { host, port, ssl };
  });
}
