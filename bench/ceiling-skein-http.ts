/**
 * Ceiling F: Skein's own HTTP stack without the work it exists for. The same fastify app factory, CORS,
 * error catalogue, raw body parser (size limit, gzip inflation) and shared HTTP/1.1+h2c port as the real
 * server, with POST routes that read the body and answer 202 (200 for OTLP) without decoding or storing.
 * What Skein spends above F is decoding, validation and storage; what F spends above L1 is the framework.
 */
import { createServer as createH2Server } from 'node:http2';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { installRawBodyParser } from '../src/collector/http/raw-body-parser.js';
import { createHttpApp } from '../src/server/http-app.js';
import { createSharedPortServer } from '../src/server/shared-port.js';
import type { FromServer, ToServer } from './protocol.js';

const logger = pino({ level: 'warn' });
const app = await createHttpApp(logger, ['*']);
installRawBodyParser(app, 64 * 1024 * 1024);
let received = 0;
const accept =
  (code: number) => async (req: { body: unknown }, reply: { code(c: number): { send(): unknown } }) => {
    received += Buffer.isBuffer(req.body) ? req.body.length : 0;
    return reply.code(code).send();
  };
app.post('/api/v2/spans', accept(202));
app.post('/v1/traces', accept(200));
await app.ready();
// The defaults of LISTENER_HEADER_TIMEOUT, LISTENER_IDLE_TIMEOUT and LISTENER_MAX_CONNECTIONS.
const limits = { headerTimeoutMs: 10_000, idleTimeoutMs: 65_000, maxConnections: 1000 };
const front = createSharedPortServer(app.server as HttpServer, createH2Server(), {
  name: 'ceiling',
  limits,
  logger,
});
front.listen(0, '127.0.0.1', () => {
  process.send!({ type: 'ready', port: (front.address() as AddressInfo).port } satisfies FromServer);
});
process.on('message', (m: ToServer) => {
  if (m.type === 'stop') {
    process.stderr.write(`F received ${received} bytes\n`);
    process.exit(0);
  }
});
