import { describe, expect, it } from 'vitest';
import { normalizeSpan, type SpanInput } from './normalize-span.js';
import type { Span } from './span.js';
import { buildSpanTree, countSpans, traverseBreadthFirst, type SpanNode } from './span-node.js';

const s = (input: SpanInput): Span => normalizeSpan({ traceId: 'a', ...input });
const FRONTEND = { serviceName: 'frontend', ipv4: '172.17.0.13' };
const BACKEND = { serviceName: 'backend', ipv4: '172.17.0.9' };
const ids = (node: SpanNode) =>
  node.children.map((c) => `${c.span?.id.replace(/^0+/, '')}${c.span?.shared ? 's' : ''}`);

describe('buildSpanTree', () => {
  it('an empty trace is a synthetic root without children', () => {
    const root = buildSpanTree([]);
    expect(root.span).toBeUndefined();
    expect(root.children).toEqual([]);
    expect([...traverseBreadthFirst(root)]).toEqual([]);
  });

  it('places a shared server under its client and the server-side children under the server', () => {
    const root = buildSpanTree([
      s({ id: '3', parentId: '2', kind: 'CLIENT', localEndpoint: BACKEND, timestamp: 30 }),
      s({ id: '2', parentId: '1', kind: 'SERVER', shared: true, localEndpoint: BACKEND, timestamp: 20 }),
      s({ id: '2', parentId: '1', kind: 'CLIENT', localEndpoint: FRONTEND, timestamp: 15 }),
      s({ id: '1', kind: 'SERVER', localEndpoint: FRONTEND, timestamp: 10 }),
    ]);
    expect(root.span?.id).toBe('0000000000000001');
    expect(ids(root)).toEqual(['2']);
    const client = root.children[0]!;
    expect(client.parent).toBe(root);
    expect(ids(client)).toEqual(['2s']);
    expect(ids(client.children[0]!)).toEqual(['3']);
    expect(client.children[0]!.children[0]!.parent).toBe(client.children[0]);
  });

  it('a child of a shared id on another endpoint hangs under the client instead', () => {
    const root = buildSpanTree([
      s({ id: '1', kind: 'CLIENT', localEndpoint: FRONTEND }),
      s({ id: '1', kind: 'SERVER', shared: true, localEndpoint: BACKEND }),
      s({ id: '2', parentId: '1', localEndpoint: FRONTEND }),
    ]);
    expect(ids(root).sort()).toEqual(['1s', '2']);
  });

  it('two servers answering the same client id are both its children', () => {
    const root = buildSpanTree([
      s({ id: '1', kind: 'CLIENT', localEndpoint: FRONTEND, timestamp: 1 }),
      s({ id: '1', kind: 'SERVER', shared: true, localEndpoint: BACKEND, timestamp: 3 }),
      s({
        id: '1',
        kind: 'SERVER',
        shared: true,
        localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.2' },
        timestamp: 2,
      }),
    ]);
    expect(root.children.map((c) => c.span?.localEndpoint?.ipv4)).toEqual(['10.0.0.2', '172.17.0.9']);
  });

  it('a headless trace gets a synthetic root holding the root-most spans', () => {
    const root = buildSpanTree([
      s({ id: 'b', parentId: 'a', timestamp: 2 }),
      s({ id: 'c', parentId: 'a', timestamp: 1 }),
      s({ id: 'd', parentId: 'b', timestamp: 3 }),
    ]);
    expect(root.span).toBeUndefined();
    expect(ids(root)).toEqual(['c', 'b']);
    expect(ids(root.children[1]!)).toEqual(['d']);
  });

  it('spans missing their parent attach to the first root', () => {
    const root = buildSpanTree([
      s({ id: '1', timestamp: 1 }),
      s({ id: '2', parentId: 'f', timestamp: 3 }),
      s({ id: '3', timestamp: 2 }),
    ]);
    expect(root.span?.id).toBe('0000000000000001');
    expect(ids(root)).toEqual(['3', '2']);
  });

  it('sorts children by timestamp, absent timestamps first, stable otherwise', () => {
    const root = buildSpanTree([
      s({ id: '1', timestamp: 1 }),
      s({ id: '5', parentId: '1', timestamp: 30 }),
      s({ id: '4', parentId: '1', timestamp: 10 }),
      s({ id: '3', parentId: '1' }),
      s({ id: '2', parentId: '1', timestamp: 10 }),
    ]);
    expect(ids(root)).toEqual(['3', '2', '4', '5']);
  });

  it('keeps spans of a parent-id cycle visible instead of losing them', () => {
    const root = buildSpanTree([
      s({ id: '1' }),
      s({ id: '2', parentId: '3' }),
      s({ id: '3', parentId: '2' }),
    ]);
    expect(countSpans(root)).toBe(3);
  });

  it('traverses breadth-first from the root', () => {
    const root = buildSpanTree([
      s({ id: '1', timestamp: 1 }),
      s({ id: '2', parentId: '1', timestamp: 2 }),
      s({ id: '3', parentId: '2', timestamp: 3 }),
      s({ id: '4', parentId: '1', timestamp: 4 }),
    ]);
    expect([...traverseBreadthFirst(root)].map((n) => n.span?.id.slice(-1))).toEqual(['1', '2', '4', '3']);
  });

  it('builds a 10,000-span deep chain without recursion limits', () => {
    const spans = [s({ id: '1', timestamp: 1 })];
    for (let i = 2; i <= 10_000; i++)
      spans.push(s({ id: i.toString(16), parentId: (i - 1).toString(16), timestamp: i }));
    const root = buildSpanTree(spans.reverse());
    expect(countSpans(root)).toBe(10_000);
    let depth = 0;
    for (let n: SpanNode | undefined = root; n; n = n.children[0]) depth++;
    expect(depth).toBe(10_000);
  });
});
