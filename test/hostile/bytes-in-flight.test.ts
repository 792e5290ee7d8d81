import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { grpcCall } from './hostile-bodies.js';

/**
 * Issue 15: concurrent large bodies are bounded in total bytes in flight, so many of them at once get
 * 503 with Retry-After instead of an OOM. The budget is made small here (4 MiB) so the test holds a few
 * MiB, not gigabytes; the code path is the one the 256 MiB default takes.
 */

let server: RunningSkein;
beforeAll(async () => {
  server = await startTestServer({
    COLLECTOR_MAX_BODY_BYTES_IN_FLIGHT: '4MiB',
    QUERY_MAX_BODY_BYTES: '64MiB',
  });
});
afterAll(async () => {
  await server?.close();
});

const MiB = 1024 * 1024;

/** A POST whose body is started (a valid JSON list padded with blanks) but not finished. */
function startUpload(port: number, path: string): { req: ClientRequest; response: Promise<IncomingMessage> } {
  const req = request({
    host: '127.0.0.1',
    port,
    path,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  req.write('[' + ' '.repeat(3 * MiB - 1));
  return { req, response };
}

const postJson = (url: string, body: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('bytes in flight are bounded across requests', () => {
  it(
    'a second large body while the first is still held -> 503 with Retry-After; both transports',
    { timeout: 120_000 },
    async () => {
      let first = startUpload(server.port, '/api/v2/spans');
      let firstAnswered = false;
      const watch = (upload: typeof first) =>
        upload.response.then(
          () => (firstAnswered = true),
          () => (firstAnswered = true),
        );
      void watch(first);
      // The first upload's 3 MiB arrive asynchronously: wait until a 2 MiB body is refused because of them.
      // Whichever of the two holds bytes second is refused, so when a probe overtook the upload and the
      // upload was the one refused, the upload starts again.
      const probe = await waitFor(
        async () => {
          if (firstAnswered) {
            first.req.destroy();
            first = startUpload(server.port, '/api/v2/spans');
            firstAnswered = false;
            void watch(first);
          }
          const res = await postJson(`${server.url}/api/v2/spans`, '[' + ' '.repeat(2 * MiB) + ']');
          await res.text();
          return res.status === 503 ? res : undefined;
        },
        'a second body refused while the first holds its bytes',
        60_000,
      );
      expect(Number(probe.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await (await postJson(`${server.url}/api/v2/spans`, '[]')).status).toBe(202);

      const second = await postJson(
        `http://127.0.0.1:${server.listeners['otlp-http']}/v1/traces`,
        '{"resourceSpans":[]}' + ' '.repeat(2 * MiB),
      );
      expect(second.status).toBe(503);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);

      const grpc = await grpcCall(
        server.listeners['otlp-grpc']!,
        '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        Buffer.concat([Buffer.from([0x0a, 0x00]), Buffer.alloc(2 * MiB).fill(Buffer.from([0x0a, 0x00]))]),
      );
      expect(grpc.code).toBe(14); // UNAVAILABLE, retried by OTLP clients
      expect(grpc.details).toMatch(/COLLECTOR_MAX_BODY_BYTES_IN_FLIGHT/);

      // The first finishes normally, and its bytes are given back: the same large body is accepted now.
      first.req.end(']');
      expect((await first.response).statusCode).toBe(202);
      const again = await postJson(`${server.url}/api/v2/spans`, '[' + ' '.repeat(3 * MiB) + ']');
      expect(again.status).toBe(202);
    },
  );

  it('a body alone in flight is never refused by the budget, even above it', async () => {
    const res = await postJson(`${server.url}/api/v2/spans`, '[' + ' '.repeat(6 * MiB) + ']');
    expect(res.status).toBe(202);
  });
});
