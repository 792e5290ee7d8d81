import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { admin, createTestDatabase, TEST_MYSQL } from '../../src/storage/mysql/mysql-test-support.js';
import { requireService } from '../support/require-service.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import { startZipkinServer, zipkinServerAvailable, type RunningZipkin } from '../support/zipkin-server.js';

/**
 * Skein and the real zipkin-server (STORAGE_TYPE=mysql, the oracle) on one database: what either writes,
 * both read the same. Skein creates the schema in the empty database first (zipkin-server does not create
 * tables), so this also shows Skein's DDL is one zipkin-server runs on. A site moving from zipkin-server
 * sees its old traces, names and dependency links in Skein, and can go back.
 */
const available =
  (await requireService('MariaDB', TEST_MYSQL.host, TEST_MYSQL.port)) && zipkinServerAvailable();

interface JsonSpan {
  traceId: string;
  id: string;
  shared?: boolean;
  kind?: string;
  [k: string]: unknown;
}

const hex16 = (n: number) => n.toString(16).padStart(16, '0');
const NOW_US = (Date.now() - 60_000) * 1000;

/** A trace of every shape the v1 rows must carry: a shared RPC, 128-bit id, messaging, local, debug, IPv6, high port. */
function traceOf(seed: number, service: string): JsonSpan[] {
  const traceId = `463ac35c9f6413a${seed.toString(16)}48485a3953bb612${seed.toString(16)}`;
  const t = NOW_US + seed * 1000;
  const front = { serviceName: service, ipv4: '127.0.0.1', port: 8080 };
  const back = { serviceName: `${service}-backend`, ipv4: '192.168.99.101', port: 9000 };
  const db = { serviceName: 'db', ipv6: '2001:db8::c001', port: 3306 };
  return [
    {
      traceId,
      id: hex16(1),
      name: 'get /',
      kind: 'SERVER',
      timestamp: t,
      duration: 350_000,
      localEndpoint: front,
      debug: true,
    },
    {
      traceId,
      parentId: hex16(1),
      id: hex16(2),
      name: 'get /api',
      kind: 'CLIENT',
      timestamp: t + 50,
      duration: 200_000,
      localEndpoint: front,
      remoteEndpoint: back,
      annotations: [{ timestamp: t + 100, value: 'foo' }],
      tags: { 'http.path': '/api', 'http.method': 'GET' },
    },
    {
      traceId,
      parentId: hex16(1),
      id: hex16(2),
      name: 'get /api',
      kind: 'SERVER',
      shared: true,
      timestamp: t + 100,
      duration: 150_000,
      localEndpoint: back,
      tags: { 'http.status_code': '200' },
    },
    {
      traceId,
      parentId: hex16(2),
      id: hex16(3),
      name: 'query',
      kind: 'CLIENT',
      timestamp: t + 150,
      duration: 50_000,
      localEndpoint: back,
      remoteEndpoint: db,
      annotations: [{ timestamp: t + 190, value: '⻩' }],
      tags: { error: 'timeout', 'sql.query': "SELECT * FROM t WHERE x = 'y'; DROP TABLE zipkin_spans; --" },
    },
    {
      traceId,
      parentId: hex16(2),
      id: hex16(4),
      name: 'send',
      kind: 'PRODUCER',
      timestamp: t + 160,
      duration: 10,
      localEndpoint: back,
      remoteEndpoint: { serviceName: 'kafka' },
    },
    {
      traceId,
      parentId: hex16(2),
      id: hex16(5),
      name: 'compute',
      timestamp: t + 170,
      duration: 20,
      localEndpoint: back,
    },
  ];
}

/** Spans in one order, whatever order a server returned them in. */
function sorted(spans: JsonSpan[]): JsonSpan[] {
  const key = (s: JsonSpan) => `${s.id}:${s.shared === true ? 1 : 0}:${s.kind ?? ''}:${JSON.stringify(s)}`;
  return [...spans].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function getJson<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  // A trace not (yet) stored is a 404 in both servers: read as none.
  if (res.status === 404 && path.startsWith('/api/v2/trace/')) return [] as T;
  expect(res.status, `${base}${path}`).toBe(200);
  return (await res.json()) as T;
}

async function post(base: string, spans: JsonSpan[]): Promise<void> {
  const res = await fetch(`${base}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spans),
  });
  expect(res.status).toBe(202);
}

describe.skipIf(!available)('mysql: zipkin-server and Skein on one database', () => {
  let drop: () => Promise<void> = async () => undefined;
  let database: string;
  let skein: RunningSkein;
  let zipkin: RunningZipkin;
  const fromZipkin = [traceOf(1, 'zfront'), traceOf(2, 'zfront')];
  const fromSkein = [traceOf(3, 'sfront'), traceOf(4, 'sfront')];

  beforeAll(async () => {
    const db = await createTestDatabase('interop');
    drop = db.drop;
    database = db.name;
    const env = {
      STORAGE_TYPE: 'mysql',
      MYSQL_HOST: TEST_MYSQL.host,
      MYSQL_TCP_PORT: String(TEST_MYSQL.port),
      MYSQL_USER: 'root',
      MYSQL_DB: database,
    };
    skein = await startTestServer(env);
    zipkin = await startZipkinServer({ ...env, MYSQL_PASS: '' }, 180_000);
  }, 240_000);

  afterAll(async () => {
    await zipkin?.stop();
    await skein?.close();
    await drop();
  });

  /**
   * Both servers answer `path` alike. zipkin-server stores asynchronously, and its batch of inserts is not
   * one transaction, so the answers are asked again (within a deadline) until they agree; the last pair is
   * then compared, so a real difference fails with its diff.
   */
  const sameAnswer = async <T>(path: string, normalize: (v: T) => unknown = (v) => v) => {
    const both = async () => [
      normalize(await getJson<T>(zipkin.url, path)),
      normalize(await getJson<T>(skein.url, path)),
    ];
    let last = await both();
    await waitFor(
      async () => {
        last = await both();
        return JSON.stringify(last[0]) === JSON.stringify(last[1]) ? true : undefined;
      },
      `${path}: Skein and zipkin-server to agree`,
      20_000,
    ).catch(() => undefined);
    expect(last[1], `${path}: Skein and zipkin-server differ`).toEqual(last[0]);
    return last[1];
  };

  it('reads what zipkin-server wrote as zipkin-server reads it', { timeout: 120_000 }, async () => {
    for (const trace of fromZipkin) await post(zipkin.url, trace);
    for (const trace of fromZipkin) {
      const id = trace[0]!.traceId;
      await waitFor(
        async () =>
          (await getJson<JsonSpan[]>(skein.url, `/api/v2/trace/${id}`)).length === trace.length
            ? true
            : undefined,
        `Skein to read zipkin-server's trace ${id}`,
        60_000,
      );
      const spans = (await sameAnswer<JsonSpan[]>(`/api/v2/trace/${id}`, sorted)) as JsonSpan[];
      expect(spans.map((s) => s.id).sort()).toEqual(trace.map((s) => s.id).sort());
      const query = spans.find((s) => s.id === hex16(3))!;
      expect(query.tags).toEqual(trace[3]!.tags);
      expect(query.remoteEndpoint).toEqual({ serviceName: 'db', ipv6: '2001:db8::c001', port: 3306 });
      expect(spans.find((s) => s.kind === 'CLIENT' && s.id === hex16(2))!.remoteEndpoint).toEqual(
        trace[1]!.remoteEndpoint,
      );
    }
    await sameAnswer<string[]>('/api/v2/services');
    await sameAnswer<string[]>('/api/v2/spans?serviceName=zfront-backend');
    await sameAnswer<string[]>('/api/v2/remoteServices?serviceName=zfront');
  });

  it('writes what zipkin-server reads as Skein reads it', { timeout: 120_000 }, async () => {
    for (const trace of fromSkein) await post(skein.url, trace);
    for (const trace of fromSkein) {
      const id = trace[0]!.traceId;
      await waitFor(
        async () =>
          (await getJson<JsonSpan[]>(zipkin.url, `/api/v2/trace/${id}`)).length === trace.length
            ? true
            : undefined,
        `zipkin-server to read Skein's trace ${id}`,
        60_000,
      );
      await sameAnswer<JsonSpan[]>(`/api/v2/trace/${id}`, sorted);
    }
    await sameAnswer<string[]>('/api/v2/services');
    await sameAnswer<string[]>('/api/v2/spans?serviceName=sfront-backend');
    await sameAnswer<string[]>('/api/v2/remoteServices?serviceName=sfront');
    // One row holds both sides of a shared RPC with the client's remote service name; zipkin-server lists
    // it for the server side too (the callee as its own remote service). Skein leaves it out.
    expect(await getJson(skein.url, '/api/v2/remoteServices?serviceName=sfront-backend')).toEqual([
      'db',
      'kafka',
    ]);
    expect(await getJson(zipkin.url, '/api/v2/remoteServices?serviceName=sfront-backend')).toEqual([
      'db',
      'kafka',
      'sfront-backend',
    ]);
  });

  it('finds the same traces by every search criterion', { timeout: 120_000 }, async () => {
    const ids = (traces: JsonSpan[][]) => traces.map((t) => t[0]!.traceId).sort();
    const searches = [
      'serviceName=zfront',
      'serviceName=sfront-backend',
      'serviceName=sfront-backend&spanName=query',
      'serviceName=zfront&remoteServiceName=zfront-backend',
      'annotationQuery=http.path%3D%2Fapi',
      'annotationQuery=error',
      'annotationQuery=foo%20and%20http.method%3DGET',
      'serviceName=zfront-backend&minDuration=100000',
      'serviceName=db',
    ];
    for (const q of searches) {
      const found = (await sameAnswer<JsonSpan[][]>(`/api/v2/traces?${q}&limit=10`, ids)) as string[];
      if (q !== 'serviceName=db') expect(found.length, q).toBeGreaterThan(0);
    }
  });

  it(
    'links dependencies live as zipkin-server does, and serves zipkin_dependencies rows when the job wrote some',
    { timeout: 60_000 },
    async () => {
      const window = `endTs=${Date.now()}&lookback=86400000`;
      const byPair = (links: { parent: string; child: string }[]) =>
        [...links].sort((a, b) => `${a.parent}>${a.child}`.localeCompare(`${b.parent}>${b.child}`));
      const links = (await sameAnswer(`/api/v2/dependencies?${window}`, byPair)) as unknown[];
      expect(links).toContainEqual({ parent: 'zfront', child: 'zfront-backend', callCount: 2 });

      // The zipkin-dependencies job's rows for today: served as they are (zipkin's SelectDependencies).
      const day = new Date().toISOString().slice(0, 10);
      await admin((c) =>
        c.query(
          `INSERT INTO ${database}.zipkin_dependencies (day, parent, child, call_count, error_count) VALUES (?, 'a', 'b', 7, 2)`,
          [day],
        ),
      );
      expect(await getJson(skein.url, `/api/v2/dependencies?${window}`)).toEqual([
        { parent: 'a', child: 'b', callCount: 7, errorCount: 2 },
      ]);
    },
  );
});
