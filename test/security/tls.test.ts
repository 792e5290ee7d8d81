import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { createToken } from '../../src/server/auth/tokens.js';
import { waitFor } from '../support/wait.js';

/**
 * TLS on every TCP listener (issue 15 section 3) with a CA made in the test by the openssl CLI: real
 * clients verify Skein's certificate (a client without the CA refuses it), plain HTTP to a TLS port is
 * told to use TLS, the collector-only ports require a client certificate when TLS_CLIENT_CA_FILE is
 * set (mTLS), and reload() (SIGHUP) serves a new certificate to new connections.
 */
const dir = mkdtempSync(join(tmpdir(), 'skein-tls-'));
const p = (f: string) => join(dir, f);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`);
}
function makeLeaf(name: string, ca: string, cn: string, ext: string): void {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  writeFileSync(p(`${name}.ext`), ext);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
}

let server: RunningSkein;
let ca: Buffer;
let client: { cert: Buffer; key: Buffer };
const SERVER_EXT = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';

beforeAll(async () => {
  makeCa('ca');
  makeCa('clientca');
  makeLeaf('server', 'ca', 'skein-one', SERVER_EXT);
  makeLeaf('client', 'clientca', 'collector', 'extendedKeyUsage=clientAuth\n');
  ca = readFileSync(p('ca.pem'));
  client = { cert: readFileSync(p('client.pem')), key: readFileSync(p('client.key')) };
  server = await startTestServer({
    TLS_CERT_FILE: p('server.pem'),
    TLS_KEY_FILE: p('server.key'),
    TLS_CLIENT_CA_FILE: p('clientca.pem'),
  });
});
afterAll(async () => {
  await server?.close();
});

function get(port: number, path: string, opts: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {}): Promise<{ status: number; body: string; peerCn: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ...opts, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const cert = (res.socket as unknown as { getPeerCertificate(): { subject: { CN: string } } }).getPeerCertificate?.();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), peerCn: cert?.subject?.CN ?? '' });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function sdkSpan(): ReadableSpan {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'tls-test' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  provider.getTracer('tls').startSpan('op').end();
  return memory.getFinishedSpans()[0]!;
}
const exportWith = (exporter: SpanExporter, span: ReadableSpan) =>
  new Promise<ExportResult>((resolve) => exporter.export([span], resolve)).finally(() => exporter.shutdown());

async function stored(traceId: string): Promise<void> {
  await waitFor(async () => {
    const r = await get(server.port, `/api/v2/trace/${traceId}`, { ca });
    return r.status === 200 ? true : undefined;
  }, `trace ${traceId} over https`);
}

describe('TLS', () => {
  it('the Zipkin port serves HTTPS with a certificate a client verifies against the test CA', async () => {
    expect(server.url).toMatch(/^https:/);
    const r = await get(server.port, '/health', { ca });
    expect(r.status).toBe(200);
    expect(r.peerCn).toBe('skein-one');
    for (const name of ['jaeger-query', 'jaeger-sampling', 'jaeger-admin'])
      expect((await get(server.listeners[name]!, '/', { ca })).status, name).toBeLessThan(500);
  });

  it('zipkin gRPC on the Zipkin port over TLS (ALPN h2)', async () => {
    const session = connect(`https://127.0.0.1:${server.port}`, { ca });
    try {
      const status = await new Promise<string>((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/zipkin.proto3.SpanService/Report', 'content-type': 'application/grpc', te: 'trailers' });
        let code = '';
        req.on('response', (h) => (code = String(h['grpc-status'] ?? code)));
        req.on('trailers', (h) => (code = String(h['grpc-status'] ?? code)));
        req.on('error', reject);
        req.on('close', () => resolve(code));
        req.resume();
        req.end(Buffer.from([0, 0, 0, 0, 0]));
      });
      expect(status).toBe('0');
    } finally {
      session.close();
    }
  });

  it('a client without the CA refuses the certificate', async () => {
    await expect(get(server.port, '/health')).rejects.toThrow(/self.signed|unable to verify|certificate/i);
  });

  it('plain HTTP to a TLS port is told to use TLS', async () => {
    for (const port of [server.port, server.listeners['otlp-http']!, server.listeners['jaeger-query']!]) {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/requires TLS: connect with https:\/\//);
    }
  });

  it('exporter-trace-otlp-proto over HTTPS with a client certificate (mTLS) stores spans; without one it fails', async () => {
    const url = `https://127.0.0.1:${server.listeners['otlp-http']}/v1/traces`;
    const span = sdkSpan();
    const ok = await exportWith(new HttpProtoExporter({ url, httpAgentOptions: { ca, ...client } }), span);
    expect(ok.error?.message).toBeUndefined();
    expect(ok.code).toBe(ExportResultCode.SUCCESS);
    await stored(span.spanContext().traceId);
    const refused = await exportWith(new HttpProtoExporter({ url, httpAgentOptions: { ca } }), sdkSpan());
    expect(refused.code).toBe(ExportResultCode.FAILED);
  });

  it('exporter-trace-otlp-grpc over TLS with a client certificate stores spans; without one it fails', async () => {
    const url = `https://127.0.0.1:${server.listeners['otlp-grpc']}`;
    const span = sdkSpan();
    const ok = await exportWith(new GrpcExporter({ url, credentials: grpc.credentials.createSsl(ca, client.key, client.cert) }), span);
    expect(ok.error?.message).toBeUndefined();
    expect(ok.code).toBe(ExportResultCode.SUCCESS);
    await stored(span.spanContext().traceId);
    const refused = await exportWith(new GrpcExporter({ url, credentials: grpc.credentials.createSsl(ca) }), sdkSpan());
    expect(refused.code).toBe(ExportResultCode.FAILED);
  });

  it('OTLP on the Zipkin port needs no client certificate (it also serves the UI and queries)', async () => {
    const span = sdkSpan();
    const ok = await exportWith(new HttpProtoExporter({ url: `${server.url}/v1/traces`, httpAgentOptions: { ca } }), span);
    expect(ok.code).toBe(ExportResultCode.SUCCESS);
    await stored(span.spanContext().traceId);
  });

  it('under TLS with authentication, the session cookie is Secure and tokens travel only inside TLS', async () => {
    const tokens = p('tokens');
    const read = createToken(tokens, 'read', 'viewer');
    const secured = await startTestServer({ TLS_CERT_FILE: p('server.pem'), TLS_KEY_FILE: p('server.key'), AUTH_TOKENS_FILE: tokens });
    try {
      const setCookie = await new Promise<string>((resolve, reject) => {
        const body = new URLSearchParams({ token: read }).toString();
        const req = httpsRequest(
          { host: '127.0.0.1', port: secured.port, path: '/zipkin/signin', method: 'POST', ca, agent: false,
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            expect(res.statusCode).toBe(303);
            resolve(String(res.headers['set-cookie'] ?? ''));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      expect(setCookie).toMatch(/^skein_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
      expect((await get(secured.port, '/api/v2/services', { ca })).status).toBe(401);
    } finally {
      await secured.close();
    }
  });

  it('reload (SIGHUP) serves a new certificate to new connections', async () => {
    const before = await get(server.port, '/health', { ca });
    expect(before.peerCn).toBe('skein-one');
    makeLeaf('server', 'ca', 'skein-two', SERVER_EXT); // overwrites server.pem and server.key
    server.reload();
    const after = await get(server.port, '/health', { ca });
    expect(after.peerCn).toBe('skein-two');
    // ALPN on the shared port: h2 is offered for gRPC, HTTP/1.1 for browsers.
    const alpn = await new Promise<string | false>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: server.port, ca, ALPNProtocols: ['h2'] }, () => {
        resolve(s.alpnProtocol ?? false);
        s.end();
      });
      s.on('error', reject);
    });
    expect(alpn).toBe('h2');
  });
});
