import { randomBytes } from 'node:crypto';
import { normalizeSpan, type SpanInput } from '../../model/normalize-span.js';
import type { Endpoint, Span } from '../../model/span.js';

/**
 * Hand-written fixtures for the storage conformance suite, shaped like zipkin's TestObjects: real "today"
 * timestamps (stores with TTLs or day partitions look back from now) and random trace ids.
 */

export const DAY = 86_400_000;

/** Midnight UTC of the current day, epoch milliseconds. */
export const TODAY = midnightUtc(Date.now());

export function midnightUtc(epochMs: number): number {
  return epochMs - (epochMs % DAY);
}

export const FRONTEND: Endpoint = { serviceName: 'frontend', ipv4: '127.0.0.1' };
export const BACKEND: Endpoint = { serviceName: 'backend', ipv4: '192.168.99.101', port: 9000 };
export const DB: Endpoint = { serviceName: 'db', ipv6: '2001:db8::c001', port: 3036 };
export const KAFKA: Endpoint = { serviceName: 'kafka' };

/** Builds a span through the model's normalization, so fixtures are always valid, canonical spans. */
export function span(input: SpanInput): Span {
  return normalizeSpan(input);
}

/** A random 128-bit trace id whose high half is never zero (so it stays 32 characters). */
export function newTraceId(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! | 0x10;
  return bytes.toString('hex');
}

/** A 64-bit trace id. */
export function newTraceId64(): string {
  const bytes = randomBytes(8);
  bytes[0] = bytes[0]! | 0x10;
  return bytes.toString('hex');
}

/** zipkin TestObjects.spanBuilder: a timestamped "get" span of frontend with one tag. */
export function baseSpanInput(overrides: SpanInput = {}): SpanInput {
  return {
    traceId: newTraceId(),
    id: '1',
    name: 'get',
    timestamp: TODAY * 1000 + 100,
    duration: 200_000,
    localEndpoint: FRONTEND,
    tags: { environment: 'test' },
    ...overrides,
  };
}

export function baseSpan(overrides: SpanInput = {}): Span {
  return span(baseSpanInput(overrides));
}

/** zipkin TestObjects.newClientSpan: frontend CLIENT calling backend, with http tags. */
export function newClientSpan(overrides: SpanInput = {}): Span {
  return span(
    baseSpanInput({
      kind: 'CLIENT',
      name: 'get /foo',
      remoteEndpoint: BACKEND,
      tags: { 'http.method': 'GET', 'http.path': '/foo' },
      ...overrides,
    }),
  );
}

/**
 * The reference trace: frontend SERVER -> frontend CLIENT "get" -> backend shared SERVER -> backend CLIENT
 * "query" to db, which carries an `error` tag (an emoji) and a non-ASCII annotation.
 * Root at TODAY, lasting 350ms; the client span starts at TODAY+50ms and lasts 200ms.
 */
export function newTrace(traceId = newTraceId()): Span[] {
  return [
    span({
      traceId,
      id: '1',
      name: 'get',
      kind: 'SERVER',
      localEndpoint: FRONTEND,
      timestamp: TODAY * 1000,
      duration: 350_000,
    }),
    span({
      traceId,
      parentId: '1',
      id: '2',
      name: 'get',
      kind: 'CLIENT',
      localEndpoint: FRONTEND,
      remoteEndpoint: BACKEND,
      timestamp: (TODAY + 50) * 1000,
      duration: 200_000,
      annotations: [{ timestamp: (TODAY + 100) * 1000, value: 'foo' }],
      tags: { 'http.path': '/api', 'clnt/finagle.version': '6.45.0' },
    }),
    span({
      traceId,
      parentId: '1',
      id: '2',
      name: 'get',
      kind: 'SERVER',
      shared: true,
      localEndpoint: BACKEND,
      timestamp: (TODAY + 100) * 1000,
      duration: 150_000,
    }),
    span({
      traceId,
      parentId: '2',
      id: '3',
      name: 'query',
      kind: 'CLIENT',
      localEndpoint: BACKEND,
      remoteEndpoint: DB,
      timestamp: (TODAY + 150) * 1000,
      duration: 50_000,
      annotations: [{ timestamp: (TODAY + 190) * 1000, value: '⻩' }],
      tags: { error: '\u{1F4A9}' },
    }),
  ];
}

/** Epoch milliseconds of the first span's start (zipkin TestObjects.startTs). */
export function startTs(trace: readonly Span[]): number {
  return Math.floor(trace[0]!.timestamp! / 1000);
}

/** Epoch milliseconds of the first span's end (zipkin TestObjects.endTs). */
export function endTs(trace: readonly Span[]): number {
  return startTs(trace) + Math.floor((trace[0]!.duration ?? 0) / 1000);
}
