import { describe, it } from 'vitest';
import type { DependencyLink } from '../../model/dependency-link.js';
import type { Span, SpanKind } from '../../model/span.js';
import {
  BACKEND,
  DAY,
  DB,
  FRONTEND,
  KAFKA,
  TODAY,
  endTs,
  newTrace,
  newTraceId,
  newTraceId64,
  span,
  startTs,
} from './fixtures.js';
import { accept, expectLinks, link } from './harness.js';
import type { StorageCapabilities, WithStorage } from './harness.js';

/** The links of the reference trace (fixtures newTrace). */
const TRACE_LINKS: DependencyLink[] = [link('frontend', 'backend'), link('backend', 'db', 1, 1)];

/** zipkin ITDependencies and ITDependenciesHeavy: links computed from stored traces in a time window. */
export function describeDependencies(withStorage: WithStorage, capabilities: StorageCapabilities): void {
  const optOut = capabilities.noDependencies;
  const title = `dependencies (zipkin ITDependencies)${optOut ? ` (opted out: ${optOut})` : ''}`;
  (optOut ? describe.skip : describe)(title, () => {
    const store = (body: Parameters<WithStorage>[1]) => () => withStorage({}, body);

    it(
      'links the reference trace, counting the error tag',
      store(async (s) => {
        const trace = newTrace();
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, TRACE_LINKS);
      }),
    );

    it(
      'links by the low 64 bits of mixed-length trace ids, even in strict mode',
      store(async (s) => {
        const traceId = newTraceId();
        await accept(s, [
          span({
            traceId,
            id: '1',
            name: 'get',
            kind: 'SERVER',
            timestamp: TODAY * 1000,
            duration: 350_000,
            localEndpoint: FRONTEND,
          }),
          // the server dropped the high bits
          span({
            traceId: traceId.slice(16),
            parentId: '1',
            id: '2',
            name: 'get',
            kind: 'SERVER',
            shared: true,
            timestamp: (TODAY + 100) * 1000,
            duration: 250_000,
            localEndpoint: BACKEND,
          }),
          span({
            traceId,
            parentId: '1',
            id: '2',
            kind: 'CLIENT',
            timestamp: (TODAY + 50) * 1000,
            duration: 300_000,
            localEndpoint: FRONTEND,
          }),
        ]);
        await expectLinks(s, TODAY + 350, DAY, [link('frontend', 'backend')]);
      }),
    );

    it(
      'counts a replayed trace once',
      store(async (s) => {
        const trace = newTrace();
        await accept(s, trace);
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, TRACE_LINKS);
      }),
    );

    it(
      'returns no links when empty',
      store(async (s) => {
        await expectLinks(s, TODAY, DAY, []);
      }),
    );

    it(
      'links services when every server is instrumented',
      store(async (s) => {
        const traceId = newTraceId();
        const one = { serviceName: 'frontend', ipv4: '127.0.0.1' };
        const two = { serviceName: 'backend', ipv4: '127.0.0.2' };
        const three = { serviceName: 'db', ipv4: '127.0.0.3' };
        const trace = [
          rpc(traceId, undefined, '10', 'SERVER', one, undefined, 0, 350),
          rpc(traceId, '10', '20', 'CLIENT', { ...one, port: 3001 }, undefined, 50, 250),
          rpc(traceId, '10', '20', 'SERVER', two, undefined, 100, 150, true),
          rpc(traceId, '20', '30', 'CLIENT', { ...two, port: 3002 }, undefined, 150, 50, false, 'query'),
          rpc(traceId, '20', '30', 'SERVER', three, undefined, 160, 20, true, 'query'),
        ];
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, [link('frontend', 'backend'), link('backend', 'db')]);
      }),
    );

    it(
      'links a loopback call as a self-link',
      store(async (s) => {
        const trace = newTrace();
        const loopback = [trace[0]!, span({ ...trace[1]!, remoteEndpoint: trace[0]!.localEndpoint })];
        await accept(s, loopback);
        await expectLinks(s, endTs(trace), DAY, [link('frontend', 'frontend')]);
      }),
    );

    it(
      'links a headless trace (root span missing)',
      store(async (s) => {
        const trace = newTrace().slice(1);
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, TRACE_LINKS);
      }),
    );

    it(
      'includes a trace that completes after endTs',
      store(async (s) => {
        const trace = newTrace();
        await accept(s, trace);
        await expectLinks(s, startTs(trace) + 100, 200, TRACE_LINKS);
      }),
    );

    it(
      'excludes traces after endTs',
      store(async (s) => {
        const trace = newTrace();
        await accept(s, trace);
        await expectLinks(s, startTs(trace) - 1000, 1000, []);
      }),
    );

    it(
      'excludes traces before endTs - lookback',
      store(async (s) => {
        const trace = newTrace();
        await accept(s, trace);
        await expectLinks(s, TODAY + 2 * DAY, DAY, []);
      }),
    );

    it(
      'links uninstrumented clients and servers through remote endpoints',
      store(async (s) => {
        const traceId = newTraceId();
        const trace = [
          rpc(traceId, undefined, '20', 'SERVER', FRONTEND, KAFKA, 0, 350),
          rpc(traceId, '20', '21', 'CLIENT', FRONTEND, undefined, 50, 250),
          rpc(traceId, '20', '21', 'SERVER', BACKEND, undefined, 250, 50, true),
          rpc(traceId, '21', '22', 'CLIENT', BACKEND, DB, 150, 50),
        ];
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, [
          link('kafka', 'frontend'),
          link('frontend', 'backend'),
          link('backend', 'db'),
        ]);
      }),
    );

    it(
      'links an instrumented client and server sharing a span id',
      store(async (s) => {
        const traceId = newTraceId();
        const trace = [
          rpc(traceId, undefined, '10', 'CLIENT', FRONTEND, undefined, 50, 250),
          rpc(traceId, undefined, '10', 'SERVER', BACKEND, undefined, 100, 150, true),
          rpc(traceId, '10', '11', 'CLIENT', BACKEND, DB, 150, 50),
        ];
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, [link('frontend', 'backend'), link('backend', 'db')]);
      }),
    );

    it(
      'links a producer and a consumer through the broker',
      store(async (s) => {
        const traceId = newTraceId();
        const trace = [
          span({
            traceId,
            id: '10',
            name: 'send',
            kind: 'PRODUCER',
            timestamp: (TODAY + 50) * 1000,
            duration: 1,
            localEndpoint: FRONTEND,
            remoteEndpoint: KAFKA,
          }),
          span({
            traceId,
            parentId: '10',
            id: '11',
            name: 'receive',
            kind: 'CONSUMER',
            timestamp: (TODAY + 100) * 1000,
            duration: 1,
            localEndpoint: BACKEND,
            remoteEndpoint: KAFKA,
          }),
        ];
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, [link('frontend', 'kafka'), link('kafka', 'backend')]);
      }),
    );

    it(
      'links across a missing intermediate span when the local service changes',
      store(async (s) => {
        const traceId = newTraceId();
        const trace = [
          rpc(traceId, undefined, '20', 'SERVER', FRONTEND, undefined, 0, 350),
          rpc(traceId, '21', '22', 'CLIENT', BACKEND, undefined, 150, 50),
        ];
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, [link('frontend', 'backend')]);
      }),
    );

    it(
      'selects days other than today, and sums over a multi-day window',
      store(async (s) => {
        const trace = newTrace();
        await accept(s, subtractDay(trace));
        await accept(s, trace);

        const lookback = Math.floor(trace[0]!.duration! / 1000);
        await expectLinks(s, endTs(trace), lookback, TRACE_LINKS);
        await expectLinks(s, endTs(trace) - DAY, DAY, TRACE_LINKS);
        await expectLinks(s, endTs(trace), 2 * DAY, [
          link('frontend', 'backend', 2),
          link('backend', 'db', 2, 2),
        ]);
      }),
    );

    it(
      'does not need span kind when both endpoints are present',
      store(async (s) => {
        const traceId = newTraceId();
        await accept(s, [
          rpc(traceId, undefined, '20', undefined, KAFKA, FRONTEND, 0, 350),
          rpc(traceId, '20', '21', undefined, FRONTEND, BACKEND, 50, 250),
          rpc(traceId, '21', '22', undefined, BACKEND, DB, 150, 50),
        ]);
        await expectLinks(s, TODAY + 1000, 1000, [
          link('kafka', 'frontend'),
          link('frontend', 'backend'),
          link('backend', 'db'),
        ]);
      }),
    );

    it(
      'skips endpoints without a service name',
      store(async (s) => {
        const traceId = newTraceId();
        await accept(s, [
          rpc(traceId, undefined, '20', undefined, { ipv4: '172.17.0.4' }, FRONTEND, 0, 350),
          rpc(traceId, '20', '21', undefined, FRONTEND, BACKEND, 50, 250),
          rpc(traceId, '21', '22', undefined, BACKEND, DB, 150, 50),
        ]);
        await expectLinks(s, TODAY + 1000, 1000, [link('frontend', 'backend'), link('backend', 'db')]);
      }),
    );

    it(
      'links through intermediate local spans',
      store(async (s) => {
        const traceId = newTraceId();
        await accept(s, [
          rpc(traceId, undefined, '20', 'SERVER', FRONTEND, undefined, 0, 350),
          rpc(traceId, '20', '21', undefined, FRONTEND, undefined, 25, 325, false, 'call'),
          rpc(traceId, '21', '22', 'CLIENT', FRONTEND, undefined, 50, 250),
          rpc(traceId, '21', '22', 'SERVER', BACKEND, undefined, 100, 150, true),
          rpc(traceId, '22', '23', undefined, BACKEND, undefined, 110, 130, false, 'depth4'),
          rpc(traceId, '23', '24', undefined, BACKEND, undefined, 125, 105, false, 'depth5'),
          rpc(traceId, '24', '25', 'CLIENT', BACKEND, DB, 150, 50),
        ]);
        await expectLinks(s, TODAY + 1000, 1000, [link('frontend', 'backend'), link('backend', 'db')]);
      }),
    );

    it(
      'does not self-link a server whose remote address is its own service (v1 duplicate address)',
      store(async (s) => {
        const traceId = newTraceId();
        // As zipkin's v1 converter produces for sr/ss + ca/sa on frontend, then cs/cr + ca/sa on backend:
        // the remote service name equal to the local one is dropped.
        await accept(s, [
          rpc(traceId, undefined, '20', 'SERVER', FRONTEND, { ipv4: '127.0.0.1' }, 0, 350),
          rpc(traceId, '21', '22', 'CLIENT', FRONTEND, BACKEND, 50, 250),
        ]);
        await expectLinks(s, TODAY + 1000, 1000, [link('frontend', 'backend')]);
      }),
    );

    it(
      'links a one-way call (no durations)',
      store(async (s) => {
        const traceId = newTraceId();
        const trace = [
          span({
            traceId,
            id: '10',
            kind: 'CLIENT',
            timestamp: (TODAY + 50) * 1000,
            localEndpoint: FRONTEND,
          }),
          span({
            traceId,
            id: '10',
            kind: 'SERVER',
            shared: true,
            timestamp: (TODAY + 100) * 1000,
            localEndpoint: BACKEND,
          }),
        ];
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, [link('frontend', 'backend')]);
      }),
    );

    it(
      'does not count an annotation named error as an error',
      store(async (s) => {
        const traceId = newTraceId();
        const trace = [
          span({
            traceId,
            id: '10',
            kind: 'CLIENT',
            timestamp: (TODAY + 50) * 1000,
            localEndpoint: FRONTEND,
          }),
          span({
            traceId,
            id: '10',
            kind: 'SERVER',
            shared: true,
            timestamp: (TODAY + 100) * 1000,
            localEndpoint: BACKEND,
            annotations: [{ timestamp: (TODAY + 72) * 1000, value: 'error' }],
          }),
        ];
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, [link('frontend', 'backend')]);
      }),
    );

    it(
      'links a one-way message from an uninstrumented source',
      store(async (s) => {
        const traceId = newTraceId();
        const trace = [
          span({
            traceId,
            id: '10',
            name: 'receive',
            kind: 'SERVER',
            timestamp: TODAY * 1000,
            localEndpoint: BACKEND,
            remoteEndpoint: KAFKA,
          }),
          rpc(traceId, '10', '11', undefined, BACKEND, undefined, 25, 325, false, 'process'),
        ];
        await accept(s, trace);
        await expectLinks(s, endTs(trace), DAY, [link('kafka', 'backend')]);
      }),
    );

    it('returns 256 x 2 links, each called once (no query limit on links)', () =>
      withStorage({}, async (s) => {
        const spans: Span[] = [];
        for (let i = 1; i <= 256; i++) {
          const traceId = newTraceId();
          const web = { ...FRONTEND, serviceName: `web-${i}` };
          const app = { ...BACKEND, serviceName: `app-${i}` };
          const db = { ...DB, serviceName: `db-${i}` };
          spans.push(
            rpc(traceId, undefined, '10', 'CLIENT', web, undefined, 50, 250),
            rpc(traceId, undefined, '10', 'SERVER', app, undefined, 100, 150, true),
            rpc(traceId, '10', '11', 'CLIENT', app, db, 150, 50),
          );
        }
        await accept(s, spans);
        const expected: DependencyLink[] = [];
        for (let i = 1; i <= 256; i++) {
          expected.push(link(`web-${i}`, `app-${i}`), link(`app-${i}`, `db-${i}`));
        }
        await expectLinks(s, endTs(spans), DAY, expected);
      }));
  });
}

/** An RPC-style span named "get" (unless named), timed in milliseconds after TODAY. */
function rpc(
  traceId: string,
  parentId: string | undefined,
  id: string,
  kind: SpanKind | undefined,
  localEndpoint: Span['localEndpoint'],
  remoteEndpoint: Span['remoteEndpoint'],
  startMs: number,
  durationMs: number,
  shared = false,
  name = 'get',
): Span {
  return span({
    traceId,
    parentId,
    id,
    kind,
    name,
    timestamp: (TODAY + startMs) * 1000,
    duration: durationMs * 1000,
    localEndpoint,
    remoteEndpoint,
    shared,
  });
}

/** zipkin ITDependencies.subtractDay: the same trace a day earlier, under a new 64-bit trace id. */
function subtractDay(trace: readonly Span[]): Span[] {
  const traceId = newTraceId64();
  return trace.map((sp) =>
    span({
      ...sp,
      traceId,
      timestamp: sp.timestamp === undefined ? undefined : sp.timestamp - DAY * 1000,
      annotations: sp.annotations?.map((a) => ({ timestamp: a.timestamp - DAY * 1000, value: a.value })),
    }),
  );
}
