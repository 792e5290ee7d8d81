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
});
