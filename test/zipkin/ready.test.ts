import { fastify } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReady, type Readiness } from '../../src/query/health.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';

describe('/ready', () => {
  let server: RunningSkein;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  it('answers 200 READY once storage is open and every listener is bound', async () => {
    const res = await fetch(`${server.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'READY' });
    // Every configured listener really is bound by then.
    for (const [name, port] of Object.entries(server.listeners)) expect(port, name).toBeGreaterThan(0);
  });

  it('answers 503 with the reason while starting or shutting down', async () => {
    const app = fastify();
    const state: Readiness = { ready: false, reason: 'starting' };
    registerReady(app, () => state);
    const starting = await app.inject({ method: 'GET', url: '/ready' });
    expect(starting.statusCode).toBe(503);
    expect(starting.json()).toEqual({ status: 'NOT_READY', reason: 'starting' });
    state.ready = true;
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    Object.assign(state, { ready: false, reason: 'shutting down' });
    expect((await app.inject({ method: 'GET', url: '/ready' })).json()).toEqual({
      status: 'NOT_READY',
      reason: 'shutting down',
    });
    await app.close();
  });
});
