import { describe, expect, it } from 'vitest';
import { lowTraceId } from '../model/ids.js';
import { normalizeSpan } from '../model/normalize-span.js';
import { buildSpanTree, countSpans } from '../model/span-node.js';
import { correctClockSkew } from '../model/clock-skew.js';
import { linkDependencies } from '../storage/dependency-linker.js';
import { generateLargeTrace, generateTraces } from './trace-generator.js';
import { SERVICE_NAMES } from './topology.js';

const END = Date.UTC(2026, 0, 15, 12) * 1000;
const traces = generateTraces({ seed: 42, traces: 300, endTsMicros: END });
const all = traces.flat();

describe('generateTraces', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const again = generateTraces({ seed: 42, traces: 300, endTsMicros: END });
    expect(JSON.stringify(again)).toBe(JSON.stringify(traces));
    const other = generateTraces({ seed: 43, traces: 300, endTsMicros: END });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(traces));
  });

  it('produces only valid, normalized spans (normalizeSpan leaves each unchanged)', () => {
    for (const span of all) {
      const again = normalizeSpan(JSON.parse(JSON.stringify(span)));
      expect(JSON.stringify(again)).toBe(JSON.stringify(span));
    }
  });

  it('keeps each trace under one trace id, and span ids unique except shared server spans', () => {
    for (const trace of traces) {
      expect(new Set(trace.map((s) => s.traceId)).size).toBe(1);
      const keys = trace.map((s) => `${s.id}|${s.shared === true}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it('spreads root timestamps over the window ending at endTs', () => {
    const spread = 15 * 60 * 1_000_000;
    const roots = traces.map((t) => t.find((s) => s.parentId === undefined)!);
    expect(roots.every((r) => r !== undefined)).toBe(true);
    for (const r of roots) {
      expect(r.timestamp!).toBeGreaterThan(END - spread);
      expect(r.timestamp!).toBeLessThanOrEqual(END);
    }
    const minutes = new Set(roots.map((r) => Math.floor((END - r.timestamp!) / 60_000_000)));
    expect(minutes.size).toBeGreaterThan(10);
  });

  it('covers the whole topology and every feature the UI and stores need', () => {
    const locals = new Set(all.map((s) => s.localEndpoint?.serviceName));
    for (const name of SERVICE_NAMES) expect(locals).toContain(name);
    const remotes = new Set(all.map((s) => s.remoteEndpoint?.serviceName));
    for (const name of ['mysql', 'redis', 'kafka']) {
      expect(remotes).toContain(name);
      expect(locals).not.toContain(name);
    }
    const kinds = new Set(all.map((s) => s.kind ?? 'LOCAL'));
    expect([...kinds].sort()).toEqual(['CLIENT', 'CONSUMER', 'LOCAL', 'PRODUCER', 'SERVER']);
    expect(all.some((s) => s.shared)).toBe(true);
    expect(all.some((s) => s.kind === 'SERVER' && !s.shared && s.parentId !== undefined)).toBe(true);
    expect(all.some((s) => s.tags?.error !== undefined && s.tags['http.status_code'] === '500')).toBe(true);
    expect(all.some((s) => s.tags?.['db.statement']?.startsWith('SELECT'))).toBe(true);
    expect(all.some((s) => s.tags?.['http.method'] === 'POST')).toBe(true);
    expect(all.some((s) => (s.annotations?.length ?? 0) > 0)).toBe(true);
    const idLengths = new Set(traces.map((t) => t[0]!.traceId.length));
    expect([...idLengths].sort()).toEqual([16, 32]);
  });

  it('ranges from single-span traces to several hundred spans', () => {
    const sizes = traces.map((t) => t.length);
    expect(Math.min(...sizes)).toBe(1);
    expect(Math.max(...sizes)).toBeGreaterThan(150);
  });

  it('honours maxSpans', () => {
    const capped = generateTraces({ seed: 7, traces: 100, endTsMicros: END, maxSpans: 25 });
    expect(Math.max(...capped.map((t) => t.length))).toBeLessThanOrEqual(25);
    expect(Math.max(...capped.map((t) => t.length))).toBeGreaterThan(20);
  });

  it('skews some hosts enough for clock-skew correction to act, only on those hosts', () => {
    const skewedHosts = new Set(['10.0.7.11', '10.0.8.11']);
    let corrected = 0;
    for (const trace of traces) {
      const tree = buildSpanTree(trace);
      const { adjusted } = correctClockSkew(tree);
      for (const s of trace) {
        if (!adjusted.has(s.id)) continue;
        if (s.kind === 'SERVER' && s.shared) {
          corrected++;
          expect(skewedHosts).toContain(s.localEndpoint?.ipv4);
        }
      }
    }
    expect(corrected).toBeGreaterThan(0);
  });

  it('yields exactly the dependency links of its calls, with call and error counts', () => {
    // Expected, from the spans themselves: every call made by an instrumented service is a CLIENT
    // (RPC or database) or PRODUCER span; every consumed message a CONSUMER span.
    const expected = new Map<string, { calls: number; errors: number }>();
    const add = (parent: string, child: string, error: boolean) => {
      const key = `${parent}->${child}`;
      const e = expected.get(key) ?? { calls: 0, errors: 0 };
      e.calls++;
      if (error) e.errors++;
      expected.set(key, e);
    };
    for (const s of all) {
      const local = s.localEndpoint!.serviceName!;
      const isError = s.tags?.error !== undefined;
      if (s.kind === 'CLIENT' || s.kind === 'PRODUCER') add(local, s.remoteEndpoint!.serviceName!, isError);
      if (s.kind === 'CONSUMER') add(s.remoteEndpoint!.serviceName!, local, isError);
    }
    const links = linkDependencies(traces);
    const actual = new Map(
      links.map((l) => [`${l.parent}->${l.child}`, { calls: l.callCount, errors: l.errorCount ?? 0 }]),
    );
    expect(actual).toEqual(expected);
    for (const edge of [
      'frontend->api-gateway',
      'api-gateway->auth',
      'checkout->payment',
      'checkout->kafka',
      'kafka->email',
      'catalog->redis',
      'inventory->mysql',
    ]) {
      expect(actual.has(edge)).toBe(true);
    }
  });
});

describe('generateLargeTrace', () => {
  it('makes one deterministic trace of exactly the requested size that builds into one tree', () => {
    const big = generateLargeTrace(10_000, { seed: 3, startTsMicros: END });
    expect(big).toHaveLength(10_000);
    expect(new Set(big.map((s) => lowTraceId(s.traceId))).size).toBe(1);
    expect(JSON.stringify(generateLargeTrace(10_000, { seed: 3, startTsMicros: END }))).toBe(
      JSON.stringify(big),
    );
    const tree = buildSpanTree(big);
    expect(tree.span?.parentId).toBeUndefined();
    expect(countSpans(tree)).toBe(10_000);
    expect(linkDependencies([big]).length).toBeGreaterThan(8);
  });

  it('works for tiny sizes and rejects invalid ones', () => {
    expect(generateLargeTrace(1, { startTsMicros: END })).toHaveLength(1);
    expect(generateLargeTrace(37, { startTsMicros: END })).toHaveLength(37);
    expect(() => generateLargeTrace(0)).toThrow(RangeError);
  });
});
