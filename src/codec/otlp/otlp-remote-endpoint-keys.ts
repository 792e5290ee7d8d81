/**
 * otel spec trace/sdk_exporters/zipkin.md: which attributes name and address the remote endpoint of a
 * CLIENT or PRODUCER span. Dependency-free so that the server's mapper and the UI's trace viewer (which
 * converts OTLP files in the browser) share one list.
 */

/** The remote service is named by the first of these attributes that is present. */
export const REMOTE_SERVICE_RANKING: readonly string[] = [
  'peer.service',
  'server.address',
  'net.peer.name',
  'network.peer.address',
  'server.socket.domain',
  'server.socket.address',
  'net.sock.peer.name',
  'net.sock.peer.addr',
  'peer.hostname',
  'peer.address',
  'db.name',
];

/** Attributes that may hold the remote IP address, in order of preference. */
export const REMOTE_IP_KEYS: readonly string[] = [
  'network.peer.address',
  'server.socket.address',
  'net.sock.peer.addr',
  'net.peer.ip',
];

/** Attributes that may hold the remote port, in order of preference. */
export const REMOTE_PORT_KEYS: readonly string[] = [
  'network.peer.port',
  'server.port',
  'server.socket.port',
  'net.sock.peer.port',
  'net.peer.port',
];
