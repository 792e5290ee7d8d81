import { describe, expect, it } from 'vitest';
import { backoffDelay } from './queue-consumer.js';
import { rabbitTargets, type RabbitMqOptions } from '../rabbitmq/rabbitmq-transport.js';

describe('backoffDelay', () => {
  const opts = { initialMs: 100, maxMs: 30_000 };

  it('doubles per attempt within [ceiling/2, ceiling], and never exceeds the maximum', () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(50);
    expect(backoffDelay(0, opts, () => 1)).toBe(100);
    expect(backoffDelay(3, opts, () => 1)).toBe(800);
    expect(backoffDelay(3, opts, () => 0)).toBe(400);
    expect(backoffDelay(20, opts, () => 1)).toBe(30_000);
    expect(backoffDelay(10_000, opts, () => 1)).toBe(30_000);
    expect(backoffDelay(10_000, opts, () => 0)).toBe(15_000);
  });
});

describe('rabbitTargets', () => {
  const base: RabbitMqOptions = {
    addresses: [],
    uri: '',
    user: 'u',
    password: 'p',
    virtualHost: '/v',
    useSsl: false,
    concurrency: 1,
    connectionTimeoutMs: 60_000,
    queue: 'zipkin',
  };

  it('tries each address in order with the user, password and vhost; default port by TLS', () => {
    expect(rabbitTargets({ ...base, addresses: ['a:5673', 'b', '[::1]:5674'] })).toEqual([
      { protocol: 'amqp', hostname: 'a', port: 5673, username: 'u', password: 'p', vhost: '/v' },
      { protocol: 'amqp', hostname: 'b', port: 5672, username: 'u', password: 'p', vhost: '/v' },
      { protocol: 'amqp', hostname: '::1', port: 5674, username: 'u', password: 'p', vhost: '/v' },
    ]);
    expect(rabbitTargets({ ...base, addresses: ['b'], useSsl: true })[0]).toMatchObject({
      protocol: 'amqps',
      port: 5671,
    });
  });

  it('uses RABBIT_URI alone when it is set', () => {
    expect(rabbitTargets({ ...base, addresses: ['a'], uri: 'amqp://x:y@h:1/vh' })).toEqual([
      'amqp://x:y@h:1/vh',
    ]);
  });
});
