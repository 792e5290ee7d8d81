import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ListenError } from '../../src/server/listen-error.js';
import { startTestServer } from '../support/server.js';

describe('a port that is already taken', () => {
  it('stops start-up with the setting to change, and leaves nothing listening', async () => {
    const squatter = createServer().listen(0);
    await once(squatter, 'listening');
    const port = (squatter.address() as AddressInfo).port;
    try {
      for (const [key, fix] of [
        ['OTLP_HTTP_PORT', /set OTLP_HTTP_PORT to a free port, or to off/],
        ['QUERY_PORT', /set QUERY_PORT to a free port/],
      ] as const) {
        const start = startTestServer({ [key]: String(port) });
        await expect(start).rejects.toBeInstanceOf(ListenError);
        await expect(start).rejects.toThrow(fix);
        await expect(start).rejects.toThrow(`port ${port} (${key}): the port is already in use`);
      }
      // The failed attempts released everything: a normal start still works.
      const ok = await startTestServer();
      await ok.close();
    } finally {
      squatter.close();
    }
  });
});
