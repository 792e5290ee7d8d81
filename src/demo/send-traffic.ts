import { encodeJsonV2List } from '../codec/json-v2/json-v2-codec.js';
import type { Span } from '../model/span.js';
import { DEFAULT_CONTINUOUS_RATE, type DemoOptions } from './demo-options.js';
import { generateTraces } from './trace-generator.js';

/** The server could not be reached or refused the spans; the message is meant for the user as-is. */
export class DemoSendError extends Error {
  override readonly name = 'DemoSendError';
}

export interface TrafficIo {
  log(line: string): void;
  /** Stops --continuous traffic (Ctrl-C). */
  signal?: AbortSignal;
  /** Injected for tests; default Date.now. */
  nowMs?: () => number;
  /** Injected for tests; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export interface TrafficSummary {
  traces: number;
  spans: number;
}

const FIFTEEN_MINUTES_MICROS = 15 * 60 * 1_000_000;
/** Keeps each POST a reasonable size: zipkin reporters send ~ 500 KB messages at most. */
const MAX_SPANS_PER_POST = 1000;
const MAX_TRACES_PER_POST = 100;

/**
 * Sends the initial batch of `opts.traces` traces, backdated over the last 15 minutes so the UI's
 * default lookback shows them, then (with --continuous) live traffic until `io.signal` aborts.
 */
export async function sendTraffic(opts: DemoOptions, io: TrafficIo): Promise<TrafficSummary> {
  const nowMs = io.nowMs ?? Date.now;
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const endpoint = `${opts.url}/api/v2/spans`;
  const sent: TrafficSummary = { traces: 0, spans: 0 };

  const initial = generateTraces({
    seed: opts.seed,
    traces: opts.traces,
    endTsMicros: nowMs() * 1000,
    spreadMicros: FIFTEEN_MINUTES_MICROS,
  });
  // Oldest first, as the traffic would have happened.
  initial.sort((a, b) => rootTimestamp(a) - rootTimestamp(b));

  const started = nowMs();
  let lastProgress = Number.NEGATIVE_INFINITY;
  let i = 0;
  while (i < initial.length) {
    const batch = takeBatch(initial, i, opts.rate);
    if (opts.rate !== undefined) {
      const due = started + (i / opts.rate) * 1000;
      if (due > nowMs()) await sleep(due - nowMs());
    }
    await post(endpoint, opts.url, batch.flat());
    i += batch.length;
    sent.traces += batch.length;
    sent.spans += batch.reduce((n, t) => n + t.length, 0);
    // At most one progress line a second, and always the last one.
    if (i === initial.length || nowMs() - lastProgress >= 1000) {
      io.log(`sent ${sent.traces}/${initial.length} traces (${sent.spans} spans)`);
      lastProgress = nowMs();
    }
  }
  if (!opts.continuous) return sent;

  const rate = opts.rate ?? DEFAULT_CONTINUOUS_RATE;
  io.log(`sending live traffic at ${rate} traces/s, Ctrl-C to stop`);
  let round = 0;
  let lastLog = nowMs();
  const stopped = () => io.signal?.aborted === true;
  while (!stopped()) {
    const tickStart = nowMs();
    // One second of traffic per tick, carrying over the fraction so low rates still send.
    const count = Math.floor(rate * (round + 1)) - Math.floor(rate * round);
    round++;
    if (count > 0) {
      const live = generateTraces({
        seed: opts.seed + round,
        traces: count,
        endTsMicros: tickStart * 1000,
        spreadMicros: 1_000_000,
      });
      for (let j = 0; j < live.length;) {
        const batch = takeBatch(live, j, undefined);
        await post(endpoint, opts.url, batch.flat());
        j += batch.length;
        sent.traces += batch.length;
        sent.spans += batch.reduce((n, t) => n + t.length, 0);
      }
    }
    if (nowMs() - lastLog >= 10_000) {
      io.log(`sent ${sent.traces} traces (${sent.spans} spans)`);
      lastLog = nowMs();
    }
    const wait = tickStart + 1000 - nowMs();
    if (wait > 0 && !stopped()) await sleep(wait);
  }
  return sent;
}

/** Consecutive traces from `from`, within the per-POST limits; about 5 POSTs a second when paced. */
function takeBatch(traces: Span[][], from: number, rate: number | undefined): Span[][] {
  const maxTraces =
    rate === undefined
      ? MAX_TRACES_PER_POST
      : Math.max(1, Math.min(MAX_TRACES_PER_POST, Math.ceil(rate / 5)));
  const batch: Span[][] = [];
  let spans = 0;
  for (let i = from; i < traces.length && batch.length < maxTraces; i++) {
    const t = traces[i]!;
    if (batch.length > 0 && spans + t.length > MAX_SPANS_PER_POST) break;
    batch.push(t);
    spans += t.length;
  }
  return batch;
}

async function post(endpoint: string, base: string, spans: readonly Span[]): Promise<void> {
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: encodeJsonV2List(spans),
    });
  } catch (e) {
    throw new DemoSendError(`cannot reach Skein at ${base}: ${networkReason(e)} — is it running? npm start`);
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).trim().slice(0, 500);
    throw new DemoSendError(
      `Skein at ${base} rejected the spans: HTTP ${res.status}${text ? `: ${text}` : ''}`,
    );
  }
  // Drain the (empty) body so the connection is reused.
  await res.arrayBuffer().catch(() => undefined);
}

/** fetch wraps the socket error: "fetch failed" with cause { code: 'ECONNREFUSED' }. */
function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return e instanceof Error ? e.message : String(e);
}

function rootTimestamp(trace: readonly Span[]): number {
  let min = Number.MAX_SAFE_INTEGER;
  for (const s of trace) {
    if (s.parentId === undefined && s.timestamp !== undefined) return s.timestamp;
    if (s.timestamp !== undefined && s.timestamp < min) min = s.timestamp;
  }
  return min;
}
