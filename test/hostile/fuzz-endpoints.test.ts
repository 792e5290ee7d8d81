import { createSocket } from 'node:dgram';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/demo/random.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { encodeSeed, mutate, seedSpans, type FuzzFormat } from './fuzz-corpus.js';
import { grpcCall, udpMessagesDropped } from './hostile-bodies.js';

/**
 * Issue 15: the decoder fuzz corpus sent to a running server over real sockets, on every collector
 * surface (HTTP in each encoding, gzip, gRPC, the Jaeger UDP agent ports). Every answer must be a success
 * or the protocol's bad-input answer: never a 5xx (503 with Retry-After, back-pressure, is allowed), never
 * gRPC INTERNAL or UNKNOWN. Afterwards the server still serves, has not grown beyond a bound, and the
 * trace stored before the run is still readable.
 */
const CASES = 80;
const GOOD_TRACE = 'f0f0f0f0f0f0f0f0';

let server: RunningSkein;
beforeAll(async () => {
  server = await startTestServer();
  const res = await fetch(`${server.url}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      { traceId: GOOD_TRACE, id: GOOD_TRACE, name: 'before fuzz', timestamp: Date.now() * 1000, duration: 5, localEndpoint: { serviceName: 'fuzz-test' } },
    ]),
  });
  expect(res.status).toBe(202);
});
afterAll(async () => {
  await server?.close();
});

/** Generous: the corpus is a few KB a message; a leak of decoded state per message would show far above. */
const RSS_GROWTH_LIMIT = 256 * 1024 * 1024;
const rssBefore = process.memoryUsage().rss;

interface HttpSurface {
  format: FuzzFormat;
  port: () => number;
  path: string;
  contentType: string;
}
const HTTP: HttpSurface[] = [
  { format: 'zipkin-json-v1', port: () => server.port, path: '/api/v1/spans', contentType: 'application/json' },
  { format: 'zipkin-json-v2', port: () => server.port, path: '/api/v2/spans', contentType: 'application/json' },
  { format: 'zipkin-thrift', port: () => server.port, path: '/api/v2/spans', contentType: 'application/x-thrift' },
  { format: 'zipkin-proto3', port: () => server.port, path: '/api/v2/spans', contentType: 'application/x-protobuf' },
  { format: 'otlp-json', port: () => server.listeners['otlp-http']!, path: '/v1/traces', contentType: 'application/json' },
  { format: 'otlp-proto', port: () => server.listeners['otlp-http']!, path: '/v1/traces', contentType: 'application/x-protobuf' },
  { format: 'jaeger-thrift-binary', port: () => server.listeners['jaeger-http']!, path: '/api/traces', contentType: 'application/x-thrift' },
];

const badStatus = (status: number, retryAfter: string | null) =>
  status >= 500 && !(status === 503 && retryAfter !== null);

describe('fuzzing the collectors over real sockets', () => {
  for (const s of HTTP) {
    it(`HTTP ${s.path} ${s.contentType} (${s.format}), plain and gzip`, async () => {
      const valid = encodeSeed(s.format, seedSpans(11));
      const rng = new Random(4242);
      const failures: string[] = [];
      const statuses = new Set<number>();
      for (let i = 0; i < CASES; i++) {
        const bytes = mutate(s.format, valid, rng);
        // Every fourth case is gzip: of the mutated message, or (every eighth) the gzip stream mutated.
        const gzip = i % 4 === 3;
        const body = !gzip ? bytes : i % 8 === 7 ? mutate('zipkin-thrift', gzipSync(valid), rng) : gzipSync(bytes);
        const res = await fetch(`http://127.0.0.1:${s.port()}${s.path}`, {
          method: 'POST',
          headers: { 'content-type': s.contentType, ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
          body: new Uint8Array(body),
        });
        const text = await res.text();
        statuses.add(res.status);
        if (badStatus(res.status, res.headers.get('retry-after'))) failures.push(`case ${i}: ${res.status} ${text.slice(0, 200)}`);
        if (res.status === 400 && text.trim() === '') failures.push(`case ${i}: 400 without a message`);
      }
      expect(failures).toEqual([]);
      expect([...statuses].some((c) => c >= 400 && c < 500), 'some mutations were refused').toBe(true);
    });
  }

  const GRPC: Array<{ format: FuzzFormat; port: () => number; path: string }> = [
    { format: 'otlp-proto', port: () => server.listeners['otlp-grpc']!, path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export' },
    { format: 'jaeger-proto', port: () => server.listeners['jaeger-grpc']!, path: '/jaeger.api_v2.CollectorService/PostSpans' },
    { format: 'zipkin-proto3', port: () => server.port, path: '/zipkin.proto3.SpanService/Report' },
  ];
  for (const g of GRPC) {
    it(`gRPC ${g.path}`, async () => {
      const valid = Buffer.from(encodeSeed(g.format, seedSpans(12)));
      const rng = new Random(777);
      const failures: string[] = [];
      let invalid = 0;
      for (let i = 0; i < CASES; i++) {
        const r = await grpcCall(g.port(), g.path, Buffer.from(mutate(g.format, valid, rng)));
        // 13 INTERNAL, 2 UNKNOWN: a decoder failure that escaped as a server error.
        if (r.code === 13 || r.code === 2) failures.push(`case ${i}: code ${r.code} ${r.details}`);
        if (r.code === 3) invalid++;
      }
      expect(failures).toEqual([]);
      expect(invalid, 'some mutations were INVALID_ARGUMENT').toBeGreaterThan(0);
    });
  }

  it('Jaeger UDP agent ports (compact and binary): mutated packets are dropped and counted, not fatal', async () => {
    const dropped = () => udpMessagesDropped(server.url);
    const before = await dropped();
    const socket = createSocket('udp4');
    const rng = new Random(99);
    for (const [format, port] of [
      ['jaeger-agent-compact', server.listeners['jaeger-udp-compact']!],
      ['jaeger-agent-binary', server.listeners['jaeger-udp-binary']!],
    ] as const) {
      const valid = encodeSeed(format, seedSpans(13));
      for (let i = 0; i < CASES; i++) {
        const packet = mutate(format, valid, rng);
        await new Promise<void>((resolve, reject) => socket.send(packet, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      }
    }
    socket.close();
    await waitFor(async () => ((await dropped()) > before ? true : undefined), 'some fuzzed UDP packets counted as dropped');
  });

  it('keeps serving within a memory bound, and the trace stored before is still readable', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const res = await fetch(`${server.url}/api/v2/trace/${GOOD_TRACE}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Array<{ name: string }>)[0]?.name).toBe('before fuzz');
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_GROWTH_LIMIT);
  });
});
