import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricFamily } from '../../src/query/jaeger-api/jaeger-metrics.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';

/** Spans with known start, duration, kind and error, one trace each, in the last two minutes. */
const END_MS = Math.floor(Date.now() / 1000) * 1000 - 10_000;
const sent = Array.from({ length: 40 }, (_, i) => ({
  startMs: END_MS - (i + 1) * 1500,
  durationMs: ((i * 7) % 23) + 1,
  failed: i % 4 === 0,
  name: i % 2 === 0 ? 'checkout' : 'browse',
  kind: i % 5 === 0 ? 'CLIENT' : 'SERVER',
}));

let server: RunningSkein;

beforeAll(async () => {
  server = await startTestServer();
  const spans = sent.map((s, i) => ({
    traceId: (0x1000 + i).toString(16).padStart(16, '0'),
    id: (0x2000 + i).toString(16).padStart(16, '0'),
    kind: s.kind,
    name: s.name,
    timestamp: s.startMs * 1000,
    duration: s.durationMs * 1000,
    localEndpoint: { serviceName: 'shop' },
    ...(s.failed ? { tags: { error: 'true' } } : {}),
  }));
  const res = await fetch(`${server.url}/api/v2/spans`, {
    method: 'POST',
    body: JSON.stringify(spans),
    headers: { 'content-type': 'application/json' },
  });
  expect(res.status).toBe(202);
});
afterAll(async () => {
  await server?.close();
});

const LOOKBACK = 60_000;
const STEP = 15_000;
const RATE_PER = 30_000;

/** The expected points, computed here from what was sent. */
function expected(
  kind: 'calls' | 'errors' | 'latencies',
  filter: (s: (typeof sent)[number]) => boolean,
  quantile = 0.5,
) {
  const points: Array<{ timestamp: string; value: number }> = [];
  for (let t = END_MS - LOOKBACK; t <= END_MS; t += STEP) {
    const w = sent.filter((s) => filter(s) && s.startMs > t - RATE_PER && s.startMs <= t);
    if (w.length === 0) continue;
    let value: number;
    if (kind === 'calls') value = w.length / 30;
    else if (kind === 'errors') value = w.reduce((n, s) => n + (s.failed ? 1 : 0), 0) / w.length;
    else {
      const d = w.map((s) => s.durationMs).sort((a, b) => a - b);
      value = d[Math.ceil(quantile * d.length) - 1]!;
    }
    points.push({ timestamp: new Date(t).toISOString(), value });
  }
  return points;
}

async function metrics(kind: string, extra = ''): Promise<MetricFamily> {
  const url = `${server.url}/api/metrics/${kind}?service=shop&endTs=${END_MS}&lookback=${LOOKBACK}&step=${STEP}&ratePer=${RATE_PER}${extra}`;
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as MetricFamily;
}

const points = (f: MetricFamily, i = 0) =>
  f.metrics[i]!.metricPoints.map((p) => ({ timestamp: p.timestamp, value: p.gaugeValue.doubleValue }));

describe('GET /api/metrics/*', () => {
  const isServer = (s: (typeof sent)[number]) => s.kind === 'SERVER';

  it('calls: server spans per second over ratePer', async () => {
    const f = await metrics('calls');
    expect(f).toMatchObject({ name: 'service_call_rate', type: 'GAUGE' });
    expect(f.metrics).toHaveLength(1);
    expect(f.metrics[0]!.labels).toEqual([{ name: 'service_name', value: 'shop' }]);
    const want = expected('calls', isServer);
    expect(want.length).toBeGreaterThan(1);
    expect(points(f)).toEqual(want);
  });

  it('errors: the failed share', async () => {
    const f = await metrics('errors');
    expect(f.name).toBe('service_error_rate');
    expect(points(f)).toEqual(expected('errors', isServer));
  });

  it('latencies: the quantile of durations in ms', async () => {
    const f = await metrics('latencies', '&quantile=0.95');
    expect(f.name).toBe('service_latencies');
    expect(points(f)).toEqual(expected('latencies', isServer, 0.95));
  });

  it('groups by operation and filters by span kind', async () => {
    const f = await metrics('calls', '&groupByOperation=true&spanKind=client');
    const byOp = new Map(f.metrics.map((m) => [m.labels.find((l) => l.name === 'operation')!.value, m]));
    expect([...byOp.keys()].sort()).toEqual(['browse', 'checkout']);
    for (const [op, m] of byOp) {
      expect(m.labels[0]).toEqual({ name: 'service_name', value: 'shop' });
      const got = m.metricPoints.map((p) => ({ timestamp: p.timestamp, value: p.gaugeValue.doubleValue }));
      expect(got).toEqual(expected('calls', (s) => s.kind === 'CLIENT' && s.name === op));
    }
  });

  it('answers bad parameters with 400 in the envelope', async () => {
    const noService = await fetch(`${server.url}/api/metrics/calls`);
    expect(noService.status).toBe(400);
    expect(JSON.parse(await noService.text())).toMatchObject({
      data: null,
      errors: [
        { code: 400, msg: "unable to parse param 'service': please provide at least one service name" },
      ],
    });
    const noQuantile = await fetch(`${server.url}/api/metrics/latencies?service=shop`);
    expect(noQuantile.status).toBe(400);
    expect(await noQuantile.text()).toContain("unable to parse param 'quantile'");
  });

  it('an unknown service has no series', async () => {
    const res = await fetch(`${server.url}/api/metrics/calls?service=nobody`);
    expect(((await res.json()) as MetricFamily).metrics).toEqual([]);
  });
});
