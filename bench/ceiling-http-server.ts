/**
 * Ceiling L1: the least any Node.js HTTP collector can do per request. A bare node:http server that reads
 * each body into memory and answers 202, with the same keep-alive settings as Skein's. It neither decodes
 * nor inflates: whatever Skein spends above this is parsing, validating, storing and framework.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FromServer, ToServer } from './protocol.js';

let received = 0;
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    // One contiguous body, as a decoder would need it.
    received += Buffer.concat(chunks).length;
    res.statusCode = 202;
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.send!({ type: 'ready', port: (server.address() as AddressInfo).port } satisfies FromServer);
});
process.on('message', (m: ToServer) => {
  if (m.type === 'stop') {
    process.stderr.write(`L1 received ${received} bytes\n`);
    process.exit(0);
  }
});
