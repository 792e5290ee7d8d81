import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';

let server: RunningSkein;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

/** A thrift-binary jaeger.Batch whose spans list (field 2) declares `count` structs, followed by `body`. */
function batchDeclaring(count: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt8(15, 0); // T_LIST
  head.writeInt16BE(2, 1); // field 2: spans
  head.writeUInt8(12, 3); // element type T_STRUCT
  head.writeInt32BE(count, 4);
  return Buffer.concat([head, body, Buffer.from([0])]); // STOP of the batch
}

const post = (body: Buffer, gzip: boolean) =>
  fetch(`${server.url}/api/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-thrift', ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
    body: new Uint8Array(gzip ? gzipSync(body) : body),
  });

describe('hostile Jaeger thrift bodies are refused before they claim memory', () => {
  it('a 32 KiB gzip body of 33 million empty spans: 400 at the first span, RSS bounded', async () => {
    const count = 33_000_000;
    const body = batchDeclaring(count, Buffer.alloc(count)); // each 0 byte is an empty struct (STOP)
    const gz = gzipSync(body);
    expect(gz.length).toBeLessThan(64 * 1024);
    const before = process.memoryUsage().rss;
    const res = await fetch(`${server.url}/api/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-thrift', 'content-encoding': 'gzip' },
      body: new Uint8Array(gz),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Span.traceIdLow \(field 1\) is required/);
    // The inflated body itself is 33 MB; before the fix the decoded spans took the process to 4.6 GB.
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
  });

  it('a list declaring more elements than there are bytes: 400 naming the count', async () => {
    const res = await post(batchDeclaring(2_000_000_000, Buffer.alloc(10)), false);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/declares 2000000000 elements but only \d+ bytes remain/);
  });

  it('keeps serving after both', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
  });
});
