import type { Span } from '../../src/model/span.js';

const MS = 1000;

/**
 * A checkout trace with a known shape, for asserting exact UI output:
 *   frontend SERVER get /checkout (100ms)
 *   ├─ frontend CLIENT post /pay (50ms)          10.0.0.1
 *   │  └─ payment SERVER post /pay (40ms, shared) 10.0.0.2, clock 5s behind: starts "before" its client
 *   │     └─ payment CLIENT select cards (20ms)  error tag, remote mysql
 *   └─ frontend render (20ms)
 * zipkin's skew rule shifts the payment host by -(5s + 5ms): latency = (50ms - 40ms) / 2.
 */
export function checkoutTrace(startUs: number, traceId = '463ac35c9f6413ad48485a3953bb6124'): Span[] {
  const T = startUs;
  const frontend = { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 };
  const payment = { serviceName: 'payment', ipv4: '10.0.0.2', port: 9000 };
  return [
    {
      traceId,
      id: '0000000000000001',
      kind: 'SERVER',
      name: 'get /checkout',
      timestamp: T,
      duration: 100 * MS,
      localEndpoint: frontend,
      tags: { 'http.method': 'GET', 'http.path': '/checkout' },
    },
    {
      traceId,
      parentId: '0000000000000001',
      id: '0000000000000002',
      kind: 'CLIENT',
      name: 'post /pay',
      timestamp: T + 10 * MS,
      duration: 50 * MS,
      localEndpoint: frontend,
      remoteEndpoint: { serviceName: 'payment' },
      annotations: [{ timestamp: T + 10 * MS + 100, value: 'wire send' }],
    },
    {
      traceId,
      parentId: '0000000000000001',
      id: '0000000000000002',
      kind: 'SERVER',
      name: 'post /pay',
      timestamp: T + 10 * MS - 5_000 * MS,
      duration: 40 * MS,
      localEndpoint: payment,
      shared: true,
    },
    {
      traceId,
      parentId: '0000000000000002',
      id: '0000000000000003',
      kind: 'CLIENT',
      name: 'select cards',
      timestamp: T + 12 * MS - 5_000 * MS,
      duration: 20 * MS,
      localEndpoint: payment,
      remoteEndpoint: { serviceName: 'mysql', ipv4: '10.0.0.9', port: 3306 },
      tags: { error: 'timeout', 'db.statement': 'select * from cards' },
    },
    {
      traceId,
      parentId: '0000000000000001',
      id: '0000000000000004',
      name: 'render',
      timestamp: T + 70 * MS,
      duration: 20 * MS,
      localEndpoint: frontend,
    },
  ];
}

/** A one-span trace of another service. */
export function singleSpanTrace(startUs: number, traceId: string, service: string, name: string, durationUs: number, tags?: Record<string, string>): Span[] {
  const s: Span = {
    traceId,
    id: traceId.slice(-16),
    kind: 'SERVER',
    name,
    timestamp: startUs,
    duration: durationUs,
    localEndpoint: { serviceName: service, ipv4: '10.0.1.1' },
  };
  if (tags) s.tags = tags;
  return [s];
}
