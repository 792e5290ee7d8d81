import type { Span } from '../model/span.js';
import { Random } from './random.js';
import { Exec, TraceSim, type Operation } from './simulation.js';
import { REMOTES, SERVICES } from './topology.js';

export interface GenerateOptions {
  /** Same seed and options, same traces. Default 1. */
  seed?: number;
  /** Number of traces. */
  traces: number;
  /**
   * Latest root timestamp, epoch microseconds. Default: now (so data falls in a UI's default
   * lookback); pass a value for byte-for-byte reproducible output.
   */
  endTsMicros?: number;
  /** Root timestamps are spread uniformly over [endTs - spread, endTs]. Default 15 minutes. */
  spreadMicros?: number;
  /** Upper bound on spans per trace; calls that would exceed it are not made. Default 1000. */
  maxSpans?: number;
}

const FIFTEEN_MINUTES = 15 * 60 * 1_000_000;

/**
 * Seeded, deterministic traffic of an e-commerce system (topology.ts): a frontend behind an API gateway,
 * a dozen services calling each other over instrumented RPC (B3 shared spans and W3C child spans),
 * MySQL and Redis calls (CLIENT spans with a remote endpoint), Kafka messaging (PRODUCER/CONSUMER),
 * errors (error tag, http.status_code 500), hosts with skewed clocks, 128 and 64-bit trace ids, and
 * trace sizes from 1 span (health checks) to several hundred (searches and fan-outs).
 * Every span is built through normalizeSpan, so it is valid and normalized.
 */
export function generateTraces(opts: GenerateOptions): Span[][] {
  const rng = new Random(opts.seed ?? 1);
  const endTs = opts.endTsMicros ?? Date.now() * 1000;
  const spread = opts.spreadMicros ?? FIFTEEN_MINUTES;
  const maxSpans = Math.max(1, opts.maxSpans ?? 1000);
  const out: Span[][] = [];
  for (let i = 0; i < opts.traces; i++) {
    const start = endTs - Math.floor(rng.next() * spread);
    const entry = pickEntry(rng);
    out.push(runTrace(rng, start, maxSpans, entry));
  }
  return out;
}

export interface LargeTraceOptions {
  seed?: number;
  /** Root timestamp, epoch microseconds. Default: now minus one minute. */
  startTsMicros?: number;
}

/**
 * One trace of exactly `spans` spans (for UI and storage tests of huge traces): an admin re-index that
 * walks the catalog in batches, each batch doing the usual RPC, database and messaging work, nested a few
 * levels deep, until the span count is reached.
 */
export function generateLargeTrace(spans: number, opts: LargeTraceOptions = {}): Span[] {
  if (!Number.isInteger(spans) || spans < 1)
    throw new RangeError(`spans must be a positive integer: ${spans}`);
  const rng = new Random(opts.seed ?? 1);
  const start = opts.startTsMicros ?? (Date.now() - 60_000) * 1000;
  return runTrace(rng, start, spans, REINDEX);
}

function runTrace(rng: Random, start: number, maxSpans: number, entry: Operation): Span[] {
  // Most modern tracers use 128-bit trace ids; older B3 instrumentation still sends 64-bit ones.
  const traceId = rng.chance(0.7) ? rng.hex64() + rng.hex64() : rng.hex64();
  const sim = new TraceSim(rng, traceId, maxSpans - 1);
  const frontend = SERVICES.frontend;
  const host = rng.pick(frontend.hosts);
  const root = new Exec(sim, frontend, host, rng.hex64(), start);
  root.work(100, 800);
  entry.handler?.(root);
  root.work(100, 1500);
  // The big batch job fills its exact size with per-item bookkeeping spans.
  if (entry === REINDEX) while (sim.budget > 0) root.local('checkpoint', (e) => e.work(10, 100));
  const failed = root.failed || rng.chance(entry.errorRate);
  const tags: Record<string, string> = {};
  if (entry.http) {
    tags['http.method'] = entry.http.method;
    tags['http.path'] = entry.http.path;
    tags['http.status_code'] = failed ? '500' : '200';
  }
  if (failed) tags.error = 'Internal Server Error';
  sim.record(
    host,
    {
      id: root.spanId,
      kind: 'SERVER',
      name: entry.name,
      timestamp: start,
      duration: root.t - start,
      localEndpoint: root.endpoint(),
      remoteEndpoint: { ipv4: `203.0.113.${rng.int(1, 254)}`, port: rng.int(32768, 60999) },
      tags,
      debug: rng.chance(0.01) ? true : undefined,
    },
    root.annotations,
  );
  return sim.spans;
}

// ---- the system's operations ----
const S = SERVICES;
const { mysql, redis, kafka } = REMOTES;
const productId = (e: Exec) => String(e.rng.int(1000, 9999));

const sql = (
  e: Exec,
  name: string,
  statement: string,
  latency: [number, number] = [500, 8_000],
  errorRate = 0.004,
) =>
  e.call(
    mysql,
    name,
    { 'db.system': 'mysql', 'db.statement': statement, 'db.name': 'shop' },
    latency,
    errorRate,
  );

const cache = (e: Exec, command: string, key: string) =>
  e.call(
    redis,
    command.toLowerCase(),
    { 'db.system': 'redis', 'db.statement': `${command} ${key}` },
    [80, 900],
    0.002,
  );

const op = (name: string, errorRate: number, handler?: (e: Exec) => void): Operation => {
  const [method, path] = name.split(' ') as [string, string | undefined];
  return path === undefined
    ? { name, errorRate, handler }
    : { name, errorRate, handler, http: { method: method.toUpperCase(), path } };
};

const VALIDATE = op('post /validate', 0.003, (e) => {
  if (e.rng.chance(0.85)) {
    cache(e, 'GET', `session:${e.rng.hex64().slice(0, 8)}`);
  } else {
    e.annotate('session.miss');
    sql(e, 'select users', 'SELECT id, roles FROM users WHERE session_token = ?');
  }
});

const GET_PRODUCT = op('get /products/{id}', 0.004, (e) => {
  const id = productId(e);
  if (cache(e, 'GET', `product:${id}`) || e.rng.chance(0.3)) {
    e.annotate('cache.miss');
    sql(e, 'select products', 'SELECT * FROM products WHERE id = ?');
  }
});

const FEATURED = op('get /featured', 0.004, (e) => {
  sql(e, 'select products', 'SELECT id FROM products WHERE featured = 1 LIMIT 12');
  e.parallel(e.rng.int(2, 12), (b) => cache(b, 'GET', `product:${productId(b)}`));
});

const STOCK = op('get /stock/{id}', 0.004, (e) => {
  sql(e, 'select stock', 'SELECT quantity FROM stock WHERE product_id = ?', [300, 3_000]);
});

const RESERVE = op('post /reserve', 0.01, (e) => {
  sql(e, 'update stock', 'UPDATE stock SET quantity = quantity - ? WHERE product_id = ? AND quantity >= ?');
});

const RECOMMEND = op('get /recommendations', 0.006, (e) => {
  e.local('score-model', (m) => m.work(2_000, 30_000));
  e.parallel(e.rng.chance(0.2) ? e.rng.int(10, 40) : e.rng.int(2, 8), (b) => b.rpc(S.catalog, GET_PRODUCT));
});

const SEARCH = op('get /search', 0.005, (e) => {
  e.work(500, 3_000);
  sql(
    e,
    'select products',
    'SELECT id FROM products WHERE MATCH(title) AGAINST (? IN NATURAL LANGUAGE MODE)',
    [3_000, 60_000],
  );
  const hits = e.rng.chance(0.25) ? e.rng.int(30, 80) : e.rng.int(0, 12);
  if (hits === 0) e.annotate('no.results');
  e.parallel(hits, (b) => b.rpc(S.catalog, GET_PRODUCT));
  if (hits > 0) e.local('rank-results', (r) => r.work(500, 8_000));
});

const GET_CART = op('get /cart', 0.004, (e) => {
  cache(e, 'HGETALL', `cart:${e.rng.hex64().slice(0, 8)}`);
  e.parallel(e.rng.int(0, 15), (b) => b.rpc(S.catalog, GET_PRODUCT));
});

const ADD_TO_CART = op('post /cart/items', 0.006, (e) => {
  e.rpc(S.inventory, STOCK);
  cache(e, 'HSET', `cart:${e.rng.hex64().slice(0, 8)}`);
});

const CHARGE = op('post /charge', 0.03, (e) => {
  e.local('fraud-check', (f) => f.work(1_000, 20_000));
  sql(e, 'insert payments', 'INSERT INTO payments (order_id, amount, status) VALUES (?, ?, ?)');
  e.annotate('payment.authorized');
});

const QUOTE = op('get /quote', 0.005, (e) => {
  sql(e, 'select rates', 'SELECT * FROM shipping_rates WHERE zone = ?', [300, 2_000]);
});

const SEND_CONFIRMATION = op('orders process', 0.01, (e) => {
  e.local('render-template', (r) => r.work(500, 6_000));
  e.work(20_000, 200_000).annotate('smtp.sent');
});

const CREATE_SHIPMENT = op('orders process', 0.01, (e) => {
  sql(e, 'insert shipments', 'INSERT INTO shipments (order_id, address_id) VALUES (?, ?)');
  e.rpc(S.inventory, RESERVE);
});

const CHECKOUT = op('post /checkout', 0.01, (e) => {
  e.rpc(S.cart, GET_CART);
  e.parallel(e.rng.int(1, 6), (b) => b.rpc(S.inventory, RESERVE));
  e.rpc(S.shipping, QUOTE);
  e.local('compute-total', (c) => c.work(100, 2_000));
  if (e.rpc(S.payment, CHARGE)) {
    e.annotate('payment.declined');
    e.failed = true;
    return;
  }
  sql(e, 'insert orders', 'INSERT INTO orders (user_id, total, currency) VALUES (?, ?, ?)');
  e.produce(kafka, 'orders', [
    [S.email, SEND_CONFIRMATION],
    [S.shipping, CREATE_SHIPMENT],
  ]);
});

const gateway = (name: string, body: (e: Exec) => void, authenticate = true) =>
  op(name, 0.002, (e) => {
    if (authenticate && e.rpc(S.auth, VALIDATE)) {
      e.failed = true;
      return;
    }
    body(e);
  });

const API_HOME = gateway(
  'get /api/home',
  (e) =>
    e.parallel(2, (b, i) => {
      if (i === 0) b.rpc(S.recommendation, RECOMMEND);
      else b.rpc(S.catalog, FEATURED);
    }),
  false,
);
const API_PRODUCT = gateway('get /api/products/{id}', (e) => {
  e.rpc(S.catalog, GET_PRODUCT);
  e.parallel(2, (b, i) => (i === 0 ? b.rpc(S.inventory, STOCK) : b.rpc(S.recommendation, RECOMMEND)));
});
const API_CART = gateway('get /api/cart', (e) => e.rpc(S.cart, GET_CART));
const API_ADD = gateway('post /api/cart/items', (e) => e.rpc(S.cart, ADD_TO_CART));
const API_CHECKOUT = gateway('post /api/checkout', (e) => e.rpc(S.checkout, CHECKOUT));
const API_SEARCH = gateway('get /api/search', (e) => e.rpc(S.search, SEARCH), false);

const page = (name: string, api: Operation) =>
  op(name, 0.001, (e) => {
    e.rpc(S.apiGateway, api);
    if (e.rng.chance(0.6)) e.local('render', (r) => r.work(1_000, 15_000));
  });

/** Entry points with their share of traffic. */
const ENTRIES: ReadonlyArray<[Operation, number]> = [
  [op('get /health', 0), 0.06],
  [page('get /', API_HOME), 0.22],
  [page('get /product/{id}', API_PRODUCT), 0.25],
  [page('get /search', API_SEARCH), 0.14],
  [page('get /cart', API_CART), 0.12],
  [page('post /cart', API_ADD), 0.12],
  [page('post /checkout', API_CHECKOUT), 0.09],
];

function pickEntry(rng: Random): Operation {
  let r = rng.next();
  for (const [entry, share] of ENTRIES) {
    if ((r -= share) < 0) return entry;
  }
  return ENTRIES[ENTRIES.length - 1]![0];
}

/** The large-trace job: batches of catalog work, each a few levels deep. */
const REINDEX: Operation = op('post /admin/reindex', 0, (e) => {
  let batch = 0;
  while (e.sim.budget > 20) {
    const n = batch++;
    e.local(`batch ${n}`, (b) => {
      b.rpc(S.apiGateway, API_SEARCH);
      b.rpc(S.catalog, FEATURED);
      if (n % 3 === 0) b.rpc(S.checkout, CHECKOUT);
      b.parallel(b.rng.int(1, 4), (p) => p.rpc(S.inventory, STOCK));
    });
  }
});
