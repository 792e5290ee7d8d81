import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { parseGoDuration } from '../../src/query/jaeger-api/jaeger-params.js';
import { formatGoDuration } from '../../src/query/jaeger-api/jaeger-admin.js';
import { TEST_PG } from '../../src/storage/postgres/postgres-test-support.js';
import { ListenError } from '../../src/server/listen-error.js';
import { requireService } from '../support/require-service.js';
import { startTestServer } from '../support/server.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';
import { startSkeinOnProxiedPostgres, type ProxiedPostgresSkein } from '../postgres/test-database.js';

/** JAEGER_ADMIN_PORT: Jaeger's health JSON at / and Prometheus text at /metrics, over a real socket. */

interface Health {
  status: string;
  upSince: string;
  uptime: string;
}

let server: RunningSkein;
const admin = () => `http://127.0.0.1:${server.listeners['jaeger-admin']}`;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('JAEGER_ADMIN_PORT', () => {
  it("answers / with Jaeger's health JSON while the server and its storage are up", async () => {
    const before = Date.now();
    const res = await fetch(`${admin()}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Health;
    expect(Object.keys(body)).toEqual(['status', 'upSince', 'uptime']);
    expect(body.status).toBe('Server available');
    // Go's RFC 3339 time, no later than this request.
    expect(body.upSince).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(body.upSince)).toBeLessThanOrEqual(before);
    // A Go duration string that Go's parser (ours follows it) reads back.
    expect(body.uptime).toMatch(/^(\d+h)?(\d+m)?[\d.]+(ns|µs|ms|s)$/);
    expect(parseGoDuration(body.uptime)).toBeGreaterThanOrEqual(0);
  });

  it('answers /metrics with Prometheus text that counts ingested spans', async () => {
    const res = await fetch(`${server.url}/api/v2/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          traceId: '00000000000a0001',
          id: '00000000000a0001',
          name: 'get',
          timestamp: Date.now() * 1000,
          duration: 10,
          localEndpoint: { serviceName: 'admin-test' },
        },
      ]),
    });
    expect(res.status).toBe(202);
    const metrics = await fetch(`${admin()}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^# HELP /m);
    expect(text).toMatch(/^zipkin_collector_spans_total\{transport="http"\} [1-9]/m);
  });

  it('serves nothing else: the query API stays on the query ports', async () => {
    expect((await fetch(`${admin()}/api/services`)).status).toBe(404);
    expect((await fetch(`${admin()}/api/v2/services`)).status).toBe(404);
  });

  it('is off when set to off', async () => {
    const s = await startTestServer({ JAEGER_ADMIN_PORT: 'off' });
    try {
      expect(s.listeners['jaeger-admin']).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it('stops start-up naming the setting when the port is taken', async () => {
    const squatter = createServer().listen(0);
    await once(squatter, 'listening');
    const port = (squatter.address() as AddressInfo).port;
    try {
      const start = startTestServer({ JAEGER_ADMIN_PORT: String(port) });
      await expect(start).rejects.toBeInstanceOf(ListenError);
      await expect(start).rejects.toThrow(`port ${port} (JAEGER_ADMIN_PORT)`);
    } finally {
      squatter.close();
    }
  });
});

describe('formatGoDuration', () => {
  it("writes Go's time.Duration.String() forms", () => {
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(250)).toBe('250ns');
    expect(formatGoDuration(1_500)).toBe('1.5µs');
    expect(formatGoDuration(1_500_000)).toBe('1.5ms');
    expect(formatGoDuration(3_723_500_000_000)).toBe('1h2m3.5s');
    expect(formatGoDuration(60e9)).toBe('1m0s');
    expect(formatGoDuration(3600e9)).toBe('1h0m0s');
    expect(formatGoDuration(-2e9)).toBe('-2s');
    for (const ns of [1, 999, 12_345, 987_654_321, 61_000_000_001, 90_061e9])
      expect(parseGoDuration(formatGoDuration(ns))).toBeCloseTo(ns, -1);
  });
});

// Storage that really goes away: PostgreSQL behind a TCP proxy that is cut, then restored.
const pgAvailable = await requireService('PostgreSQL', TEST_PG.host!, TEST_PG.port);

describe.skipIf(!pgAvailable)('JAEGER_ADMIN_PORT health follows storage', () => {
  let running: ProxiedPostgresSkein | undefined;
  let proxy: TcpProxy;
  let pg: RunningSkein;

  beforeAll(async () => {
    running = await startSkeinOnProxiedPostgres();
    ({ proxy, server: pg } = running);
  });
  afterAll(async () => {
    await running?.close();
  });

  it("answers 503 'Server not available' while the database is unreachable, and 200 again after", async () => {
    const health = async () => {
      const res = await fetch(`http://127.0.0.1:${pg.listeners['jaeger-admin']}/`);
      return { status: res.status, body: (await res.json()) as Health };
    };
    expect((await health()).status).toBe(200);
    await proxy.cut('refuse');
    const down = await waitFor(
      async () => {
        const h = await health();
        return h.status === 503 ? h : undefined;
      },
      'the admin health check to answer 503 with the database cut',
      20_000,
    );
    expect(down.body).toEqual({
      status: 'Server not available',
      upSince: '0001-01-01T00:00:00Z',
      uptime: '',
    });
    await proxy.restore();
    const up = await waitFor(
      async () => {
        const h = await health();
        return h.status === 200 ? h : undefined;
      },
      'the admin health check to answer 200 once the database is back',
      30_000,
    );
    expect(up.body.status).toBe('Server available');
  });
});
