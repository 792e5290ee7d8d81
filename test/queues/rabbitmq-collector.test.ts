import { execFileSync } from 'node:child_process';
import amqp from 'amqplib';
import type { Channel, ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJsonV2List } from '../../src/codec/json-v2/json-v2-codec.js';
import { encodeThriftList } from '../../src/codec/thrift/thrift-codec.js';
import { RabbitMqTransport, type RabbitMqOptions } from '../../src/collector/rabbitmq/rabbitmq-transport.js';
import type { SpanConsumer } from '../../src/storage/storage-component.js';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { requireService, serviceMissing } from '../support/require-service.js';
import { startTestServer } from '../support/server.js';
import { waitFor } from '../support/wait.js';
import {
  ENCODINGS,
  flakyStorage as flakyStorageOf,
  getTrace,
  readTrace,
  runId,
  startConsumer as startQueueConsumer,
  trace,
} from './queue-fixtures.js';

const available = await requireService('RabbitMQ', '127.0.0.1', 5672);
const BROKER = 'amqp://guest:guest@127.0.0.1:5672';

function rabbitmqctlWorks(): boolean {
  try {
    execFileSync('rabbitmqctl', ['-q', 'status'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The broker-side id of Skein's consumer connection for `queue` (it names its connection after the queue). */
function consumerConnectionPid(queue: string): string | undefined {
  // Tab-separated rows: the pid in the form close_connection takes (<rabbit@host.N.M>), then the client
  // properties as an Erlang term, which holds the connection_name.
  const out = execFileSync('rabbitmqctl', [
    '-q',
    'list_connections',
    '--no-table-headers',
    'pid',
    'client_properties',
  ]);
  const row = out
    .toString()
    .split('\n')
    .find((line) => line.includes(`skein collector (queue ${queue})`));
  return row?.split('\t')[0];
}

describe.skipIf(!available)('RabbitMQ collector', () => {
  let publisher: ChannelModel;
  let ch: Channel;
  beforeAll(async () => {
    publisher = await amqp.connect(BROKER);
    ch = await publisher.createChannel();
  });
  afterAll(async () => {
    await publisher?.close();
  });

  describe('through a running Skein (RABBIT_ADDRESSES)', () => {
    const queue = `skein-test-${runId}-main`;
    let server: RunningSkein;
    beforeAll(async () => {
      server = await startTestServer({ RABBIT_ADDRESSES: '127.0.0.1:5672', RABBIT_QUEUE: queue });
    });
    afterAll(async () => {
      await server?.close();
      await ch.deleteQueue(queue);
    });

    it('declared the queue durable', async () => {
      // A passive declare with different flags would fail; a durable re-declare succeeds only if it matches.
      const reply = await ch.assertQueue(queue, { durable: true });
      expect(reply.queue).toBe(queue);
    });

    for (const [name, encode] of ENCODINGS) {
      it(`stores spans published in ${name}, readable through GET /api/v2/trace/{id}`, async () => {
        const spans = trace();
        ch.sendToQueue(queue, encode(spans));
        const got = await readTrace(server, spans[0]!.traceId, 2);
        expect(got).toEqual(spans);
      });
    }

    it('skips an empty message and stores the next one', async () => {
      const spans = trace();
      ch.sendToQueue(queue, Buffer.alloc(0));
      ch.sendToQueue(queue, Buffer.from(encodeJsonV2List(spans)));
      expect(await readTrace(server, spans[0]!.traceId, 2)).toHaveLength(2);
      const q = await waitFor(async () => {
        const r = await ch.checkQueue(queue);
        return r.messageCount === 0 ? r : undefined;
      }, 'the queue to be empty');
      expect(q.messageCount).toBe(0);
    });

    it('reconnects by itself when the broker drops its connection mid-stream, losing and duplicating nothing', async (ctx) => {
      if (!rabbitmqctlWorks()) {
        serviceMissing('rabbitmqctl', 'it closes the consumer connection from the broker side');
        ctx.skip();
      }
      const traces = Array.from({ length: 20 }, () => trace());
      let dropped = '';
      for (const [i, t] of traces.entries()) {
        ch.sendToQueue(queue, Buffer.from(encodeJsonV2List(t)));
        if (i === 5) {
          const pid = await waitFor(async () => consumerConnectionPid(queue), 'the consumer connection');
          dropped = pid;
          execFileSync('rabbitmqctl', ['-q', 'close_connection', pid, 'test: broker drops the connection']);
        }
      }
      for (const t of traces) expect(await readTrace(server, t[0]!.traceId, 2)).toEqual(t);
      // It is a new connection, not the old one surviving.
      const now = await waitFor(async () => consumerConnectionPid(queue), 'the new consumer connection');
      expect(now).not.toBe(dropped);
      await waitFor(async () => {
        const h = (await (await fetch(`${server.url}/health`)).json()) as { status: string };
        return h.status === 'UP' ? h : undefined;
      }, 'the consumer to be connected again');
    });

    it('counts messages per transport in /prometheus and shows the consumer in /health', async () => {
      const metrics = await (await fetch(`${server.url}/prometheus`)).text();
      const line = metrics
        .split('\n')
        .find((l) => l.startsWith('zipkin_collector_messages_total{transport="rabbitmq"}'));
      expect(line).toBeDefined();
      expect(Number(line!.split(' ')[1])).toBeGreaterThanOrEqual(ENCODINGS.length);
      const health = (await (await fetch(`${server.url}/health`)).json()) as {
        status: string;
        zipkin: { details: Record<string, { status: string; details?: { queue: string; state: string } }> };
      };
      expect(health.status).toBe('UP');
      expect(health.zipkin.details.rabbitmq).toEqual({
        status: 'UP',
        details: { queue, state: 'connected' },
      });
    });
  });

  describe('failures (a consumer on the collector path of a running Skein, with a storage that can fail)', () => {
    let server: RunningSkein;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(async () => {
      await server?.close();
    });

    const flakyStorage = () => flakyStorageOf(server);

    function startConsumer(queue: string, consumer: SpanConsumer) {
      const opts: RabbitMqOptions = {
        addresses: ['127.0.0.1:5672'],
        uri: '',
        user: 'guest',
        password: 'guest',
        virtualHost: '/',
        useSsl: false,
        concurrency: 1,
        connectionTimeoutMs: 5000,
        queue,
      };
      return startQueueConsumer(new RabbitMqTransport(opts), consumer);
    }

    it('drops an undecodable message once (counted and logged) and stores the next one', async () => {
      const queue = `skein-test-${runId}-bad`;
      const { consumer, state } = flakyStorage();
      const { qc, logs, dropped } = await startConsumer(queue, consumer);
      try {
        const spans = trace();
        ch.sendToQueue(queue, Buffer.from('this is not a span list'));
        ch.sendToQueue(queue, Buffer.from(encodeJsonV2List(spans)));
        expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
        expect(await dropped()).toBe(1);
        expect(state.stored).toBe(1);
        const drops = logs.filter((l) => l.msg.startsWith('dropped a rabbitmq message'));
        expect(drops).toHaveLength(1);
        expect(drops[0]!.obj).toMatchObject({ transport: 'rabbitmq', queue, reason: 'invalid' });
        expect(drops[0]!.msg).toContain(queue);
        expect(drops[0]!.msg).toMatch(/Expected a JSON, PROTO3 or THRIFT encoded span list/);
        expect((await ch.checkQueue(queue)).messageCount).toBe(0);
      } finally {
        await qc.close();
        await ch.deleteQueue(queue);
      }
    });

    it('moves an undecodable message to the dead-letter queue when the queue has a dead-letter policy', async (ctx) => {
      if (!rabbitmqctlWorks()) {
        serviceMissing('rabbitmqctl', 'it sets the dead-letter policy');
        ctx.skip();
      }
      const queue = `skein-test-${runId}-dl`;
      const dlq = `${queue}-dead`;
      const policy = `skein-test-${runId}-dl`;
      await ch.assertQueue(dlq, { durable: false, autoDelete: false });
      // Operators set a dead-letter exchange by policy (a queue argument would clash with Skein's declare).
      const definition = JSON.stringify({ 'dead-letter-exchange': '', 'dead-letter-routing-key': dlq });
      execFileSync('rabbitmqctl', [
        '-q',
        'set_policy',
        '--apply-to',
        'queues',
        policy,
        `^${queue}$`,
        definition,
      ]);
      const { consumer } = flakyStorage();
      const { qc, dropped } = await startConsumer(queue, consumer);
      try {
        const spans = trace();
        ch.sendToQueue(queue, Buffer.from('not spans, dead-letter me'));
        ch.sendToQueue(queue, Buffer.from(encodeJsonV2List(spans)));
        expect(await readTrace(server, spans[0]!.traceId, 2)).toEqual(spans);
        expect(await dropped()).toBe(1);
        const dead = await waitFor(
          async () => (await ch.get(dlq, { noAck: true })) || undefined,
          'a dead letter',
        );
        expect(dead.content.toString()).toBe('not spans, dead-letter me');
        expect((await ch.checkQueue(queue)).messageCount).toBe(0);
      } finally {
        await qc.close();
        execFileSync('rabbitmqctl', ['-q', 'clear_policy', policy]);
        await ch.deleteQueue(queue);
        await ch.deleteQueue(dlq);
      }
    });

    it('keeps messages in the queue during a storage outage and stores each once when storage returns', async () => {
      const queue = `skein-test-${runId}-outage`;
      const { consumer, state } = flakyStorage();
      state.down = true;
      const { qc, logs, dropped } = await startConsumer(queue, consumer);
      try {
        const traces = [trace(), trace(), trace()];
        for (const t of traces) ch.sendToQueue(queue, Buffer.from(encodeThriftList(t)));
        // Several refusals: the consumer retried (with backoff) instead of dropping.
        await waitFor(async () => (state.refused >= 3 ? true : undefined), 'storage to refuse 3 attempts');
        for (const t of traces) {
          expect(await getTrace(server, t[0]!.traceId)).toBeUndefined();
        }
        // Nothing was acked: the broker still has every message, ready except the one the consumer holds
        // (RABBIT_CONCURRENCY 1 is a prefetch of 1) while it waits to requeue it.
        const ready = (await ch.checkQueue(queue)).messageCount;
        expect(ready).toBeGreaterThanOrEqual(traces.length - 1);
        expect(ready).toBeLessThanOrEqual(traces.length);

        state.down = false;
        for (const t of traces) {
          const got = await readTrace(server, t[0]!.traceId, 2);
          expect(got).toEqual(t);
        }
        await waitFor(
          async () => ((await ch.checkQueue(queue)).messageCount === 0 ? true : undefined),
          'an empty queue',
        );
        expect(state.stored).toBe(traces.length);
        // Held, not lost: no requeue counts as a dropped message; the outage is logged once, as is its end.
        expect(await dropped()).toBe(0);
        expect(logs.filter((l) => l.msg.startsWith('storage refused a rabbitmq message'))).toHaveLength(1);
        expect(logs.filter((l) => l.msg.startsWith('storage accepts rabbitmq messages again'))).toHaveLength(1);
      } finally {
        await qc.close();
        await ch.deleteQueue(queue);
      }
    });
  });
});
