import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../model/normalize-span.js';
import type { Endpoint, Span } from '../../model/span.js';
import { v1ToV2 } from './v1-to-v2.js';
import { v2ToV1 } from './v2-to-v1.js';

const FRONTEND: Endpoint = { serviceName: 'frontend', ipv4: '172.17.0.13' };
const BACKEND: Endpoint = { serviceName: 'backend', ipv4: '172.17.0.9', port: 8080 };
const KAFKA: Endpoint = { serviceName: 'kafka', ipv6: '2001:db8::c001', port: 9092 };
const T0 = 1_700_000_000_000_000;
const IDS = {
  traceId: '463ac35c9f6413ad48485a3953bb6124',
  parentId: '6b221d5bc9e6496c',
  id: '5b4185666d50f68b',
};

describe('v2ToV1', () => {
  it('a CLIENT span becomes cs/cr at timestamp and timestamp+duration, remote as sa, tags as strings', () => {
    const v1 = v2ToV1({
      ...IDS,
      kind: 'CLIENT',
      name: 'get',
      timestamp: T0,
      duration: 100,
      localEndpoint: FRONTEND,
      remoteEndpoint: BACKEND,
      annotations: [{ timestamp: T0 + 50, value: 'retry' }],
      tags: { 'http.path': '/api', error: 'timeout' },
    });
    expect(v1).toStrictEqual({
      ...IDS,
      name: 'get',
      timestamp: T0,
      duration: 100,
      annotations: [
        { timestamp: T0, value: 'cs', endpoint: FRONTEND },
        { timestamp: T0 + 50, value: 'retry', endpoint: FRONTEND },
        { timestamp: T0 + 100, value: 'cr', endpoint: FRONTEND },
      ],
      binaryAnnotations: [
        { key: 'error', value: 'timeout', type: 'STRING', endpoint: FRONTEND },
        { key: 'http.path', value: '/api', type: 'STRING', endpoint: FRONTEND },
        { key: 'sa', value: true, type: 'BOOL', endpoint: BACKEND },
      ],
    });
  });

  it('a shared SERVER span omits the v1 timestamp/duration but keeps sr/ss and ca', () => {
    const v1 = v2ToV1({
      ...IDS,
      kind: 'SERVER',
      timestamp: T0 + 10,
      duration: 80,
      localEndpoint: BACKEND,
      remoteEndpoint: FRONTEND,
      shared: true,
    });
    expect(v1.timestamp).toBeUndefined();
    expect(v1.duration).toBeUndefined();
    expect(v1.annotations.map((a) => [a.value, a.timestamp])).toEqual([
      ['sr', T0 + 10],
      ['ss', T0 + 90],
    ]);
    expect(v1.binaryAnnotations).toStrictEqual([
      { key: 'ca', value: true, type: 'BOOL', endpoint: FRONTEND },
    ]);
  });

  it('messaging kinds use ms/ws and wr/mr with the broker as ma', () => {
    const producer = v2ToV1({
      ...IDS,
      kind: 'PRODUCER',
      timestamp: T0,
      duration: 5,
      localEndpoint: FRONTEND,
      remoteEndpoint: KAFKA,
    });
    expect(producer.annotations.map((a) => a.value)).toEqual(['ms', 'ws']);
    expect(producer.binaryAnnotations[0]?.key).toBe('ma');
    const consumer = v2ToV1({
      ...IDS,
      kind: 'CONSUMER',
      timestamp: T0,
      duration: 5,
      localEndpoint: BACKEND,
      remoteEndpoint: KAFKA,
    });
    expect(consumer.annotations.map((a) => a.value)).toEqual(['wr', 'mr']);
    const instant = v2ToV1({ ...IDS, kind: 'CONSUMER', timestamp: T0, localEndpoint: BACKEND });
    expect(instant.annotations.map((a) => a.value)).toEqual(['mr']);
  });

  it('a local span with nothing else to carry its endpoint gets lc=""', () => {
    const v1 = v2ToV1({ ...IDS, name: 'compute', timestamp: T0, duration: 3, localEndpoint: FRONTEND });
    expect(v1.annotations).toEqual([]);
    expect(v1.binaryAnnotations).toStrictEqual([
      { key: 'lc', value: '', type: 'STRING', endpoint: FRONTEND },
    ]);
  });

  it('core annotations already on the v2 span are written once', () => {
    const v1 = v2ToV1({
      ...IDS,
      kind: 'CLIENT',
      timestamp: T0,
      duration: 10,
      localEndpoint: FRONTEND,
      annotations: [
        { timestamp: T0, value: 'cs' },
        { timestamp: T0 + 10, value: 'cr' },
      ],
    });
    expect(v1.annotations.map((a) => a.value)).toEqual(['cs', 'cr']);
  });
});

/** Typical spans, each already normalized, that must survive v2 -> v1 -> v2 unchanged. */
const TYPICAL: Record<string, Span> = {
  client: normalizeSpan({
    ...IDS,
    kind: 'CLIENT',
    name: 'get /api',
    timestamp: T0,
    duration: 207_000,
    localEndpoint: FRONTEND,
    remoteEndpoint: BACKEND,
    annotations: [{ timestamp: T0 + 1000, value: 'wire.send' }],
    tags: { 'http.method': 'GET', 'http.path': '/api' },
  }),
  'server (owner)': normalizeSpan({
    ...IDS,
    kind: 'SERVER',
    name: 'get /api',
    timestamp: T0,
    duration: 100,
    localEndpoint: BACKEND,
    remoteEndpoint: FRONTEND,
    tags: { 'http.status_code': '200' },
  }),
  'shared server': normalizeSpan({
    ...IDS,
    kind: 'SERVER',
    name: 'get /api',
    timestamp: T0 + 10,
    duration: 80,
    localEndpoint: BACKEND,
    shared: true,
  }),
  producer: normalizeSpan({
    ...IDS,
    kind: 'PRODUCER',
    name: 'send',
    timestamp: T0,
    duration: 30,
    localEndpoint: FRONTEND,
    remoteEndpoint: KAFKA,
  }),
  consumer: normalizeSpan({
    ...IDS,
    kind: 'CONSUMER',
    name: 'receive',
    timestamp: T0 + 200,
    duration: 10,
    localEndpoint: BACKEND,
    remoteEndpoint: KAFKA,
  }),
  'local span': normalizeSpan({
    ...IDS,
    name: 'compute',
    timestamp: T0,
    duration: 3,
    localEndpoint: FRONTEND,
  }),
  'uninstrumented remote': normalizeSpan({
    ...IDS,
    name: 'query',
    timestamp: T0,
    duration: 3,
    remoteEndpoint: BACKEND,
  }),
  'root with debug, no parent': normalizeSpan({
    traceId: '48485a3953bb6124',
    id: '48485a3953bb6124',
    kind: 'SERVER',
    name: 'root',
    timestamp: T0,
    duration: 1_000,
    localEndpoint: FRONTEND,
    debug: true,
  }),
  'client without duration': normalizeSpan({
    ...IDS,
    kind: 'CLIENT',
    timestamp: T0,
    localEndpoint: FRONTEND,
  }),
};

describe('v2 -> v1 -> v2 stability', () => {
  for (const [name, span] of Object.entries(TYPICAL)) {
    it(name, () => {
      expect(v1ToV2(v2ToV1(span))).toStrictEqual([span]);
    });
  }
});
