import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeJsonV2List } from '../codec/json-v2/json-v2-codec.js';
import type { Span } from '../model/span.js';
import { DemoUsageError, parseDemoArgs, type DemoOptions } from './demo-options.js';
import { DemoSendError, sendTraffic } from './send-traffic.js';

interface Received {
  url: string;
  contentType: string | undefined;
  spans: Span[];
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function startCollector(status = 202, body = ''): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        url: `${req.method} ${req.url}`,
        contentType: req.headers['content-type'],
        spans: status === 202 ? decodeJsonV2List(Buffer.concat(chunks)) : [],
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, received };
}

const options = (url: string, extra: Partial<DemoOptions> = {}): DemoOptions => ({
  url,
  traces: 120,
  rate: undefined,
  continuous: false,
  seed: 5,
  help: false,
  ...extra,
});

describe('parseDemoArgs', () => {
  it('has the documented defaults', () => {
    const defaults = parseDemoArgs([]);
    expect(defaults).toEqual({
      url: 'http://localhost:9411',
      traces: 500,
      rate: undefined,
      continuous: false,
      seed: expect.any(Number),
      help: false,
    });
    // Each run gets its own seed, so running the demo twice never re-sends the same ids.
    const seeds = new Set(Array.from({ length: 5 }, () => parseDemoArgs([]).seed));
    expect(seeds.size).toBeGreaterThan(1);
  });

  it('reads every flag', () => {
    expect(
      parseDemoArgs([
        '--url',
        'http://skein:9411/',
        '--traces',
        '20',
        '--rate',
        '2.5',
        '--continuous',
        '--seed',
        '9',
      ]),
    ).toEqual({ url: 'http://skein:9411', traces: 20, rate: 2.5, continuous: true, seed: 9, help: false });
  });

  it('rejects bad values naming the flag', () => {
    expect(() => parseDemoArgs(['--traces', '0'])).toThrow(/--traces/);
    expect(() => parseDemoArgs(['--rate', 'fast'])).toThrow(/--rate/);
    expect(() => parseDemoArgs(['--url', 'ftp://x'])).toThrow(/--url/);
    expect(() => parseDemoArgs(['--bogus'])).toThrow(DemoUsageError);
  });
});

describe('sendTraffic', () => {
  it('POSTs JSON v2 to /api/v2/spans, backdated over the last 15 minutes, reporting progress', async () => {
    const { url, received } = await startCollector();
    const lines: string[] = [];
    const now = Date.UTC(2026, 0, 15, 12);
    const sent = await sendTraffic(options(url), { log: (l) => lines.push(l), nowMs: () => now });

    expect(received.length).toBeGreaterThan(1);
    expect(
      received.every((r) => r.url === 'POST /api/v2/spans' && r.contentType === 'application/json'),
    ).toBe(true);
    const spans = received.flatMap((r) => r.spans);
    expect(spans.length).toBe(sent.spans);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(120);
    expect(sent.traces).toBe(120);
    for (const r of received) expect(r.spans.length).toBeLessThanOrEqual(1000);
    const roots = spans.filter((s) => s.parentId === undefined);
    expect(Math.max(...roots.map((s) => s.timestamp!))).toBeLessThanOrEqual(now * 1000);
    expect(Math.min(...roots.map((s) => s.timestamp!))).toBeGreaterThan((now - 15 * 60_000) * 1000);
    expect(lines.at(-1)).toBe(`sent 120/120 traces (${sent.spans} spans)`);
  });

  it('paces sends with --rate', async () => {
    const { url, received } = await startCollector();
    let now = 1_000_000;
    const sleeps: number[] = [];
    await sendTraffic(options(url, { traces: 10, rate: 5 }), {
      log: () => {},
      nowMs: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    });
    // 5 traces/s, one trace per POST: 10 posts over ~1.8 s of (simulated) time.
    expect(received).toHaveLength(10);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(1800);
  });

  it('says clearly when the server is not running', async () => {
    const { url } = await startCollector();
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    await expect(sendTraffic(options(url), { log: () => {} })).rejects.toThrow(
      new DemoSendError(`cannot reach Skein at ${url}: ECONNREFUSED — is it running? npm start`),
    );
  });

  it('reports a rejection with the status and message', async () => {
    const { url } = await startCollector(400, 'Malformed reading List<Span> from json');
    await expect(sendTraffic(options(url), { log: () => {} })).rejects.toThrow(
      `Skein at ${url} rejected the spans: HTTP 400: Malformed reading List<Span> from json`,
    );
  });

  it('keeps sending live traffic in --continuous mode until stopped', async () => {
    const { url, received } = await startCollector();
    const stop = new AbortController();
    let now = 1_000_000;
    let ticks = 0;
    const sent = await sendTraffic(options(url, { traces: 3, continuous: true, rate: 4 }), {
      log: () => {},
      signal: stop.signal,
      nowMs: () => now,
      sleep: async (ms) => {
        now += ms;
        if (++ticks === 3 + 3) stop.abort();
      },
    });
    // 3 initial traces (paced at 4/s) then 4 traces per simulated second.
    expect(sent.traces).toBeGreaterThan(3);
    expect((sent.traces - 3) % 4).toBe(0);
    // Live traffic is stamped "now" (within the tick's second), not backdated 15 minutes.
    const liveRoots = received.slice(3).flatMap((r) => r.spans.filter((s) => s.parentId === undefined));
    expect(liveRoots.length).toBe(sent.traces - 3);
    for (const r of liveRoots) expect(r.timestamp!).toBeGreaterThanOrEqual((1_000_000 - 1_000) * 1000);
  });
});
