import { describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';

interface Health {
  status: string;
  zipkin: { details: Record<string, { status: string; details?: Record<string, unknown> }> };
}

describe('a queue broker that is down at start-up', () => {
  it('does not stop Skein: /health is DOWN naming the consumer and why, the HTTP collector still works, and it closes while reconnecting', async () => {
    // Port 1 on loopback refuses connections: a broker that is not there.
    const server = await startTestServer({ RABBIT_ADDRESSES: '127.0.0.1:1', RABBIT_QUEUE: 'q-down' });
    try {
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(503);
      const health = (await res.json()) as Health;
      expect(health.status).toBe('DOWN');
      expect(health.zipkin.details.rabbitmq).toMatchObject({
        status: 'DOWN',
        details: { queue: 'q-down', state: 'reconnecting' },
      });
      expect(String(health.zipkin.details.rabbitmq?.details?.error)).toContain('127.0.0.1:1');
      const post = await fetch(`${server.url}/api/v2/spans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '[]',
      });
      expect(post.status).toBe(202);
      // Still retrying in the background (the state stays reconnecting, not closed).
      await waitFor(async () => {
        const h = (await (await fetch(`${server.url}/health`)).json()) as Health;
        return h.zipkin.details.rabbitmq?.details?.state === 'reconnecting' ? true : undefined;
      }, 'the consumer to keep reconnecting');
    } finally {
      await server.close();
    }
  });
});
