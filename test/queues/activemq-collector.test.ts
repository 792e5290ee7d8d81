import { execFileSync } from 'node:child_process';
import stompit from 'stompit';
import type { Client } from 'stompit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJsonV2List } from '../../src/codec/json-v2/json-v2-codec.js';
import { encodeThriftList } from '../../src/codec/thrift/thrift-codec.js';
import { ActiveMqTransport, type ActiveMqOptions } from '../../src/collector/activemq/activemq-transport.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { requireService, tcpReachable } from '../support/require-service.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import {
  ENCODINGS,
  flakyStorage,
  getTrace,
  healthyConsumer,
  prometheusCounter,
  readTrace,
  runId,
  startConsumer,
  trace,
} from './queue-fixtures.js';

const available = await requireService('ActiveMQ (STOMP)', '127.0.0.1', 61613);

function publisher(): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = stompit.connect({ host: '127.0.0.1', port: 61613, connectHeaders: { host: '/' } }, (err) =>
      err ? reject(err) : resolve(c),
    );
    // Its connection goes with a restarted broker; that surfaces as a failed send, not a crash.
    c.on('error', () => undefined);
  });
}

/**
 * Sends one message as a Java JMS sender's would arrive: persistent, and with a content-length header, which
 * makes ActiveMQ keep it as a BytesMessage (a TextMessage when `text`, with no content-length).
 */
function send(client: Client, queue: string, body: Buffer, text = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      destination: `/queue/${queue}`,
      persistent: 'true',
      receipt: 'r',
    };
    if (!text) headers['content-length'] = String(body.length);
    const frame = client.send(headers, { onReceipt: () => resolve(), onError: reject });
    frame.on('error', reject);
    frame.end(body);
  });
}

async function close(client: Client | undefined): Promise<void> {
  if (!client) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => (client.destroy(new Error('closing')), resolve()), 2000);
    client.disconnect(() => (clearTimeout(timer), resolve()));
  });
}

/** Restarts the broker of scripts/services/activemq.sh (Debian's init script stops and starts it). */
function restartBroker(): void {
  execFileSync('bash', ['scripts/services/activemq.sh'], {
    stdio: 'inherit',
    env: { ...process.env, SKEIN_ACTIVEMQ_RESTART: '1' },
  });
}

describe.skipIf(!available)('ActiveMQ collector', () => {
  let pub: Client;
  beforeAll(async () => {
    pub = await publisher();
  });
  afterAll(async () => {
    await close(pub);
  });

  describe('through a running Skein (ACTIVEMQ_URL in zipkin form)', () => {
    const queue = `skein-test-${runId}-main`;
    let server: RunningSkein;
    beforeAll(async () => {
      // zipkin's form names the OpenWire port; Skein reaches the same broker on its STOMP port.
      server = await startTestServer({
        ACTIVEMQ_URL: 'failover:(tcp://127.0.0.1:61616)',
        ACTIVEMQ_QUEUE: queue,
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    for (const [name, encode] of ENCODINGS) {
      it(`stores spans published in ${name} over STOMP, readable through the API`, async () => {
        const spans = trace();
        await send(pub, queue, encode(spans));
        expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
      });
    }

    it('stores a JSON text message (a JMS TextMessage, no content-length)', async () => {
      const spans = trace();
      await send(pub, queue, Buffer.from(encodeJsonV2List(spans)), true);
      expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
    });

    it('counts messages per transport in /prometheus and shows the consumer in /health', async () => {
      expect(
        await prometheusCounter(server, 'zipkin_collector_messages_total', 'activemq'),
      ).toBeGreaterThanOrEqual(ENCODINGS.length);
      expect(await healthyConsumer(server, 'activemq')).toEqual({
        status: 'UP',
        details: { queue, state: 'connected' },
      });
    });

    it(
      'reconnects by itself after the broker restarts mid-stream, losing and duplicating nothing',
      { timeout: 300_000 },
      async () => {
        const traces = Array.from({ length: 20 }, () => trace());
        for (const [i, t] of traces.entries()) {
          await send(pub, queue, Buffer.from(encodeJsonV2List(t)));
          if (i === 5) {
            restartBroker();
            // The publisher's connection went with the broker.
            pub.destroy(new Error('broker restarted'));
            pub = await publisher();
          }
        }
        for (const t of traces) expect(await readTrace(server, t[0]!.traceId, 2, 120_000)).toEqual(t);
        expect((await healthyConsumer(server, 'activemq'))?.details?.state).toBe('connected');
      },
    );
  });

  describe('failures (a consumer on the collector path of a running Skein, with a storage that can fail)', () => {
    let server: RunningSkein;
    beforeAll(async () => {
      server = await startTestServer();
      // The restart above may still be settling.
      await waitFor(
        async () => ((await tcpReachable('127.0.0.1', 61613)) ? true : undefined),
        'ActiveMQ STOMP',
      );
    });
    afterAll(async () => {
      await server?.close();
    });

    const transport = (queue: string, maxMessageBytes = 1024 * 1024) => {
      const opts: ActiveMqOptions = {
        servers: [{ host: '127.0.0.1', port: 61613, ssl: false }],
        queue,
        concurrency: 1,
        username: '',
        password: '',
      };
      return new ActiveMqTransport(opts, maxMessageBytes);
    };

    it('drops an undecodable message once (counted and logged) and stores the next one', async () => {
      const queue = `skein-test-${runId}-bad`;
      const storage = flakyStorage(server);
      const { qc, logs, dropped } = await startConsumer(transport(queue), storage.consumer);
      try {
        const spans = trace();
        await send(pub, queue, Buffer.from('this is not a span list'));
        await send(pub, queue, Buffer.from(encodeJsonV2List(spans)));
        expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
        expect(await dropped()).toBe(1);
        expect(storage.state.stored).toBe(1);
        const drops = logs.filter((l) => l.msg.startsWith('dropped a activemq message'));
        expect(drops).toHaveLength(1);
        expect(drops[0]!.obj).toMatchObject({ transport: 'activemq', queue, reason: 'invalid' });
      } finally {
        await qc.close();
      }
    });

    it('drops a message larger than QUERY_MAX_BODY_BYTES without buffering it (counted and logged) and stores the next one', async () => {
      const queue = `skein-test-${runId}-large`;
      const storage = flakyStorage(server);
      const spans = trace();
      const small = Buffer.from(encodeJsonV2List(spans));
      const { qc, logs, dropped } = await startConsumer(
        transport(queue, small.length + 10),
        storage.consumer,
      );
      try {
        await send(pub, queue, Buffer.from(encodeJsonV2List([...spans, ...trace(), ...trace()])));
        await send(pub, queue, small);
        expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
        expect(await dropped()).toBe(1);
        expect(storage.state.stored).toBe(1);
        expect(logs.some((l) => l.msg.includes('body too large (QUERY_MAX_BODY_BYTES)'))).toBe(true);
      } finally {
        await qc.close();
      }
    });

    it('keeps messages queued during a storage outage (a consumer started later gets them) and stores each once', async () => {
      const queue = `skein-test-${runId}-outage`;
      const storage = flakyStorage(server);
      storage.state.down = true;
      const first = await startConsumer(transport(queue), storage.consumer);
      const traces = [trace(), trace(), trace()];
      try {
        for (const t of traces) await send(pub, queue, Buffer.from(encodeThriftList(t)));
        await waitFor(
          async () => (storage.state.refused >= 3 ? true : undefined),
          'storage to refuse 3 attempts',
        );
        for (const t of traces) expect(await getTrace(server, t[0]!.traceId)).toBeUndefined();
        expect(await first.dropped()).toBe(0);
      } finally {
        // Closing with the message unacknowledged hands it back to the broker.
        await first.qc.close();
      }
      storage.state.down = false;
      const second = await startConsumer(transport(queue), storage.consumer);
      try {
        for (const t of traces) expect(await readTrace(server, t[0]!.traceId, 2)).toEqual(t);
        expect(storage.state.stored).toBe(traces.length);
        expect(await second.dropped()).toBe(0);
      } finally {
        await second.qc.close();
      }
    });
  });
});
