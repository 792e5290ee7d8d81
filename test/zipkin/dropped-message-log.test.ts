import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';

// A dropped message is logged with the transport and the client's address, so the operator can find the
// reporter that sends it (issue 15).
describe('dropped-message log line', () => {
  const lines: Record<string, unknown>[] = [];
  let server: RunningSkein;
  beforeAll(async () => {
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n'))
          if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    server = await startTestServer({}, pino({ level: 'info' }, out));
  });
  afterAll(async () => server.close());

  it('names the transport and the client address for a malformed Zipkin and a refused OTLP body', async () => {
    const bad = await fetch(`${server.url}/api/v2/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[{"traceId": 12}]',
    });
    expect(bad.status).toBe(400);
    const otlp = await fetch(`http://127.0.0.1:${server.listeners['otlp-http']}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'a,b',
    });
    expect(otlp.status).toBe(415);

    const drops = lines.filter((l) => String(l.msg).startsWith('dropped message'));
    const http = drops.find((l) => l.transport === 'http');
    expect(http?.msg, JSON.stringify(lines)).toBe('dropped message: malformed');
    expect(String(http?.client)).toMatch(/127\.0\.0\.1/);
    const refused = drops.find((l) => l.transport === 'otlp-http');
    expect(refused?.msg).toBe('dropped message: unsupported content type');
    expect(String(refused?.client)).toMatch(/127\.0\.0\.1/);
  });
});
