import type { Server as NetServer, Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { Http2Server } from 'node:http2';

/** LISTENER_HEADER_TIMEOUT, LISTENER_IDLE_TIMEOUT and LISTENER_MAX_CONNECTIONS, applied to one listener. */
export interface ConnectionLimits {
  /** A connection that has not started a request (or an HTTP/2 session) by then is closed. */
  headerTimeoutMs: number;
  /** A connection with no request in progress is closed after this long (keep-alive, HTTP/2 sessions). */
  idleTimeoutMs: number;
  /** Connections at once on this listener; past it new ones are refused and a line is logged. */
  maxConnections: number;
}

export interface GuardLogger {
  warn(obj: object, msg: string): void;
}

/** What one listener is guarded with: its name (for the log line), its limits, and where to log. */
export interface ListenerGuard {
  name: string;
  limits: ConnectionLimits;
  logger: GuardLogger;
}

/** Drops are logged at most this often per listener, with the count since the last line. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Caps a listener's connections (issue 15: with a 1,024 descriptor limit, ~880 silent sockets locked
 * every new client out of both the Zipkin and OTLP ports with nothing logged). Node refuses connections
 * past `maxConnections` itself (it closes them at once) and emits 'drop'; this logs them, once per
 * interval with a count, so a flood cannot turn into a flood of log lines.
 */
export function capConnections(server: NetServer, guard: ListenerGuard): void {
  const { name, limits, logger } = guard;
  server.maxConnections = limits.maxConnections;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;
  const report = () => {
    logger.warn(
      { listener: name, dropped, maxConnections: limits.maxConnections },
      `connection refused: ${name} has ${limits.maxConnections} connections open (LISTENER_MAX_CONNECTIONS)`,
    );
    dropped = 0;
  };
  server.on('drop', () => {
    dropped++;
    if (timer) return;
    report();
    timer = setTimeout(() => {
      timer = undefined;
      if (dropped > 0) report();
    }, DROP_LOG_INTERVAL_MS).unref();
  });
}

/**
 * Closes `socket` unless `started()` says it began a request within `ms`. A plain timer, not
 * socket.setTimeout, which the HTTP server sets and clears itself for keep-alive.
 */
export function closeUnlessStarted(socket: Socket, ms: number, started: () => boolean): void {
  const timer = setTimeout(() => {
    if (!started()) socket.destroy();
  }, ms).unref();
  socket.once('close', () => clearTimeout(timer));
}

/** The HTTP/1 server's own timeouts from the limits: headers of every request, and keep-alive idle. */
export function applyHttp1Timeouts(server: HttpServer, limits: ConnectionLimits): void {
  server.headersTimeout = Math.min(server.headersTimeout, limits.headerTimeoutMs);
  server.keepAliveTimeout = limits.idleTimeoutMs;
}

/**
 * An HTTP/2 server's sessions are closed after the idle time without a frame. Node destroys the
 * session's socket itself when nobody listens to 'timeout'.
 */
export function applyHttp2Timeouts(server: Http2Server, limits: ConnectionLimits): void {
  server.setTimeout(limits.idleTimeoutMs);
}

/**
 * A listener whose first bytes are not yet a request: closed after the header timeout unless
 * `started(socket)` turns true, and capped. Used by the shared port (which sniffs HTTP/1 from HTTP/2)
 * and the gRPC listeners (which hand sockets to grpc-js).
 */
export function guardRawListener(
  server: NetServer,
  guard: ListenerGuard,
  started: (s: Socket) => boolean,
): void {
  server.on('connection', (socket: Socket) =>
    closeUnlessStarted(socket, guard.limits.headerTimeoutMs, () => started(socket)),
  );
  capConnections(server, guard);
}

/** The same guard for an HTTP server that listens itself (the OTLP, Jaeger and sampling ports). */
export function guardHttpServer(server: HttpServer, guard: ListenerGuard): void {
  const started = new WeakSet<Socket>();
  applyHttp1Timeouts(server, guard.limits);
  server.on('request', (req: { socket: Socket }) => started.add(req.socket));
  guardRawListener(server, guard, (s) => started.has(s));
}
