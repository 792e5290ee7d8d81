import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { grpcCall } from './hostile-bodies.js';

/**
 * Issue 15: under overload the memory store (which never queues writes, so COLLECTOR_MAX_IN_FLIGHT never
 * trips) answered timeouts and connection resets. With the event loop held far behind — here by a
 * busy loop in this process, which is the server's process too — new messages get the protocol's
 * back-pressure answer (HTTP 503 + Retry-After, gRPC UNAVAILABLE), and once the load stops they are
 * stored again. Waits have deadlines; nothing asserts how long anything took.
 */

const OTLP_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
let server: RunningSkein;
beforeAll(async () => {
  server = await startTestServer({ STORAGE_TYPE: 'mem', COLLECTOR_MAX_EVENT_LOOP_DELAY: '100ms' });
});
afterAll(async () => {
  await server?.close();
});

/** Keeps the event loop ~300 ms behind: every 10 ms, spin for 300 ms. */
function overload(): () => void {
  const timer = setInterval(() => {
    const until = Date.now() + 300;
    while (Date.now() < until) {
      /* spin: the load */
    }
  }, 10);
  return () => clearInterval(timer);
}

const span = JSON.stringify([
  {
    traceId: '00000000000000a1',
    id: '00000000000000a1',
    name: 'x',
    timestamp: Date.now() * 1000,
    duration: 1,
    localEndpoint: { serviceName: 'load' },
  },
]);
const post = () =>
  fetch(`${server.url}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: span,
  });

describe('memory store under event-loop overload', () => {
  it(
    'HTTP 503 + Retry-After and gRPC UNAVAILABLE while overloaded; stored after',
    { timeout: 120_000 },
    async () => {
      expect((await post()).status).toBe(202);
      const stop = overload();
      try {
        const refused = await waitFor(
          async () => {
            const res = await post();
            await res.text();
            return res.status === 503 ? res : undefined;
          },
          'a POST refused while the event loop is behind',
          60_000,
        );
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        const grpc = await waitFor(
          async () => {
            const r = await grpcCall(server.listeners['otlp-grpc']!, OTLP_EXPORT, Buffer.alloc(0));
            return r.code === 14 ? r : undefined;
          },
          'an OTLP gRPC export answered UNAVAILABLE while the event loop is behind',
          60_000,
        );
        expect(grpc.details).toContain('COLLECTOR_MAX_EVENT_LOOP_DELAY');
      } finally {
        stop();
      }
      await waitFor(
        async () => {
          const res = await post();
          await res.text();
          return res.status === 202 ? true : undefined;
        },
        'a POST accepted once the load stopped',
        30_000,
      );
    },
  );
});
