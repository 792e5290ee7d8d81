import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { encodeRpcStatusJson } from '../../codec/otlp/otlp-json-codec.js';
import type { Span } from '../../model/span.js';
import { Collector } from '../collector.js';
import type { CollectorMetrics } from '../collector-metrics.js';
import { installRawBodyParser } from '../http/raw-body-parser.js';
import { CollectorSampler } from '../sampler.js';
import { otlpHttpPlugin } from './otlp-http-routes.js';
import { waitFor } from '../../../test/support/wait.js';

const counts: Record<string, number> = {};
const metrics: CollectorMetrics = {
  forTransport: (t) => ({
    messages: () => void (counts[`${t}.messages`] = (counts[`${t}.messages`] ?? 0) + 1),
    messagesDropped: () => void (counts[`${t}.messagesDropped`] = (counts[`${t}.messagesDropped`] ?? 0) + 1),
    bytes: () => {},
    spans: () => {},
    spansDropped: (n) => void (counts[`${t}.spansDropped`] = (counts[`${t}.spansDropped`] ?? 0) + n),
  }),
};

/** A collector whose storage never finishes, so one batch fills it (maxInFlight 1). */
function stalledApp() {
  const stored: Span[][] = [];
  const collector = new Collector({
    consumer: { accept: (spans) => (stored.push([...spans]), new Promise<void>(() => {})) },
    sampler: new CollectorSampler(1),
    metrics,
    logger: pino({ level: 'silent' }),
    maxInFlight: 1,
  });
  const app = Fastify();
  installRawBodyParser(app, 1024 * 1024);
  void app.register(otlpHttpPlugin, { collector, logger: pino({ level: 'silent' }) });
  return { app, stored };
}

const body = (spanId: string) =>
  JSON.stringify({
    resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId }] }] }],
  });

describe('OTLP/HTTP under saturation', () => {
  it('answers 503 with Retry-After and an UNAVAILABLE status instead of dropping silently', async () => {
    const { app, stored } = stalledApp();
    await app.ready();
    // The first export occupies the only storage slot and never completes.
    void app.inject({
      method: 'POST',
      url: '/v1/traces',
      headers: { 'content-type': 'application/json' },
      payload: body('00f067aa0ba90201'),
    });
    await waitFor(
      async () => (stored.length > 0 ? true : undefined),
      'the first export to hold the storage slot',
    );
    expect(stored).toHaveLength(1);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/traces',
      headers: { 'content-type': 'application/json' },
      payload: body('00f067aa0ba90202'),
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(JSON.parse(res.body)).toEqual({ code: 14, message: expect.stringMatching(/saturated/) });
    expect(counts['otlp-http.spansDropped']).toBeGreaterThanOrEqual(1);
  });

  it('counts a refused body (wrong content type) as a dropped message', async () => {
    const { app } = stalledApp();
    const before = counts['otlp-http.messagesDropped'] ?? 0;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/traces',
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(res.statusCode).toBe(415);
    expect(res.body).toBe(
      encodeRpcStatusJson(
        3,
        'Unsupported Content-Type "text/plain": use application/x-protobuf or application/json',
      ),
    );
    expect(counts['otlp-http.messagesDropped']).toBe(before + 1);
  });
});
