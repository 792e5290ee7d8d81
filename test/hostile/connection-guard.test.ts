import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { grpcCall } from './hostile-bodies.js';

/**
 * Issue 15: connections that send nothing are closed, and each TCP listener caps its connections with a
 * log line when the cap is hit. Over real sockets against a real Skein, with short settings; waits have
 * deadlines and nothing asserts how long anything took.
 */

const OTLP_EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const TCP_LISTENERS = [
  'otlp-http',
  'otlp-grpc',
  'jaeger-http',
  'jaeger-grpc',
  'jaeger-sampling',
  'jaeger-admin',
  'jaeger-query',
  'scribe',
] as const;

/** A socket that is connected, and a promise that resolves when the server has closed it. */
async function openSocket(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.on('data', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed };
}

/** Waits (with a deadline) for the server to close it. */
async function closedByServer(closed: Promise<void>, what: string, ms = 20_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      closed,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${ms} ms waiting for the server to close ${what}`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('silent, slow and idle connections are closed', () => {
  let server: RunningSkein;
  beforeAll(async () => {
    server = await startTestServer({
      LISTENER_HEADER_TIMEOUT: '300ms',
      LISTENER_IDLE_TIMEOUT: '500ms',
      COLLECTOR_SCRIBE_ENABLED: 'true',
      SCRIBE_PORT: '0',
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a socket that sends nothing is closed on every TCP listener', { timeout: 60_000 }, async () => {
    const ports: [string, number][] = [['zipkin', server.port]];
    for (const name of TCP_LISTENERS) ports.push([name, server.listeners[name]!]);
    const sockets = await Promise.all(
      ports.map(async ([name, port]) => ({ name, ...(await openSocket(port)) })),
    );
    await Promise.all(sockets.map((s) => closedByServer(s.closed, `a silent socket on ${s.name}`)));
  });

  it('a half-sent HTTP/2 preface on the shared port is closed', { timeout: 30_000 }, async () => {
    for (const port of [server.port, server.listeners['jaeger-query']!]) {
      const s = await openSocket(port);
      s.socket.write('PRI * HTTP/2.0\r\n');
      await closedByServer(s.closed, 'a socket that sent half the HTTP/2 preface');
    }
    const grpc = await openSocket(server.listeners['otlp-grpc']!);
    grpc.socket.write('PRI * HTTP/2.0\r\n');
    await closedByServer(grpc.closed, 'a half preface on the OTLP gRPC port');
  });

  it('half-sent request headers are closed', { timeout: 30_000 }, async () => {
    for (const port of [server.port, server.listeners['otlp-http']!]) {
      const s = await openSocket(port);
      s.socket.write('POST /api/v2/spans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n');
      await closedByServer(s.closed, 'a socket that never finished its headers');
    }
  });

  it('an idle keep-alive connection is closed after a request', { timeout: 30_000 }, async () => {
    for (const port of [server.port, server.listeners['otlp-http']!]) {
      const s = await openSocket(port);
      let reply = '';
      s.socket.on('data', (d: Buffer) => (reply += d.toString('latin1')));
      s.socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
      await waitFor(async () => (reply.includes('\r\n\r\n') ? true : undefined), 'an answer to the request');
      expect(reply).toMatch(/^HTTP\/1.1 \d{3} /);
      await closedByServer(s.closed, 'an idle keep-alive connection');
    }
  });

  it('an idle HTTP/2 session is closed (shared port and gRPC)', { timeout: 30_000 }, async () => {
    // The whole preface and an empty SETTINGS frame: a session is open, then nothing more is sent.
    const preface = Buffer.concat([
      Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
      Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
    ]);
    for (const port of [server.port, server.listeners['otlp-grpc']!]) {
      const s = await openSocket(port);
      s.socket.write(preface);
      await closedByServer(s.closed, 'an idle HTTP/2 session');
    }
  });
});

describe('a connection cap per listener', () => {
  const lines: string[] = [];
  let server: RunningSkein;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    server = await startTestServer(
      { LISTENER_MAX_CONNECTIONS: '3', LISTENER_HEADER_TIMEOUT: '60s' },
      pino({ level: 'warn' }, sink),
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const [name, portOf] of [
    ['zipkin', (s: RunningSkein) => s.port],
    ['otlp-http', (s: RunningSkein) => s.listeners['otlp-http']!],
    ['otlp-grpc', (s: RunningSkein) => s.listeners['otlp-grpc']!],
  ] as const) {
    it(`${name}: beyond the cap a new connection is refused and logged; a normal client works after`, async () => {
      const port = portOf(server);
      const held = [await openSocket(port), await openSocket(port), await openSocket(port)];
      const extra = await openSocket(port);
      await closedByServer(extra.closed, `a connection beyond the cap on ${name}`);
      const line = await waitFor(
        async () =>
          lines.find((l) => l.includes('LISTENER_MAX_CONNECTIONS') && l.includes(`"listener":"${name}"`)),
        `the log line of ${name}'s refused connection`,
      );
      expect(JSON.parse(line)).toMatchObject({ listener: name, maxConnections: 3 });
      // The held silent sockets are still open: the cap did not close them.
      for (const h of held) expect(h.socket.destroyed).toBe(false);
      for (const h of held) h.socket.destroy();
      await Promise.all(held.map((h) => h.closed));
      // The server counts a connection as gone a moment after the client closes it.
      if (name === 'otlp-grpc') {
        await waitFor(async () => {
          const r = await grpcCall(port, OTLP_EXPORT, Buffer.alloc(0));
          return r.code === 0 ? r : undefined;
        }, 'an OTLP gRPC export accepted after the held sockets closed');
      } else {
        const path = name === 'zipkin' ? '/api/v2/spans' : '/v1/traces';
        const res = await waitFor(
          () =>
            fetch(`http://127.0.0.1:${port}${path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: name === 'zipkin' ? '[]' : '{}',
            }).catch(() => undefined),
          `a POST accepted on ${name} after the held sockets closed`,
        );
        expect(res.status).toBeLessThan(300);
      }
    });
  }
});
