import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Http2Server } from 'node:http2';
import { guardRawListener, type ListenerGuard } from './connection-guard.js';
import type { SocketUpgrade } from './tls/tls-front.js';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * One TCP port for HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge), as zipkin serves its
 * HTTP API and gRPC on 9411. Node's http2 module has no HTTP/1 fallback without TLS, so each connection's
 * first bytes are sniffed: the HTTP/2 connection preface goes to the http2 server, anything else to HTTP/1.
 * The HTTP servers' own timeouts are set by the caller (connection-guard.ts: applyHttp1Timeouts and
 * applyHttp2Timeouts), once per server, as two ports share them.
 */
export function createSharedPortServer(
  http1: HttpServer,
  http2: Http2Server | undefined,
  guard: ListenerGuard,
  tls?: SocketUpgrade,
): NetServer {
  // Sockets that have sent a whole request's headers (HTTP/1) or the whole HTTP/2 preface: from then on
  // the HTTP servers' own timeouts apply. Until then, a silent or half-sent connection is closed after
  // LISTENER_HEADER_TIMEOUT; before, a socket stuck in the sniffer was held forever (150 s and more).
  const started = new WeakSet<Socket>();
  http1.on('request', (req: { socket: Socket }) => started.add(req.socket));
  const server = createNetServer({ pauseOnConnect: true }, (socket: Socket) => {
    // Under TLS, ALPN says HTTP/2 or HTTP/1.1; a finished handshake counts as started (the HTTP servers'
    // header and idle timeouts take over).
    if (tls)
      return tls.accept(socket, (secure) => {
        started.add(socket);
        (secure.alpnProtocol === 'h2' && http2 ? http2 : http1).emit('connection', secure);
      });
    if (!http2) {
      http1.emit('connection', socket);
      socket.resume();
      return;
    }
    let seen = Buffer.alloc(0);
    // Read in paused mode (read() on 'readable'), never with 'data' listeners: node's http2 session reads
    // the socket's native handle, and bytes pulled through a flowing stream are then lost to it even
    // after unshift (the client sees "Session closed with error code 2").
    const check = () => {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) return void socket.once('readable', check);
      seen = Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, H2_PREFACE.length);
      const isH2 = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      // Undecided until the prefix diverges or the whole preface is seen.
      if (isH2 && n < H2_PREFACE.length) return void socket.once('readable', check);
      socket.unshift(seen);
      if (isH2) started.add(socket);
      (isH2 ? http2 : http1).emit('connection', socket);
    };
    socket.once('readable', check);
  });
  guardRawListener(server, guard, (s) => started.has(s));
  return server;
}
