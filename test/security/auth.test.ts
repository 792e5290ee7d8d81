import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchRecorder, ExplicitContext, Tracer, jsonEncoder } from 'zipkin';
import { HttpLogger } from 'zipkin-transport-http';
import jaeger from 'jaeger-client';
import { parseConfig, readRawConfig } from '../../src/server/config.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { createToken } from '../../src/server/auth/tokens.js';
import { runTokenCommand } from '../../src/server/auth/token-command.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * Authentication with real clients over real sockets (issue 15 section 2): the OTel OTLP exporters (HTTP
 * and gRPC, headers from OTEL_EXPORTER_OTLP_HEADERS), zipkin-transport-http with a custom header and
 * jaeger-client over HTTP (Basic credentials) store spans with an ingest token; no token is 401 /
 * UNAUTHENTICATED; a read token is 403 / PERMISSION_DENIED on ingest; an ingest token is 403 on queries.
 */
const dir = mkdtempSync(join(tmpdir(), 'skein-auth-'));
const file = join(dir, 'tokens');
let ingest: string;
let read: string;
let admin: string;
let server: RunningSkein;

beforeAll(async () => {
  ingest = runTokenCommand(['create', '--role', 'ingest', '--name', 'collectors', '--file', file], {});
  read = createToken(file, 'read', 'grafana');
  admin = createToken(file, 'admin', 'ops');
  server = await startTestServer({ AUTH_TOKENS_FILE: file });
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => {
  delete process.env['OTEL_EXPORTER_OTLP_HEADERS'];
});

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const q = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

async function readTrace(traceId: string): Promise<unknown[]> {
  return waitFor(async () => {
    const res = await q(`/api/v2/trace/${traceId}`, bearer(read));
    return res.status === 200 ? ((await res.json()) as unknown[]) : undefined;
  }, `trace ${traceId} readable with the read token`);
}

/** One finished SDK span, to hand to an exporter under test. */
function sdkSpan(service: string): ReadableSpan {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  provider.getTracer('auth-test').startSpan('op').end();
  return memory.getFinishedSpans()[0]!;
}

function exportWith(exporter: SpanExporter, span: ReadableSpan): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export([span], resolve)).finally(() => exporter.shutdown()) as Promise<ExportResult>;
}

describe('tokens file and CLI', () => {
  it('stores only hashes, mode 0600, one line per token', () => {
    const text = readFileSync(file, 'utf8');
    for (const t of [ingest, read, admin]) expect(text).not.toContain(t);
    expect(text.split('\n').filter((l) => l.startsWith('sha256:'))).toHaveLength(3);
    expect(text).toMatch(/ ingest collectors\n/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ingest).toMatch(/^skein_[A-Za-z0-9_-]{43}$/);
  });

  it('AUTH_ENABLED without a tokens file is refused; with auth on the UDP agent ports default to loopback', () => {
    const parse = (env: Record<string, string>) => parseConfig(readRawConfig(env, []));
    expect(() => parse({ AUTH_ENABLED: 'true' })).toThrow(/AUTH_ENABLED: needs AUTH_TOKENS_FILE/);
    expect(parse({}).auth).toBeNull();
    expect(parse({}).agentAddress).toBeUndefined();
    expect(parse({ AUTH_TOKENS_FILE: file }).agentAddress).toBe('127.0.0.1');
    expect(parse({ AUTH_TOKENS_FILE: file, JAEGER_AGENT_ADDRESS: '0.0.0.0' }).agentAddress).toBe('0.0.0.0');
  });
});

describe('OTLP exporters with OTEL_EXPORTER_OTLP_HEADERS', () => {
  const http = () => `http://127.0.0.1:${server.listeners['otlp-http']}/v1/traces`;
  const grpc = () => `http://127.0.0.1:${server.listeners['otlp-grpc']}`;

  it.each([
    ['exporter-trace-otlp-proto', () => new HttpProtoExporter({ url: http() })],
    ['exporter-trace-otlp-proto on QUERY_PORT', () => new HttpProtoExporter({ url: `${server.url}/v1/traces` })],
    ['exporter-trace-otlp-grpc', () => new GrpcExporter({ url: grpc() })],
  ])('%s: stored with an ingest token', async (_label, make) => {
    process.env['OTEL_EXPORTER_OTLP_HEADERS'] = `Authorization=Bearer ${ingest}`;
    const span = sdkSpan('otlp-auth');
    const result = await exportWith(make(), span);
    expect(result.error?.message).toBeUndefined();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(await readTrace(span.spanContext().traceId)).toHaveLength(1);
  });

  it.each([
    ['no token', undefined, 401, /authentication required/],
    ['a read token', 'read', 403, /role read, which cannot send spans/],
    ['an unknown token', 'bogus', 401, /not valid/],
  ])('exporter-trace-otlp-proto with %s: %s', async (_label, which, status, message) => {
    const token = which === 'read' ? read : which;
    if (token) process.env['OTEL_EXPORTER_OTLP_HEADERS'] = `Authorization=Bearer ${token}`;
    const result = await exportWith(new HttpProtoExporter({ url: http() }), sdkSpan('otlp-refused'));
    expect(result.code).toBe(ExportResultCode.FAILED);
    const err = result.error as Error & { code?: number; data?: string };
    expect(err.code).toBe(status);
    expect(err.data ?? err.message).toMatch(message);
  });

  it.each([
    ['no token', undefined, 16, /authentication required/],
    ['a read token', 'read', 7, /role read, which cannot send spans/],
  ])('exporter-trace-otlp-grpc with %s: gRPC %s', async (_label, which, code, message) => {
    if (which) process.env['OTEL_EXPORTER_OTLP_HEADERS'] = `Authorization=Bearer ${read}`;
    const result = await exportWith(new GrpcExporter({ url: grpc() }), sdkSpan('grpc-refused'));
    expect(result.code).toBe(ExportResultCode.FAILED);
    const err = result.error as Error & { code?: number };
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });
});

describe('zipkin-transport-http with a custom header', () => {
  async function send(headers: Record<string, string>): Promise<{ traceId: string; errors: unknown[] }> {
    const logger = new HttpLogger({
      endpoint: `${server.url}/api/v2/spans`,
      jsonEncoder: jsonEncoder.JSON_V2,
      httpInterval: 20,
      headers,
    });
    const errors: unknown[] = [];
    (logger as unknown as NodeJS.EventEmitter).on('error', (e: unknown) => errors.push(e));
    const tracer = new Tracer({ ctxImpl: new ExplicitContext(), recorder: new BatchRecorder({ logger }), localServiceName: 'zipkin-auth' });
    const id = tracer.createRootId();
    tracer.letId(id, () => tracer.local('work', () => 1));
    return { traceId: id.traceId, errors };
  }

  it('stores spans sent with an ingest token', async () => {
    const { traceId, errors } = await send(bearer(ingest));
    expect((await readTrace(traceId.padStart(16, '0'))).length).toBe(1);
    expect(errors).toEqual([]);
  });

  it('reports 401 without a token and 403 with a read token', async () => {
    for (const [headers, status] of [
      [{}, 401],
      [bearer(read), 403],
    ] as const) {
      const { errors } = await send(headers);
      const err = await waitFor(async () => errors[0], `zipkin-transport-http's error for ${status}`);
      expect(String(err)).toContain(String(status));
    }
  });
});

describe('jaeger-client over HTTP, Basic credentials with the token as password', () => {
  async function report(password: string | undefined): Promise<{ traceId: string; errors: string[] }> {
    const errors: string[] = [];
    const logger = { info: () => {}, error: (m: string) => errors.push(m) };
    const tracer = jaeger.initTracer(
      {
        serviceName: 'jaeger-auth',
        sampler: { type: 'const', param: 1 },
        reporter: {
          collectorEndpoint: `http://127.0.0.1:${server.listeners['jaeger-http']}/api/traces`,
          ...(password ? { username: 'reporter', password } : {}),
          flushIntervalMs: 20,
        },
      },
      { logger, traceId128bit: true },
    );
    const span = tracer.startSpan('job');
    span.finish();
    await new Promise<void>((resolve) => tracer.close(() => resolve()));
    const ctx = span.context() as unknown as { toTraceId(): string };
    return { traceId: ctx.toTraceId().padStart(32, '0'), errors };
  }

  it('stores spans with an ingest token', async () => {
    const { traceId, errors } = await report(ingest);
    expect(errors).toEqual([]);
    expect(await readTrace(traceId)).toHaveLength(1);
  });

  it('is refused 401 without credentials and 403 with a read token', async () => {
    const none = await report(undefined);
    expect(none.errors.join('\n')).toMatch(/401/);
    const wrong = await report(read);
    expect(wrong.errors.join('\n')).toMatch(/403/);
  });
});

describe('query APIs and the rest', () => {
  it.each([
    '/api/v2/services',
    '/zipkin/api/v2/services',
    '/zipkin/config.json',
    '/zipkin/',
    '/prometheus',
  ])('%s: 401 without a token, 403 with an ingest token, 200 with read or admin', async (path) => {
    const none = await q(path);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="skein"');
    const ing = await q(path, bearer(ingest));
    expect(ing.status).toBe(403);
    expect(await ing.text()).toMatch(/role ingest, which cannot read traces: that needs role read/);
    expect((await q(path, bearer(read))).status).toBe(200);
    expect((await q(path, bearer(admin))).status).toBe(200);
    const basic = Buffer.from(`anyone:${read}`).toString('base64');
    expect((await q(path, { authorization: `Basic ${basic}` })).status).toBe(200);
  });

  it('the Jaeger query port follows the same roles', async () => {
    const base = `http://127.0.0.1:${server.listeners['jaeger-query']}`;
    expect((await fetch(`${base}/api/services`)).status).toBe(401);
    expect((await fetch(`${base}/api/services`, { headers: bearer(ingest) })).status).toBe(403);
    expect((await fetch(`${base}/api/v3/services`, { headers: bearer(read) })).status).toBe(200);
  });

  it('/health and /info stay open', async () => {
    expect((await q('/health')).status).toBe(200);
    expect((await q('/info')).status).toBe(200);
  });

  it('an ingest token cannot read, a read token cannot ingest on the Zipkin API', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '[]' });
    expect((await post({})).status).toBe(401);
    expect((await post(bearer(read))).status).toBe(403);
    expect((await post(bearer(ingest))).status).toBe(202);
    expect((await post(bearer(admin))).status).toBe(202);
  });
});

describe('gRPC on the Zipkin port (h2c) and on JAEGER_GRPC_PORT', () => {
  /** One gRPC call with an empty message over node's http2 client; returns grpc-status and grpc-message. */
  async function call(port: number, path: string, headers: Record<string, string>): Promise<[string, string]> {
    const { connect } = await import('node:http2');
    const session = connect(`http://127.0.0.1:${port}`);
    try {
      return await new Promise((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
        let status: [string, string] | undefined;
        const take = (h: Record<string, unknown>) => {
          if (h['grpc-status'] !== undefined) status = [String(h['grpc-status']), decodeURIComponent(String(h['grpc-message'] ?? ''))];
        };
        req.on('response', take);
        req.on('trailers', take);
        req.on('error', reject);
        req.on('close', () => (status ? resolve(status) : reject(new Error('no grpc-status'))));
        req.resume();
        req.end(Buffer.from([0, 0, 0, 0, 0]));
      });
    } finally {
      session.close();
    }
  }
  const ZIPKIN = '/zipkin.proto3.SpanService/Report';
  const JAEGER = '/jaeger.api_v2.CollectorService/PostSpans';

  it('zipkin.proto3.SpanService/Report: UNAUTHENTICATED, PERMISSION_DENIED, then OK', async () => {
    expect((await call(server.port, ZIPKIN, {}))[0]).toBe('16');
    const [code, msg] = await call(server.port, ZIPKIN, bearer(read));
    expect(code).toBe('7');
    expect(msg).toMatch(/needs role ingest/);
    expect((await call(server.port, ZIPKIN, bearer(ingest)))[0]).toBe('0');
  });

  it('jaeger CollectorService/PostSpans: UNAUTHENTICATED, PERMISSION_DENIED, then OK', async () => {
    const port = server.listeners['jaeger-grpc']!;
    expect((await call(port, JAEGER, {}))[0]).toBe('16');
    expect((await call(port, JAEGER, bearer(read)))[0]).toBe('7');
    expect((await call(port, JAEGER, bearer(ingest)))[0]).toBe('0');
  });
});

describe('revoking a token', () => {
  it('removing it from AUTH_TOKENS_FILE and reloading ends its API access and its UI sessions', async () => {
    const temp = createToken(file, 'read', 'temporary');
    server.reload();
    const signIn = await fetch(`${server.url}/zipkin/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: temp }).toString(),
    });
    expect(signIn.status).toBe(303);
    const cookie = /skein_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')![0];
    expect((await q('/api/v2/services', { cookie })).status).toBe(200);
    expect((await q('/api/v2/services', bearer(temp))).status).toBe(200);

    writeFileSync(file, readFileSync(file, 'utf8').split('\n').filter((l) => !l.endsWith(' temporary')).join('\n'));
    server.reload();
    expect((await q('/api/v2/services', bearer(temp))).status).toBe(401);
    expect((await q('/api/v2/services', { cookie })).status).toBe(401);
    expect((await q('/api/v2/services', bearer(read))).status).toBe(200);
  });
});
