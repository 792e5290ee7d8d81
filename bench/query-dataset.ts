import { normalizeSpan, type SpanInput } from '../src/model/normalize-span.js';
import type { Span } from '../src/model/span.js';

/**
 * The query benchmark's data: `traces` traces of 10 spans each (1M spans for 100k traces) across 20
 * services, 100 span names (5 per service) and 10 tag keys, with timestamps spread over a window. Every
 * trace is a small RPC tree (root SERVER, CLIENT/SERVER pairs to three other services, local spans), so
 * dependency links, remote service names and every search filter have something to find. Deterministic
 * and cheap to index: trace i's id and shape are functions of (seed, i), so the load generator can name
 * existing trace ids without holding the data.
 */
export const SERVICES = [
  'frontend',
  'api-gateway',
  'auth',
  'user',
  'catalog',
  'search',
  'cart',
  'checkout',
  'payment',
  'fraud',
  'inventory',
  'shipping',
  'pricing',
  'recommendation',
  'review',
  'notification',
  'email',
  'ledger',
  'warehouse',
  'analytics',
] as const;

const OPS = ['get', 'list', 'create', 'update', 'delete'] as const;

export const TAG_KEYS = [
  'http.method',
  'http.path',
  'http.status_code',
  'error',
  'component',
  'peer.service',
  'db.system',
  'db.statement',
  'region',
  'retry.count',
] as const;

export const SPANS_PER_TRACE = 10;

/** Span name `op` (0..4) of service `svc`: "<service>.<op>", 100 names in all. */
export function spanName(svc: number, op: number): string {
  return `${SERVICES[svc]}.${OPS[op]}`;
}

/** 32 lower-hex characters, a function of (seed, i). */
export function traceIdOf(seed: number, i: number): string {
  return hex8(mix(seed, i, 1)) + hex8(mix(seed, i, 2)) + hex8(mix(seed, i, 3)) + hex8(mix(seed, i, 4));
}

/** Share of traces with an error (http.status_code=500 on the root and the failing span). */
export const ERROR_RATE = 0.02;

export interface DatasetOptions {
  seed: number;
  /** Newest root timestamp, epoch microseconds. */
  endTsMicros: number;
  /** Root timestamps spread evenly over [end - spread, end], newest last. */
  spreadMicros: number;
  traces: number;
}

/** Spans of traces [from, to), each built through normalizeSpan like a decoder's output. */
export function datasetSpans(opts: DatasetOptions, from: number, to: number): Span[] {
  const out: Span[] = [];
  for (let i = from; i < to; i++) traceSpans(opts, i, out);
  return out;
}

function traceSpans(opts: DatasetOptions, i: number, out: Span[]): void {
  const { seed } = opts;
  const r = (k: number) => mix(seed, i, 10 + k) / 0x1_0000_0000;
  const traceId = traceIdOf(seed, i);
  const spanIds = Array.from(
    { length: SPANS_PER_TRACE },
    (_, k) => hex8(mix(seed, i, 100 + k)) + hex8(mix(seed, i, 200 + k)),
  );
  // Root timestamps are spaced evenly so that every window holds a known share of the traces.
  const ts = Math.floor(opts.endTsMicros - opts.spreadMicros + ((i + 0.5) * opts.spreadMicros) / opts.traces);
  const a = Math.floor(r(0) * 20);
  const b = (a + 1 + Math.floor(r(1) * 19)) % 20;
  const c0 = (b + 1 + Math.floor(r(2) * 18)) % 20;
  const c = c0 === a ? (c0 + 1) % 20 : c0;
  const d = (a + 7) % 20;
  const failed = r(3) < ERROR_RATE;
  // Log-uniform root duration, 1 ms to ~400 ms: minDuration filters keep a predictable share.
  const rootDur = Math.floor(1000 * Math.exp(r(4) * 6));
  const op = (k: number) => Math.floor(r(5 + k) * 5);
  const ep = (svc: number) => ({
    serviceName: SERVICES[svc],
    ipv4: `10.0.${svc}.${1 + (i % 3)}`,
    port: 8080,
  });
  const http = (method: string, path: string, status: string) => ({
    'http.method': method,
    'http.path': path,
    'http.status_code': status,
  });
  const status = failed ? '500' : '200';
  const region = i % 2 === 0 ? 'eu-west-1' : 'us-east-1';

  const spans: SpanInput[] = [];
  const add = (
    k: number,
    parent: number | undefined,
    kind: string | undefined,
    svc: number,
    name: string,
    start: number,
    dur: number,
    extra: Partial<SpanInput>,
  ) =>
    spans.push({
      traceId,
      ...(parent === undefined ? {} : { parentId: spanIds[parent] }),
      id: spanIds[k],
      ...(kind ? { kind } : {}),
      name,
      timestamp: start,
      duration: Math.max(1, dur),
      localEndpoint: ep(svc),
      ...extra,
    });
  const nameB = spanName(b, op(1));
  const nameC = spanName(c, op(2));
  const nameD = spanName(d, op(3));
  const t1 = ts + Math.floor(rootDur * 0.05);
  const d1 = Math.floor(rootDur * 0.5);
  const t3 = t1 + Math.floor(d1 * 0.1);
  const d3 = Math.floor(d1 * 0.6);
  const t6 = t1 + d1 + Math.floor(rootDur * 0.05);
  const d6 = Math.floor(rootDur * 0.3);
  add(0, undefined, 'SERVER', a, spanName(a, op(0)), ts, rootDur, {
    remoteEndpoint: { ipv4: `203.0.113.${1 + (i % 250)}`, port: 40000 + (i % 20000) },
    tags: { ...http('GET', `/${SERVICES[a]}/${i % 50}`, status), region, component: 'http' },
  });
  add(1, 0, 'CLIENT', a, nameB, t1, d1, {
    remoteEndpoint: { serviceName: SERVICES[b] },
    tags: { 'http.method': 'POST', 'peer.service': SERVICES[b] },
  });
  add(2, 1, 'SERVER', b, nameB, t1 + 50, d1 - 100, {
    tags: { ...http('POST', `/${nameB}`, '200'), component: 'http', region },
    ...(r(8) < 0.05 ? { annotations: [{ timestamp: t1 + 60, value: 'retry' }] } : {}),
  });
  add(3, 2, 'CLIENT', b, nameC, t3, d3, {
    remoteEndpoint: { serviceName: SERVICES[c] },
    tags: { 'http.method': 'GET', 'peer.service': SERVICES[c] },
  });
  add(4, 3, 'SERVER', c, nameC, t3 + 40, d3 - 80, {
    tags: {
      ...http('GET', `/${nameC}`, status),
      component: 'http',
      ...(failed ? { error: 'Internal Server Error' } : {}),
    },
  });
  add(5, 4, undefined, c, 'db.query', t3 + 60, Math.floor(d3 / 3), {
    tags: {
      'db.system': 'mysql',
      'db.statement': `SELECT * FROM ${SERVICES[c]} WHERE id = ?`,
      component: 'jdbc',
    },
  });
  add(6, 0, 'CLIENT', a, nameD, t6, d6, {
    remoteEndpoint: { serviceName: SERVICES[d] },
    tags: { 'http.method': 'GET', 'peer.service': SERVICES[d] },
  });
  add(7, 6, 'SERVER', d, nameD, t6 + 30, d6 - 60, {
    tags: { ...http('GET', `/${nameD}`, '200'), component: 'http' },
  });
  add(8, 7, undefined, d, 'cache.get', t6 + 40, Math.floor(d6 / 5), {
    tags: { component: 'redis', 'retry.count': String(i % 3) },
  });
  add(9, 0, undefined, a, 'render', t6 + d6 + 10, Math.floor(rootDur * 0.05), {
    tags: { component: 'template' },
  });
  for (const s of spans) out.push(normalizeSpan(s));
}

/** murmur3's 32-bit finalizer over (seed, i, k): well spread, cheap, and the same in every process. */
function mix(seed: number, i: number, k: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(i, 0x85ebca6b) ^ Math.imul(k, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
