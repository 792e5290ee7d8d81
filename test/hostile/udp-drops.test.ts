import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue 15: UDP loss is visible. The Jaeger UDP ports lost most of a burst before Skein read it and no
 * metric showed it. With a small JAEGER_AGENT_RECEIVE_BUFFER and this process's event loop held by a
 * synchronous child that sends a burst (so the server, in this process, reads nothing meanwhile), the
 * kernel drops datagrams and /prometheus shows its count per listener.
 */

let server: RunningSkein;
beforeAll(async () => {
  server = await startTestServer({ JAEGER_AGENT_RECEIVE_BUFFER: '4KiB' });
});
afterAll(async () => {
  await server?.close();
});

async function metric(name: string, listener: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/prometheus`)).text();
  const m = new RegExp(`^${name}\\{listener="${listener}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

describe.skipIf(process.platform !== 'linux')('UDP receive-buffer drops on /prometheus', () => {
  it('a burst the socket cannot hold is counted as kernel drops', { timeout: 60_000 }, async () => {
    const port = server.listeners['jaeger-udp-compact']!;
    expect(await metric('skein_udp_receive_drops', 'jaeger-udp-compact')).toBe(0);
    expect(await metric('skein_udp_receive_buffer_bytes', 'jaeger-udp-compact')).toBeGreaterThan(0);
    const sender = `
      const s = require('node:dgram').createSocket('udp4');
      const packet = Buffer.alloc(1000, 1);
      let left = 2000;
      const next = () => (left-- > 0 ? s.send(packet, ${port}, '127.0.0.1', next) : s.close());
      next();`;
    // Synchronous: the server shares this event loop, so it reads nothing until the burst is sent.
    execFileSync(process.execPath, ['-e', sender]);
    const drops = await waitFor(async () => {
      const n = await metric('skein_udp_receive_drops', 'jaeger-udp-compact');
      return n !== undefined && n > 0 ? n : undefined;
    }, 'kernel drops counted on /prometheus');
    expect(drops).toBeGreaterThan(0);
  });
});
