import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Http2Server } from 'node:http2';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/**
 * One TCP port for HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge), as zipkin serves its
 * HTTP API and gRPC on 9411. Node's http2 module has no HTTP/1 fallback without TLS, so each connection's
 * first bytes are sniffed: the HTTP/2 connection preface goes to the http2 server, anything else to HTTP/1.
 */
export function createSharedPortServer(http1: HttpServer, http2?: Http2Server): NetServer {
  return createNetServer({ pauseOnConnect: true }, (socket: Socket) => {
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
      (isH2 ? http2 : http1).emit('connection', socket);
    };
    socket.once('readable', check);
  });
}
