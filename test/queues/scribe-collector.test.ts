import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import thrift from 'thrift';
import type { TProtocol, TTransport } from 'thrift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeThriftSpan } from '../../src/codec/thrift/thrift-codec.js';
import { Collector } from '../../src/collector/collector.js';
import { PrometheusCollectorMetrics } from '../../src/collector/collector-metrics.js';
import { CollectorSampler } from '../../src/collector/sampler.js';
import { startScribeListener } from '../../src/collector/scribe/scribe-listener.js';
import {
  ResultCode,
  readLogResult,
  writeLogArgs,
  type LogEntry,
} from '../../src/collector/scribe/scribe-protocol.js';
import { StorageError } from '../../src/model/failure.js';
import type { Span } from '../../src/model/span.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import type { SpanConsumer } from '../../src/storage/storage-component.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * A Scribe client as thrift's code generator would write it for `ResultCode Log(1: list<LogEntry>)`, driven
 * by the thrift library's own connection (framed transport, binary protocol), so the wire bytes are the
 * library's, not ours.
 */
class ScribeClient {
  _seqid = 0;
  _reqs: Record<number, (err: unknown, result?: number) => void> = {};
  constructor(
    private readonly output: TTransport,
    private readonly pClass: new (trans: TTransport) => TProtocol,
  ) {}

  Log(messages: LogEntry[]): Promise<number | undefined> {
    const seqid = ++this._seqid;
    return new Promise((resolve, reject) => {
      this._reqs[seqid] = (err, result) => (err ? reject(err as Error) : resolve(result));
      const out = new this.pClass(this.output);
      out.writeMessageBegin('Log', thrift.Thrift.MessageType.CALL, seqid);
      writeLogArgs(out, messages);
      out.writeMessageEnd();
      this.output.flush();
    });
  }

  recv_Log(input: TProtocol, mtype: number, rseqid: number): void {
    const callback = this._reqs[rseqid] ?? (() => undefined);
    delete this._reqs[rseqid];
    if (mtype === thrift.Thrift.MessageType.EXCEPTION) {
      const x = new thrift.Thrift.TApplicationException();
      x.read(input);
      input.readMessageEnd();
      callback(x);
      return;
    }
    const result = readLogResult(input);
    input.readMessageEnd();
    callback(null, result);
  }
}

async function connect(port: number): Promise<{ client: ScribeClient; close(): void }> {
  const connection = thrift.createConnection('127.0.0.1', port, {
    transport: thrift.TFramedTransport,
    protocol: thrift.TBinaryProtocol,
    max_attempts: 1,
  });
  await new Promise<void>((resolve, reject) => {
    connection.once('connect', () => resolve());
    connection.once('error', reject);
  });
  const client = thrift.createClient(ScribeClient, connection);
  return { client, close: () => connection.end() };
}

function trace(): Span[] {
  const traceId = randomBytes(16).toString('hex');
  const ts = Date.now() * 1000;
  return [
    {
      traceId,
      id: '000000000000000a',
      name: 'get /',
      kind: 'SERVER',
      timestamp: ts,
      duration: 900,
      localEndpoint: { serviceName: 'web', ipv4: '10.0.0.1' },
      tags: { 'http.path': '/' },
    },
    {
      traceId,
      parentId: '000000000000000a',
      id: '000000000000000b',
      name: 'get',
      kind: 'CLIENT',
      timestamp: ts + 10,
      duration: 400,
      localEndpoint: { serviceName: 'web', ipv4: '10.0.0.1' },
      remoteEndpoint: { serviceName: 'cache', ipv4: '10.0.0.3', port: 6379 },
    },
  ];
}

/** Scribe messages as zipkin's senders write them: one base64 Thrift span per entry. */
const entries = (spans: Span[], category = 'zipkin'): LogEntry[] =>
  spans.map((s) => ({ category, message: Buffer.from(encodeThriftSpan(s)).toString('base64') }));

const byId = (a: Span, b: Span) => a.id.localeCompare(b.id);

/** The trace from the Zipkin API, or undefined while it is not there (any answer but 200). */
async function getTrace(server: RunningSkein, traceId: string): Promise<Span[] | undefined> {
  const res = await fetch(`${server.url}/api/v2/trace/${traceId}`);
  return res.status === 200 ? ((await res.json()) as Span[]) : undefined;
}

async function readTrace(server: RunningSkein, traceId: string, spans: number): Promise<Span[]> {
  return waitFor(async () => {
    const got = await getTrace(server, traceId);
    return got && got.length >= spans ? got.sort(byId) : undefined;
  }, `trace ${traceId} with ${spans} spans in the Zipkin API`);
}

describe('Scribe collector through a running Skein (SCRIBE_ENABLED)', () => {
  let server: RunningSkein;
  let scribe: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    server = await startTestServer({ SCRIBE_ENABLED: 'true', SCRIBE_PORT: '0' });
    scribe = await connect(server.listeners.scribe!);
  });
  afterAll(async () => {
    scribe?.close();
    await server?.close();
  });

  it('stores the base64 Thrift spans of its category and ignores other categories', async () => {
    const spans = trace();
    const other = trace();
    const code = await scribe.client.Log([...entries(spans), ...entries(other, 'not-zipkin')]);
    expect(code).toBe(ResultCode.OK);
    expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
    expect(await getTrace(server, other[0]!.traceId)).toBeUndefined();
  });

  it('drops an undecodable Log call (OK, counted) and stores the next one', async () => {
    const garbage = { category: 'zipkin', message: Buffer.from('not a thrift span').toString('base64') };
    expect(await scribe.client.Log([garbage])).toBe(ResultCode.OK);
    const spans = trace();
    expect(await scribe.client.Log(entries(spans))).toBe(ResultCode.OK);
    expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
    const metrics = await (await fetch(`${server.url}/prometheus`)).text();
    const dropped = metrics
      .split('\n')
      .find((l) => l.startsWith('zipkin_collector_messages_dropped_total{transport="scribe"}'));
    expect(dropped?.split(' ')[1]).toBe('1');
  });
});

describe('Scribe collector during a storage outage', () => {
  let server: RunningSkein;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers TRY_LATER while storage refuses, and stores the resent batch once it is back', async () => {
    const real = server.storage.spanConsumer();
    let down = true;
    let stored = 0;
    const consumer: SpanConsumer = {
      async accept(spans) {
        if (down) throw new StorageError('transient', 'test outage: storage unreachable');
        await real.accept(spans);
        stored++;
      },
    };
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const collector = new Collector({
      consumer,
      sampler: new CollectorSampler(1),
      metrics: new PrometheusCollectorMetrics(new Registry()),
      logger,
    });
    const listener = await startScribeListener({
      port: 0,
      host: '127.0.0.1',
      category: 'zipkin',
      collector,
      logger,
    });
    const scribe = await connect(listener.port);
    try {
      const spans = trace();
      expect(await scribe.client.Log(entries(spans))).toBe(ResultCode.TRY_LATER);
      expect(await getTrace(server, spans[0]!.traceId)).toBeUndefined();
      down = false;
      expect(await scribe.client.Log(entries(spans))).toBe(ResultCode.OK);
      expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
      expect(stored).toBe(1);
    } finally {
      scribe.close();
      await listener.close();
    }
  });
});
