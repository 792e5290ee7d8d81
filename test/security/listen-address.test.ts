import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToken } from '../../src/server/auth/tokens.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { servicesRequired } from '../support/require-service.js';

/**
 * LISTEN_ADDRESS and JAEGER_AGENT_ADDRESS (issue 15 section 3). A listener bound to one address leaves
 * the same port free on the host's other addresses; one bound to all interfaces does not. So trying to
 * bind the port on a non-loopback address of this host says, without timing, where Skein listens.
 */
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && !a.internal && a.family === 'IPv4')?.address;

const UDP = new Set(['jaeger-udp-compact', 'jaeger-udp-binary']);

function canBindTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function canBindUdp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

async function freeOn(host: string, server: RunningSkein): Promise<Record<string, boolean>> {
  const all = { zipkin: server.port, ...server.listeners };
  const out: Record<string, boolean> = {};
  for (const [name, port] of Object.entries(all))
    out[name] = UDP.has(name) ? await canBindUdp(host, port) : await canBindTcp(host, port);
  return out;
}

let server: RunningSkein | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.skipIf(external === undefined && !servicesRequired())('listening addresses', () => {
  it('by default every listener is on all interfaces, as Zipkin', async () => {
    server = await startTestServer();
    const free = await freeOn(external!, server);
    expect(Object.values(free).every((f) => !f), JSON.stringify(free)).toBe(true);
  });

  it('LISTEN_ADDRESS=127.0.0.1 binds every TCP and UDP listener to loopback only', async () => {
    server = await startTestServer({ LISTEN_ADDRESS: '127.0.0.1' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const free = await freeOn(external!, server);
    expect(Object.values(free).every((f) => f), JSON.stringify(free)).toBe(true);
    expect(Object.keys(free)).toEqual(expect.arrayContaining(['zipkin', 'otlp-grpc', 'jaeger-udp-binary', 'jaeger-query']));
  });

  it('with authentication on, the UDP agent ports are on loopback and the TCP ports stay on all interfaces', async () => {
    const tokens = join(mkdtempSync(join(tmpdir(), 'skein-addr-')), 'tokens');
    createToken(tokens, 'ingest', 'test');
    server = await startTestServer({ AUTH_TOKENS_FILE: tokens });
    const free = await freeOn(external!, server);
    for (const [name, f] of Object.entries(free)) expect(f, name).toBe(UDP.has(name));
  });

  it('LISTENER_ADDRESSES moves the listeners it names, TCP and UDP, and no other', async () => {
    const moved = new Set(['zipkin', 'otlp-grpc', 'jaeger-admin', 'jaeger-udp-compact']);
    server = await startTestServer({
      LISTENER_ADDRESSES: [...moved].map((n) => `${n}=127.0.0.1`).join(','),
    });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const free = await freeOn(external!, server);
    for (const [name, f] of Object.entries(free)) expect(f, name).toBe(moved.has(name));
  });

  it('JAEGER_AGENT_ADDRESS moves only the UDP agent ports', async () => {
    server = await startTestServer({ JAEGER_AGENT_ADDRESS: '127.0.0.1' });
    const free = await freeOn(external!, server);
    for (const [name, f] of Object.entries(free)) expect(f, name).toBe(UDP.has(name));
  });
});

describe('address settings', () => {
  it('LISTEN_ADDRESS=::1 serves on IPv6 loopback and the url says so', async () => {
    server = await startTestServer({ LISTEN_ADDRESS: '::1' });
    expect(server.url).toBe(`http://[::1]:${server.port}`);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('an unknown listener name is refused with the names allowed', async () => {
    await expect(startTestServer({ LISTENER_ADDRESSES: 'otlp=127.0.0.1' })).rejects.toThrow(
      /LISTENER_ADDRESSES: expected name=ip with a name among zipkin, jaeger-query/,
    );
    await expect(startTestServer({ LISTENER_ADDRESSES: 'otlp-grpc=localhost' })).rejects.toThrow(
      /LISTENER_ADDRESSES \(otlp-grpc\): expected an IP address/,
    );
  });

  it('a host name is refused with the key named', async () => {
    await expect(startTestServer({ LISTEN_ADDRESS: 'example.com' })).rejects.toThrow(
      /LISTEN_ADDRESS: expected an IP address/,
    );
  });
});
