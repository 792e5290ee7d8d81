import { describe, expect, it } from 'vitest';
import { correctClockSkew, getClockSkew, sameHost, treeCorrectedForClockSkew } from './clock-skew.js';
import { normalizeSpan, type SpanInput } from './normalize-span.js';
import type { Span } from './span.js';
import { buildSpanTree, traverseBreadthFirst, type SpanNode } from './span-node.js';

const s = (input: SpanInput): Span => normalizeSpan({ traceId: '1', ...input });
const FRONTEND = { serviceName: 'frontend', ipv4: '172.17.0.13' };
const BACKEND = { serviceName: 'backend', ipv4: '172.17.0.9' };
const DB = { serviceName: 'db', ipv4: '172.17.0.20' };

function byName(root: SpanNode): Record<string, Span> {
  const out: Record<string, Span> = {};
  for (const n of traverseBreadthFirst(root)) out[`${n.span!.name}`] = n.span!;
  return out;
}

describe('sameHost', () => {
  it('compares addresses, falling back to service names without addresses', () => {
    expect(sameHost({ ipv4: '1.2.3.4' }, { ipv4: '1.2.3.4', serviceName: 'x' })).toBe(true);
    expect(sameHost({ ipv4: '1.2.3.4' }, { ipv4: '1.2.3.5' })).toBe(false);
    expect(sameHost({ ipv6: '2001:db8::1' }, { ipv6: '2001:db8::1', ipv4: '1.1.1.1' })).toBe(true);
    expect(sameHost({ ipv6: '2001:db8::1' }, { ipv6: '2001:db8::2' })).toBe(false);
    expect(sameHost({ serviceName: 'a' }, { serviceName: 'a' })).toBe(true);
    expect(sameHost({ serviceName: 'a' }, { serviceName: 'b' })).toBe(false);
    expect(sameHost(undefined, { serviceName: 'a' })).toBe(false);
  });
});

describe('getClockSkew', () => {
  const client = s({ id: '3', kind: 'CLIENT', localEndpoint: FRONTEND, timestamp: 20, duration: 20 });

  it('is only detected across different hosts', () => {
    const server = s({
      id: '3',
      kind: 'SERVER',
      shared: true,
      localEndpoint: FRONTEND,
      timestamp: 10,
      duration: 10,
    });
    expect(getClockSkew(client, server)).toBeUndefined();
  });

  it('is absent when the server runs inside its client', () => {
    const server = s({
      id: '3',
      kind: 'SERVER',
      shared: true,
      localEndpoint: BACKEND,
      timestamp: 30,
      duration: 10,
    });
    expect(getClockSkew(client, server)).toBeUndefined();
  });

  it('is attributed to the server endpoint when the server starts first, latency split evenly', () => {
    const server = s({
      id: '3',
      kind: 'SERVER',
      shared: true,
      localEndpoint: BACKEND,
      timestamp: 10,
      duration: 10,
    });
    // latency = (20 - 10) / 2 = 5; skew = 10 - 5 - 20 = -15
    expect(getClockSkew(client, server)).toEqual({ endpoint: BACKEND, skew: -15 });
  });

  it('is detected when a synchronous server ends after its client', () => {
    const server = s({
      id: '3',
      kind: 'SERVER',
      shared: true,
      localEndpoint: BACKEND,
      timestamp: 35,
      duration: 10,
    });
    expect(getClockSkew(client, server)).toEqual({ endpoint: BACKEND, skew: 10 });
  });

  it('is not detected for an async server that outlives a client it started after', () => {
    const server = s({
      id: '3',
      kind: 'SERVER',
      shared: true,
      localEndpoint: BACKEND,
      timestamp: 25,
      duration: 100,
    });
    expect(getClockSkew(client, server)).toBeUndefined();
  });

  it('pushes an async server that started before its client to just after it', () => {
    const server = s({
      id: '3',
      kind: 'SERVER',
      shared: true,
      localEndpoint: BACKEND,
      timestamp: 5,
      duration: 100,
    });
    expect(getClockSkew(client, server)).toEqual({ endpoint: BACKEND, skew: -16 });
  });

  it('one-way: pushes the server 1us after the client', () => {
    const oneWayClient = s({ id: '3', kind: 'CLIENT', localEndpoint: FRONTEND, timestamp: 20 });
    const server = s({ id: '3', kind: 'SERVER', shared: true, localEndpoint: BACKEND, timestamp: 15 });
    expect(getClockSkew(oneWayClient, server)).toEqual({ endpoint: BACKEND, skew: -6 });
  });

  it('needs a CLIENT parent and a SERVER child', () => {
    const producer = { ...client, kind: 'PRODUCER' as const };
    const server = s({ id: '3', kind: 'SERVER', localEndpoint: BACKEND, timestamp: 10, duration: 10 });
    expect(getClockSkew(producer, server)).toBeUndefined();
  });
});

describe('correctClockSkew', () => {
  // backend's clock is 1s behind: its server span appears to start before frontend's client.
  const SKEW = 1_000_000;
  const trace = () => [
    s({
      id: '1',
      name: 'root',
      kind: 'SERVER',
      localEndpoint: FRONTEND,
      timestamp: 10_000_000,
      duration: 500_000,
    }),
    s({
      id: '2',
      parentId: '1',
      name: 'client',
      kind: 'CLIENT',
      localEndpoint: FRONTEND,
      timestamp: 10_100_000,
      duration: 300_000,
    }),
    s({
      id: '2',
      parentId: '1',
      name: 'server',
      kind: 'SERVER',
      shared: true,
      localEndpoint: BACKEND,
      timestamp: 10_150_000 - SKEW,
      duration: 200_000,
      annotations: [{ timestamp: 10_160_000 - SKEW, value: 'cache-miss' }],
    }),
    s({
      id: '3',
      parentId: '2',
      name: 'local',
      localEndpoint: BACKEND,
      timestamp: 10_170_000 - SKEW,
      duration: 50_000,
    }),
    s({
      id: '4',
      parentId: '3',
      name: 'query',
      kind: 'CLIENT',
      localEndpoint: BACKEND,
      remoteEndpoint: DB,
      timestamp: 10_180_000 - SKEW,
      duration: 20_000,
    }),
    s({
      id: '4',
      parentId: '3',
      name: 'db-server',
      kind: 'SERVER',
      shared: true,
      localEndpoint: DB,
      timestamp: 10_185_000,
      duration: 10_000,
    }),
  ];

  it('shifts the skewed server and its same-host subtree, leaving other hosts alone', () => {
    const tree = buildSpanTree(trace());
    const { root, adjusted } = correctClockSkew(tree);
    const spans = byName(root);
    // latency = (300 - 200) / 2 = 50ms, so the server starts 50ms after the client.
    expect(spans.server!.timestamp).toBe(10_150_000);
    expect(spans.server!.annotations).toEqual([{ timestamp: 10_160_000, value: 'cache-miss' }]);
    expect(spans.local!.timestamp).toBe(10_170_000);
    expect(spans.query!.timestamp).toBe(10_180_000);
    // db's own clock was right: it is neither shifted by backend's skew nor detected as skewed.
    expect(spans['db-server']!.timestamp).toBe(10_185_000);
    expect(spans.root!.timestamp).toBe(10_000_000);
    expect(spans.client!.timestamp).toBe(10_100_000);
    expect([...adjusted].sort()).toEqual(['0000000000000002', '0000000000000003', '0000000000000004']);
  });

  it('treeCorrectedForClockSkew builds and corrects in one call', () => {
    expect(byName(treeCorrectedForClockSkew(trace())).server!.timestamp).toBe(10_150_000);
  });

  it('is pure: the input tree and spans are unchanged and the result is a separate tree', () => {
    const tree = buildSpanTree(trace());
    const before = JSON.stringify([...traverseBreadthFirst(tree)].map((n) => n.span));
    const { root } = correctClockSkew(tree);
    expect(root).not.toBe(tree);
    expect(JSON.stringify([...traverseBreadthFirst(tree)].map((n) => n.span))).toBe(before);
    for (const n of traverseBreadthFirst(root)) {
      for (const c of n.children) expect(c.parent).toBe(n);
    }
    expect([...traverseBreadthFirst(root)]).toHaveLength(6);
  });

  it('returns the input when nothing is skewed', () => {
    const tree = buildSpanTree(trace().slice(0, 2));
    const result = correctClockSkew(tree);
    expect(result.root).toBe(tree);
    expect(result.adjusted.size).toBe(0);
  });

  it('does not correct a trace without a single root', () => {
    const headless = buildSpanTree(trace().slice(1));
    expect(headless.span).toBeUndefined();
    expect(correctClockSkew(headless).adjusted.size).toBe(0);

    const twoRoots = buildSpanTree([...trace(), s({ id: '9', name: 'other', timestamp: 1 })]);
    expect(correctClockSkew(twoRoots).adjusted.size).toBe(0);
  });
});
