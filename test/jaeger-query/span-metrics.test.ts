import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { SPAN_METRICS_BUCKETS_MS } from '../../src/query/span-metrics.js';
import { startTestServer } from '../support/server.js';

/**
 * Span-metric histograms on /prometheus (spanmetrics connector names), checked against counts and bucket
 * counts this test computes from the spans it sends, and against /api/metrics/calls over the same spans.
 * SPAN_METRICS_MAX_OPERATIONS=3 so the overflow series and its counter are exercised.
 */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

interface SentSpan {
  service?: string;
  name: string;
  kind?: 'SERVER' | 'CLIENT';
  durationUs: number;
  error?: string;
}

const NOW = Date.now() * 1000;
const hex = (n: number) => n.toString(16).padStart(16, '0');

/** Six span names on one service (three over the cap), other kinds, an error, a 'false' error, no service. */
const SENT: SentSpan[] = [
  { service: 'shop', name: 'op-a', kind: 'SERVER', durationUs: 1_000 },
  { service: 'shop', name: 'op-a', kind: 'SERVER', durationUs: 3_000, error: 'boom' },
  { service: 'shop', name: 'op-a', kind: 'SERVER', durationUs: 45_000 },
  { service: 'shop', name: 'op-b', kind: 'SERVER', durationUs: 150_000, error: 'false' },
  { service: 'shop', name: 'op-b', kind: 'CLIENT', durationUs: 2_000 },
  { service: 'shop', name: 'op-c', durationUs: 20_000_000 },
  { service: 'shop', name: 'op-d', kind: 'SERVER', durationUs: 7_000 },
  { service: 'shop', name: 'op-e', kind: 'SERVER', durationUs: 900_000, error: 'true' },
  { service: 'shop', name: 'op-d', kind: 'SERVER', durationUs: 12_000 },
  { service: 'shop', name: 'op-a', kind: 'SERVER', durationUs: 9_000 },
  { service: 'pay', name: 'charge', kind: 'SERVER', durationUs: 400_000 },
  { name: 'orphan', kind: 'SERVER', durationUs: 5_000 },
];

let server: RunningSkein;
let samples: Sample[];

beforeAll(async () => {
  server = await startTestServer({ SPAN_METRICS_MAX_OPERATIONS: '3' });
  // One trace per span, sent one at a time so the order (and so which names are admitted) is fixed.
  for (const [i, s] of SENT.entries()) {
    const res = await fetch(`${server.url}/api/v2/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          traceId: hex(0xabc000 + i),
          id: hex(0xabc000 + i),
          name: s.name,
          ...(s.kind ? { kind: s.kind } : {}),
          timestamp: NOW - 60_000_000 + i * 1000,
          duration: s.durationUs,
          ...(s.service ? { localEndpoint: { serviceName: s.service } } : {}),
          ...(s.error ? { tags: { error: s.error } } : {}),
        },
      ]),
    });
    expect(res.status).toBe(202);
  }
  const res = await fetch(`${server.url}/prometheus`);
  expect(res.status).toBe(200);
  samples = parsePrometheus(await res.text());
});
afterAll(async () => {
  await server?.close();
});

/** The series key this test expects a span in, computed from the cap rule by hand. */
function expectedSeries(): Map<string, SentSpan[]> {
  const admitted = new Map<string, string[]>();
  const out = new Map<string, SentSpan[]>();
  for (const s of SENT) {
    if (s.service === undefined) continue;
    const names = admitted.get(s.service) ?? [];
    admitted.set(s.service, names);
    if (!names.includes(s.name) && names.length < 3) names.push(s.name);
    const labels: Record<string, string> = {
      service_name: s.service,
      ...(names.includes(s.name) ? { span_name: s.name } : { otel_metric_overflow: 'true' }),
      span_kind: `SPAN_KIND_${s.kind ?? 'INTERNAL'}`,
      status_code: s.error !== undefined && s.error !== 'false' ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET',
    };
    const key = keyOf(labels);
    out.set(key, [...(out.get(key) ?? []), s]);
  }
  return out;
}

function keyOf(labels: Record<string, string>): string {
  const { le: _le, ...rest } = labels;
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

function seriesOf(name: string): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const s of samples.filter((x) => x.name === name)) {
    const key = keyOf(s.labels);
    out.set(key, [...(out.get(key) ?? []), s]);
  }
  return out;
}

describe('span metrics on /prometheus', () => {
  it('counts calls per service, span name, kind and status, as the test computes them', () => {
    const expected = expectedSeries();
    const calls = seriesOf('traces_span_metrics_calls_total');
    expect([...calls.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, spans] of expected) expect(calls.get(key)![0]!.value, key).toBe(spans.length);
  });

  it('has histogram buckets, sums and counts in milliseconds matching the sent durations', () => {
    const expected = expectedSeries();
    const buckets = seriesOf('traces_span_metrics_duration_milliseconds_bucket');
    const sums = seriesOf('traces_span_metrics_duration_milliseconds_sum');
    const counts = seriesOf('traces_span_metrics_duration_milliseconds_count');
    expect([...buckets.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, spans] of expected) {
      const ms = spans.map((s) => s.durationUs / 1000);
      const got = new Map(buckets.get(key)!.map((b) => [b.labels.le!, b.value]));
      for (const le of SPAN_METRICS_BUCKETS_MS)
        expect(got.get(String(le)), `${key} le=${le}`).toBe(ms.filter((d) => d <= le).length);
      expect(got.get('+Inf')).toBe(ms.length);
      expect(counts.get(key)![0]!.value).toBe(ms.length);
      expect(sums.get(key)![0]!.value).toBeCloseTo(
        ms.reduce((a, b) => a + b, 0),
        6,
      );
    }
  });

  it('folds span names past the cap into the overflow series and counts the folded spans', () => {
    const overflow = samples.filter((s) => s.name === 'skein_span_metrics_overflow_total');
    const folded = SENT.filter((s) => s.service === 'shop' && ['op-d', 'op-e'].includes(s.name)).length;
    expect(overflow).toEqual([
      { name: 'skein_span_metrics_overflow_total', labels: { service_name: 'shop' }, value: folded },
    ]);
    const names = new Set(
      samples.filter((s) => s.name === 'traces_span_metrics_calls_total').map((s) => s.labels.span_name),
    );
    expect(names).toEqual(new Set(['op-a', 'op-b', 'op-c', 'charge', undefined]));
  });

  it('gives the same numbers /api/metrics/calls computes from the stored spans', async () => {
    const endTs = Math.floor(NOW / 1000) + 1000;
    const res = await fetch(
      `${server.url}/api/metrics/calls?service=shop&groupByOperation=true&spanKind=server&endTs=${endTs}&lookback=1000&step=1000&ratePer=600000`,
    );
    expect(res.status).toBe(200);
    const family = (await res.json()) as {
      metrics: Array<{
        labels: Array<{ name: string; value: string }>;
        metricPoints: Array<{ gaugeValue: { doubleValue: number } }>;
      }>;
    };
    const calls = samples.filter(
      (s) =>
        s.name === 'traces_span_metrics_calls_total' &&
        s.labels.service_name === 'shop' &&
        s.labels.span_kind === 'SPAN_KIND_SERVER',
    );
    for (const op of ['op-a', 'op-b']) {
      const red = family.metrics.find((m) => m.labels.some((l) => l.name === 'operation' && l.value === op))!;
      const perSecond = red.metricPoints.at(-1)!.gaugeValue.doubleValue;
      const total = calls.filter((s) => s.labels.span_name === op).reduce((a, s) => a + s.value, 0);
      expect(Math.round(perSecond * 600), op).toBe(total);
    }
  });

  it('is off with SPAN_METRICS_MAX_OPERATIONS=0', async () => {
    const s = await startTestServer({ SPAN_METRICS_MAX_OPERATIONS: '0' });
    try {
      const text = await (await fetch(`${s.url}/prometheus`)).text();
      expect(text).not.toContain('traces_span_metrics');
      expect(text).toContain('http_server_requests_seconds');
    } finally {
      await s.close();
    }
  });
});
