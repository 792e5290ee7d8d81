import { describe, expect, it } from 'vitest';
import { parseConfig, readRawConfig } from '../../src/server/config.js';

const config = (env: Record<string, string>) => parseConfig(readRawConfig(env, []));

describe('queue collector settings', () => {
  it('RabbitMQ is off unless RABBIT_ADDRESSES or RABBIT_URI is set, with zipkin defaults when on', () => {
    expect(config({}).rabbitmq).toBeNull();
    expect(config({ RABBIT_ADDRESSES: 'localhost:5672' }).rabbitmq).toEqual({
      addresses: ['localhost:5672'],
      uri: '',
      user: 'guest',
      password: 'guest',
      virtualHost: '/',
      useSsl: false,
      concurrency: 1,
      connectionTimeoutMs: 60_000,
      queue: 'zipkin',
    });
    expect(config({ RABBIT_URI: 'amqp://u:p@h/v' }).rabbitmq?.uri).toBe('amqp://u:p@h/v');
  });

  it('names the key of a bad value, and does not echo a URI that may hold a password', () => {
    expect(() => config({ RABBIT_ADDRESSES: 'a:b:c' })).toThrow(/^RABBIT_ADDRESSES: /);
    expect(() => config({ RABBIT_ADDRESSES: 'a', RABBIT_CONCURRENCY: '0' })).toThrow(/^RABBIT_CONCURRENCY: /);
    expect(() => config({ RABBIT_URI: 'http://u:secret@h' })).toThrow(/^RABBIT_URI: /);
    expect(() => config({ RABBIT_URI: 'http://u:secret@h' })).not.toThrow(/secret/);
  });

  it('Scribe is on with COLLECTOR_SCRIBE_ENABLED or SCRIBE_ENABLED, on port 9410, category zipkin', () => {
    expect(config({}).scribe).toBeNull();
    expect(config({ SCRIBE_ENABLED: 'true' }).scribe).toEqual({ port: 9410, category: 'zipkin' });
    expect(config({ COLLECTOR_SCRIBE_ENABLED: 'true', SCRIBE_CATEGORY: 'x' }).scribe).toEqual({
      port: 9410,
      category: 'x',
    });
  });

  it('Kafka is off unless KAFKA_BOOTSTRAP_SERVERS is set, with zipkin defaults when on', () => {
    expect(config({}).kafka).toBeNull();
    expect(config({ KAFKA_BOOTSTRAP_SERVERS: 'k1:9092,k2:9092' }).kafka).toEqual({
      bootstrapServers: ['k1:9092', 'k2:9092'],
      topic: 'zipkin',
      groupId: 'zipkin',
      streams: 1,
    });
    expect(() => config({ KAFKA_BOOTSTRAP_SERVERS: 'k1' })).toThrow(/^KAFKA_BOOTSTRAP_SERVERS: .*host:port/);
    expect(() => config({ KAFKA_BOOTSTRAP_SERVERS: 'k:1', KAFKA_STREAMS: '0' })).toThrow(/^KAFKA_STREAMS: /);
  });

  it('ActiveMQ is off unless ACTIVEMQ_URL is set; an OpenWire URL is reached on its STOMP port', () => {
    expect(config({}).activemq).toBeNull();
    expect(config({ ACTIVEMQ_URL: 'tcp://mq:61616' }).activemq).toEqual({
      servers: [{ host: 'mq', port: 61613, ssl: false }],
      queue: 'zipkin',
      concurrency: 1,
      username: '',
      password: '',
    });
    expect(config({ ACTIVEMQ_URL: 'tcp://mq:61616', ACTIVEMQ_STOMP_PORT: '6000' }).activemq?.servers).toEqual(
      [{ host: 'mq', port: 6000, ssl: false }],
    );
    expect(() => config({ ACTIVEMQ_URL: 'vm://x' })).toThrow(/^ACTIVEMQ_URL: unsupported scheme/);
  });
});
