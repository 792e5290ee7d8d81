import { describe, expect, it } from 'vitest';
import type { Span } from '../../model/span.js';
import {
  BACKEND,
  DAY,
  DB,
  FRONTEND,
  TODAY,
  baseSpan,
  endTs,
  newClientSpan,
  newTrace,
  newTraceId,
  span,
} from './fixtures.js';
import { accept, expectNoTraces, expectTrace, expectTraceCount, expectTraces, query } from './harness.js';
import type { StorageCapabilities, WithStorage } from './harness.js';

/** zipkin ITSpanStore: trace search semantics. */
export function describeSpanStore(withStorage: WithStorage, capabilities: StorageCapabilities = {}): void {
  const store = (body: Parameters<WithStorage>[1]) => () => withStorage({}, body);

  describe('span store (zipkin ITSpanStore)', () => {
    it(
      'returns nothing for any query when empty',
      store(async (s) => {
        await expectAllEmpty(s);
      }),
    );

    it(
      'returns nothing for any query when only an empty span was stored',
      store(async (s) => {
        await accept(s, [span({ traceId: newTraceId(), id: '1' })]);
        await expectAllEmpty(s);
      }),
    );

    it(
      'groups spans by trace id',
      store(async (s) => {
        const a1 = baseSpan({ timestamp: (TODAY + 1) * 1000 });
        const a2 = span({ ...a1, id: '2', timestamp: (TODAY + 2) * 1000 });
        const traceIdB = newTraceId();
        const b1 = span({ ...a1, traceId: traceIdB });
        const b2 = span({ ...a2, traceId: traceIdB });
        await accept(s, [a1, b1, a2, b2]);

        await expectTraces(s, query(), [a1, a2], [b1, b2]);
      }),
    );

    it(
      'treats a 64-bit id and two 128-bit ids sharing its low bits as three traces',
      store(async (s) => {
        const traceId = newTraceId();
        const span1 = span({
          traceId: traceId.slice(16),
          id: '1',
          tags: { foo: '1' },
          timestamp: TODAY * 1000,
          localEndpoint: FRONTEND,
        });
        const span2 = span({ ...span1, traceId, tags: { foo: '2' } });
        const span3 = span({ ...span1, traceId: `1${span1.traceId}`, tags: { foo: '3' } });
        await accept(s, [span1, span2, span3]);

        for (const sp of [span1, span2, span3]) {
          await expectTraces(s, query({ serviceName: 'frontend', annotationQuery: `foo=${sp.tags!.foo!}` }), [
            sp,
          ]);
        }
        await expectTraceCount(s, query(), 3);
      }),
    );

    it(
      'limit keeps the traces nearest endTs',
      store(async (s) => {
        const early: Span[] = [];
        const late: Span[] = [];
        for (let i = 1; i <= 10; i++) {
          const localEndpoint = { serviceName: `service${i}`, ipv4: '127.0.0.1' };
          early.push(
            span({
              traceId: newTraceId(),
              id: i.toString(16),
              name: 'early',
              timestamp: (TODAY - i) * 1000,
              duration: 1,
              localEndpoint,
            }),
          );
          late.push(
            span({
              traceId: newTraceId(),
              id: (i + 10).toString(16),
              name: 'late',
              timestamp: (TODAY + 100 - i) * 1000,
              duration: 1,
              localEndpoint,
            }),
          );
        }
        await accept(s, early);
        await accept(s, late);

        await expectTraceCount(s, query(), 20);
        const limited = await expectTraces(s, query({ limit: 10 }), ...late.map((x) => [x]));
        // newest first: late spans were written with decreasing timestamps
        expect(limited.map((t) => t[0]!.id)).toEqual(late.map((x) => x.id));
        await expectTraces(s, query({ endTs: TODAY + 100, lookback: 100 }), ...late.map((x) => [x]));
        await expectTraces(s, query({ endTs: TODAY }), ...early.map((x) => [x]));
        await expectTraces(s, query({ serviceName: 'service1' }), [late[0]!], [early[0]!]);
        await expectTraces(s, query({ serviceName: 'service1', limit: 1 }), [late[0]!]);
      }),
    );

    it(
      'filters by service name and remote service name',
      store(async (s) => {
        const client = newClientSpan();
        await accept(s, [client]);
        await expectServiceNameFilters(s, client);
      }),
    );

    it(
      'filters by service name when a 64-bit trace shares the low bits (mixed trace id length)',
      store(async (s) => {
        const client = newClientSpan();
        await accept(s, [
          baseSpan({
            traceId: client.traceId.slice(16),
            localEndpoint: { serviceName: 'foo' },
            remoteEndpoint: { serviceName: 'bar' },
          }),
        ]);
        await accept(s, [client]);
        await expectServiceNameFilters(s, client);
      }),
    );

    it(
      'filters by span name',
      store(async (s) => {
        const client = newClientSpan();
        await accept(s, [client]);
        await expectSpanNameFilters(s, client);
      }),
    );

    it(
      'filters by span name when a 64-bit trace shares the low bits (mixed trace id length)',
      store(async (s) => {
        const client = newClientSpan();
        await accept(s, [span({ ...client, traceId: client.traceId.slice(16), name: 'bar' })]);
        await accept(s, [client]);
        await expectSpanNameFilters(s, client);
      }),
    );

    it(
      'filters by remote service name without a service name',
      store(async (s) => {
        const client = newClientSpan();
        const other = newClientSpan({ remoteEndpoint: DB });
        await accept(s, [client, other]);
        await expectTraces(s, query({ remoteServiceName: 'backend' }), [client]);
        await expectTraces(s, query({ remoteServiceName: 'db' }), [other]);
        await expectNoTraces(s, query({ remoteServiceName: 'frontend' }));
      }),
    );

    it(
      'filters by tags',
      store(async (s) => {
        const client = newClientSpan();
        await accept(s, [client]);
        await expectNoTraces(s, query({ annotationQuery: 'foo=bar' }));
        await expectTraces(s, query({ annotationQuery: 'http.method=GET and http.path=/foo' }), [client]);
        await expectTraces(s, query({ annotationQuery: 'http.path=/foo' }), [client]);
        await expectNoTraces(s, query({ annotationQuery: 'http.path=/fo' }));
        await expectNoTraces(s, query({ annotationQuery: 'http.path=/foo and http.method=POST' }));
      }),
    );

    it(
      'filters by minDuration (inclusive)',
      store(async (s) => {
        const client = newClientSpan();
        await accept(s, [client]);
        await expectNoTraces(s, query({ minDuration: client.duration! + 1 }));
        await expectTraces(s, query({ minDuration: client.duration! }), [client]);
      }),
    );

    it(
      'matches a duration that arrived in a later fragment of the span',
      store(async (s) => {
        const client = newClientSpan();
        const missingDuration = span({ ...client, duration: undefined });
        const lateDuration = span({
          traceId: client.traceId,
          id: client.id,
          timestamp: client.timestamp,
          duration: client.duration,
          localEndpoint: client.localEndpoint,
        });
        await accept(s, [missingDuration]);
        await accept(s, [lateDuration]);

        await expectNoTraces(s, query({ minDuration: client.duration! + 1 }));
        await expectTraces(s, query({ minDuration: client.duration! }), [lateDuration, missingDuration]);
      }),
    );

    it(
      'filters by maxDuration (inclusive)',
      store(async (s) => {
        const client = newClientSpan();
        await accept(s, [client]);
        await expectNoTraces(
          s,
          query({ minDuration: client.duration! - 2, maxDuration: client.duration! - 1 }),
        );
        await expectTraces(s, query({ minDuration: client.duration!, maxDuration: client.duration! }), [
          client,
        ]);
      }),
    );

    it(
      'reads back a minimal error span: error="" matches "error" but not "error=1"',
      store(async (s) => {
        const errorSpan = span({
          traceId: newTraceId(),
          id: '1',
          timestamp: TODAY * 1000,
          localEndpoint: { serviceName: 'isao01' },
          kind: 'CLIENT',
          tags: { error: '' },
        });
        await accept(s, [errorSpan]);

        await expectTraces(s, query({ serviceName: 'isao01' }), [errorSpan]);
        await expectTraces(s, query({ serviceName: 'isao01', annotationQuery: 'error' }), [errorSpan]);
        await expectNoTraces(s, query({ serviceName: 'isao01', annotationQuery: 'error=1' }));
        await expectTrace(s, errorSpan.traceId, [errorSpan]);
      }),
    );

    it(
      'reads back a tag value over 1 KiB without truncation',
      store(async (s) => {
        const big = baseSpan({ name: 'big', tags: { environment: 'test', a: 'a'.repeat(1024) } });
        await accept(s, [big]);
        await expectTraces(s, query(), [big]);
        await expectTrace(s, big.traceId, [big]);
      }),
    );

    // Two fragments with different names: a store keeping one row per span keeps one of them.
    it.skipIf(capabilities.mergesFragments !== undefined)(
      'handles JSON in span names and dotted tag keys that prefix each other',
      store(async (s) => {
        const part1 = baseSpan({ tags: { environment: 'test', 'http.path': '/api' } });
        await accept(s, [part1]);
        const json = '{"foo":"bar"}';
        const part2 = span({ ...part1, name: json, tags: { 'http.path.morepath': '/api/api' } });
        await accept(s, [part2]);

        await expectTraces(s, query({ serviceName: 'frontend', spanName: json }), [part1, part2]);
        await expectTraces(s, query({ annotationQuery: 'http.path=/api' }), [part1, part2]);
        await expectTraces(s, query({ annotationQuery: 'http.path.morepath=/api/api' }), [part1, part2]);
        await expectNoTraces(s, query({ annotationQuery: 'http.path=/api/api' }));
        await expectTrace(s, part1.traceId, [part1, part2]);
      }),
    );

    // The same checks on one whole span, so stores that merge fragments (mergesFragments) run them too.
    it(
      'handles a JSON span name and dotted tag keys that prefix each other in one span',
      store(async (s) => {
        const json = '{"foo":"bar"}';
        const whole = baseSpan({
          name: json,
          tags: { environment: 'test', 'http.path': '/api', 'http.path.morepath': '/api/api' },
        });
        await accept(s, [whole]);
        await expectTraces(s, query({ serviceName: 'frontend', spanName: json }), [whole]);
        await expectTraces(s, query({ annotationQuery: 'http.path=/api' }), [whole]);
        await expectTraces(s, query({ annotationQuery: 'http.path.morepath=/api/api' }), [whole]);
        await expectNoTraces(s, query({ annotationQuery: 'http.path=/api/api' }));
        await expectTrace(s, whole.traceId, [whole]);
      }),
    );

    it(
      'applies duration bounds to any span of the service, with remote service and span name',
      store(async (s) => {
        const [trace1, trace2, trace3] = (await setupDurationData(s)) as [Span[], Span[], Span[]];
        const q = (input: Parameters<typeof query>[0]) => query({ endTs: TODAY, lookback: DAY, ...input });

        // min duration is inclusive and applied by service
        await expectTraces(s, q({ serviceName: 'frontend', minDuration: 200_000 }), trace1);
        await expectTraces(s, q({ serviceName: 'db', minDuration: 200_000 }), trace2);
        // not only the root span: any span of the service in the trace
        await expectTraces(
          s,
          q({ serviceName: 'backend', minDuration: 50_000, maxDuration: 150_000 }),
          trace1,
          trace2,
          trace3,
        );
        // the remote service name applies together with the duration
        await expectTraces(
          s,
          q({
            serviceName: 'frontend',
            remoteServiceName: 'backend',
            minDuration: 50_000,
            maxDuration: 50_000,
          }),
          trace2,
        );
        // the span name applies together with the duration
        await expectTraces(
          s,
          q({ serviceName: 'backend', spanName: 'zip', minDuration: 1, maxDuration: 50_000 }),
          trace3,
        );
        // max duration filters out longer spans of the same service
        await expectTraces(
          s,
          q({ serviceName: 'backend', minDuration: 50_000, maxDuration: 50_000 }),
          trace3,
        );
        await expectNoTraces(s, q({ serviceName: 'db', minDuration: 200_001 }));
      }),
    );

    it(
      'omits traces without any timestamp, and finds them once a timestamped span arrives',
      store(async (s) => {
        const withTs = baseSpan();
        const withoutTs = span({ ...withTs, timestamp: undefined, duration: undefined });
        await accept(s, [withoutTs]);

        await expectNoTraces(s, query({ serviceName: 'frontend' }));
        await expectNoTraces(s, query({ serviceName: 'frontend', spanName: 'get' }));
        await expectNoTraces(s, query());

        await accept(s, [withTs]);
        await expectTraces(s, query({ serviceName: 'frontend' }), [withoutTs, withTs]);
        await expectTraces(s, query({ serviceName: 'frontend', spanName: 'get' }), [withoutTs, withTs]);
      }),
    );

    it.skipIf(capabilities.mergesFragments !== undefined)(
      'keeps a debug client span and a shared server span with the same id apart',
      store(async (s) => {
        const client = span({ ...newClientSpan(), debug: true });
        const server = span({ ...client, kind: 'SERVER', debug: undefined, shared: true });
        await accept(s, [client, server]);
        const [trace] = await expectTraces(s, query(), [client, server]);
        expect(trace!.filter((x) => x.debug === true)).toHaveLength(1);
        expect(trace!.filter((x) => x.shared === true)).toHaveLength(1);
      }),
    );

    it(
      'finds a trace by annotation value and by tag',
      store(async (s) => {
        const client = newClientSpan({ annotations: [{ timestamp: TODAY * 1000, value: 'foo' }] });
        await accept(s, [client]);
        await expectTraces(s, query({ serviceName: 'frontend', annotationQuery: 'foo' }), [client]);
        await expectTraces(s, query({ serviceName: 'frontend', annotationQuery: 'http.method=GET' }), [
          client,
        ]);
        // a bare word is not a tag value
        await expectNoTraces(s, query({ serviceName: 'frontend', annotationQuery: 'GET' }));
        // an annotation value is not a tag key=value
        await expectNoTraces(s, query({ serviceName: 'frontend', annotationQuery: 'foo=bar' }));
      }),
    );

    it(
      'treats annotationQuery terms as AND, and a bare word also as a tag key',
      store(async (s) => {
        const foo = span({
          traceId: newTraceId(),
          name: 'call1',
          id: '1',
          timestamp: (TODAY + 1) * 1000,
          localEndpoint: FRONTEND,
          annotations: [{ timestamp: (TODAY + 1) * 1000, value: 'foo' }],
        });
        const barAndFoo = span({
          traceId: newTraceId(),
          name: 'call2',
          id: '2',
          timestamp: (TODAY + 2) * 1000,
          localEndpoint: FRONTEND,
          annotations: [
            { timestamp: (TODAY + 2) * 1000, value: 'bar' },
            { timestamp: (TODAY + 2) * 1000, value: 'foo' },
          ],
        });
        const fooAndBazAndQux = span({
          traceId: newTraceId(),
          name: 'call3',
          id: '3',
          timestamp: (TODAY + 3) * 1000,
          localEndpoint: FRONTEND,
          annotations: [{ timestamp: (TODAY + 3) * 1000, value: 'foo' }],
          tags: { baz: 'qux' },
        });
        const barAndFooAndBazAndQux = span({
          traceId: newTraceId(),
          name: 'call4',
          id: '4',
          timestamp: (TODAY + 4) * 1000,
          localEndpoint: FRONTEND,
          annotations: [
            { timestamp: (TODAY + 4) * 1000, value: 'bar' },
            { timestamp: (TODAY + 4) * 1000, value: 'foo' },
          ],
          tags: { baz: 'qux' },
        });
        await accept(s, [foo, barAndFoo, fooAndBazAndQux, barAndFooAndBazAndQux]);

        const fe = { serviceName: 'frontend' };
        const all = await expectTraces(
          s,
          query({ ...fe, annotationQuery: 'foo' }),
          [foo],
          [barAndFoo],
          [fooAndBazAndQux],
          [barAndFooAndBazAndQux],
        );
        expect(all.map((t) => t[0]!.name)).toEqual(['call4', 'call3', 'call2', 'call1']);
        await expectTraces(
          s,
          query({ ...fe, annotationQuery: 'foo and bar' }),
          [barAndFoo],
          [barAndFooAndBazAndQux],
        );
        await expectTraces(s, query({ ...fe, annotationQuery: 'foo and bar and baz=qux' }), [
          barAndFooAndBazAndQux,
        ]);
        await expectTraces(
          s,
          query({ ...fe, annotationQuery: 'baz' }),
          [fooAndBazAndQux],
          [barAndFooAndBazAndQux],
        );
        await expectNoTraces(s, query({ ...fe, annotationQuery: 'foo and bar and baz=quux' }));
        await expectNoTraces(s, query({ ...fe, annotationQuery: 'foo and nope' }));
        // without a service name too
        await expectTraces(s, query({ annotationQuery: 'bar and baz' }), [barAndFooAndBazAndQux]);
      }),
    );

    it(
      'matches annotations and tags only for the service that recorded them',
      store(async (s) => {
        const trace1 = span({
          traceId: newTraceId(),
          name: '1',
          id: '1',
          kind: 'CLIENT',
          timestamp: (TODAY + 1) * 1000,
          duration: 3000,
          localEndpoint: FRONTEND,
          annotations: [{ timestamp: (TODAY + 1) * 1000 + 500, value: 'web' }],
          tags: { local: 'web', 'web-b': 'web' },
        });
        const trace1Server = span({
          traceId: trace1.traceId,
          name: '1',
          id: '1',
          kind: 'SERVER',
          shared: true,
          localEndpoint: BACKEND,
          timestamp: (TODAY + 2) * 1000,
          duration: 1000,
        });
        const trace2 = span({
          traceId: newTraceId(),
          name: '2',
          id: '2',
          kind: 'CLIENT',
          timestamp: (TODAY + 11) * 1000,
          duration: 3000,
          localEndpoint: BACKEND,
          annotations: [{ timestamp: (TODAY + 11) * 1000 + 500, value: 'app' }],
          tags: { local: 'app', 'app-b': 'app' },
        });
        const trace2Server = span({
          traceId: trace2.traceId,
          name: '2',
          id: '2',
          kind: 'SERVER',
          shared: true,
          localEndpoint: FRONTEND,
          timestamp: (TODAY + 12) * 1000,
          duration: 1000,
        });
        await accept(s, [trace1, trace1Server, trace2, trace2Server]);

        await expectTrace(s, trace1.traceId, [trace1, trace1Server]);
        await expectTrace(s, trace2.traceId, [trace2, trace2Server]);
        await expectTraces(s, query(), [trace1, trace1Server], [trace2, trace2Server]);

        const fe = 'frontend';
        const be = 'backend';
        const t1 = [trace1, trace1Server];
        const t2 = [trace2, trace2Server];
        await expectTraces(s, query({ serviceName: fe, annotationQuery: 'web' }), t1);
        await expectNoTraces(s, query({ serviceName: be, annotationQuery: 'web' }));
        await expectTraces(s, query({ serviceName: be, annotationQuery: 'app' }), t2);
        await expectNoTraces(s, query({ serviceName: fe, annotationQuery: 'app' }));
        await expectTraces(s, query({ serviceName: fe, annotationQuery: 'web-b' }), t1);
        await expectNoTraces(s, query({ serviceName: be, annotationQuery: 'web-b' }));
        await expectTraces(s, query({ serviceName: be, annotationQuery: 'app-b' }), t2);
        await expectNoTraces(s, query({ serviceName: fe, annotationQuery: 'app-b' }));
        await expectTraces(s, query({ serviceName: fe, annotationQuery: 'local=web' }), t1);
        await expectNoTraces(s, query({ serviceName: be, annotationQuery: 'local=web' }));
        await expectTraces(s, query({ serviceName: be, annotationQuery: 'local=app' }), t2);
        await expectNoTraces(s, query({ serviceName: fe, annotationQuery: 'local=app' }));
        // without a service name, any span may satisfy the term
        await expectTraces(s, query({ annotationQuery: 'local=app' }), t2);
      }),
    );

    it(
      'lets different spans of the service satisfy different terms',
      store(async (s) => {
        const traceId = newTraceId();
        const a = span({
          traceId,
          id: '1',
          name: 'a',
          timestamp: (TODAY + 1) * 1000,
          duration: 10,
          localEndpoint: FRONTEND,
          tags: { x: '1' },
        });
        const b = span({
          traceId,
          parentId: '1',
          id: '2',
          name: 'b',
          timestamp: (TODAY + 2) * 1000,
          duration: 5000,
          localEndpoint: FRONTEND,
          remoteEndpoint: DB,
          annotations: [{ timestamp: (TODAY + 2) * 1000, value: 'y' }],
        });
        await accept(s, [a, b]);
        await expectTraces(
          s,
          query({
            serviceName: 'frontend',
            remoteServiceName: 'db',
            spanName: 'a',
            annotationQuery: 'x=1 and y',
            minDuration: 5000,
          }),
          [a, b],
        );
      }),
    );

    it(
      'limit applies to the traces nearest endTs',
      store(async (s) => {
        const span1 = baseSpan();
        const span2 = span({ ...span1, traceId: newTraceId(), timestamp: (TODAY + 2) * 1000 });
        await accept(s, [span1, span2]);
        await expectTraces(s, query({ serviceName: 'frontend', limit: 1 }), [span2]);
        await expectTraces(s, query({ limit: 1 }), [span2]);
        await expectTraces(s, query({ spanName: 'get', limit: 1 }), [span2]);
      }),
    );

    it(
      'includes both edges of the endTs/lookback window',
      store(async (s) => {
        const span1 = baseSpan({ timestamp: (TODAY + 1) * 1000 });
        const span2 = span({ ...span1, traceId: newTraceId(), timestamp: (TODAY + 2) * 1000 });
        await accept(s, [span1, span2]);

        await expectNoTraces(s, query({ endTs: TODAY }));
        await expectTraces(s, query({ endTs: TODAY + 1 }), [span1]);
        await expectTraces(s, query({ endTs: TODAY + 2 }), [span1], [span2]);
        await expectTraces(s, query({ endTs: TODAY + 3 }), [span1], [span2]);
        await expectTraces(s, query({ endTs: TODAY + 1, lookback: 1 }), [span1]);
        await expectTraces(s, query({ endTs: TODAY + 2, lookback: 1 }), [span1], [span2]);
        await expectTraces(s, query({ endTs: TODAY + 3, lookback: 1 }), [span2]);
        await expectNoTraces(s, query({ endTs: TODAY + 4, lookback: 1 }));
        // the same edges when a filter narrows the search first
        const fe = { serviceName: 'frontend' };
        await expectNoTraces(s, query({ ...fe, endTs: TODAY }));
        await expectTraces(s, query({ ...fe, endTs: TODAY + 1 }), [span1]);
        await expectTraces(s, query({ ...fe, endTs: TODAY + 1, lookback: 1 }), [span1]);
        await expectTraces(s, query({ ...fe, endTs: TODAY + 3, lookback: 1 }), [span2]);
        await expectNoTraces(s, query({ ...fe, endTs: TODAY + 4, lookback: 1 }));
      }),
    );

    it(
      'selects traces by the root span timestamp, not by any span timestamp',
      store(async (s) => {
        const traceId = newTraceId();
        const root = span({
          traceId,
          id: '1',
          name: 'root',
          timestamp: TODAY * 1000,
          localEndpoint: FRONTEND,
        });
        const child = span({
          traceId,
          parentId: '1',
          id: '2',
          name: 'child',
          timestamp: (TODAY + 10_000) * 1000,
          localEndpoint: BACKEND,
        });
        await accept(s, [child, root]);
        await expectTraces(s, query({ endTs: TODAY + 1, lookback: 1 }), [root, child]);
        await expectNoTraces(s, query({ endTs: TODAY + 10_000, lookback: 100 }));
        await expectNoTraces(s, query({ serviceName: 'backend', endTs: TODAY + 10_000, lookback: 100 }));
      }),
    );

    it(
      'uses the earliest timestamp when the root span is missing',
      store(async (s) => {
        const traceId = newTraceId();
        const a = span({
          traceId,
          parentId: '1',
          id: '2',
          timestamp: (TODAY + 5) * 1000,
          localEndpoint: FRONTEND,
        });
        const b = span({
          traceId,
          parentId: '1',
          id: '3',
          timestamp: (TODAY + 9) * 1000,
          localEndpoint: FRONTEND,
        });
        await accept(s, [b, a]);
        await expectTraces(s, query({ endTs: TODAY + 5, lookback: 1 }), [a, b]);
        await expectNoTraces(s, query({ endTs: TODAY + 9, lookback: 1 }));
      }),
    );

    it(
      'matches lowercased names from the query',
      store(async (s) => {
        const client = newClientSpan();
        await accept(s, [client]);
        await expectTraces(s, query({ serviceName: 'FRONTEND', remoteServiceName: 'BACKEND' }), [client]);
        await expectTraces(s, query({ serviceName: 'frontend', spanName: 'GET /FOO' }), [client]);
      }),
    );

    it(
      'returns the whole trace when endTs falls inside it',
      store(async (s) => {
        const trace = newTrace();
        await accept(s, trace);
        const lookback = Math.floor(trace[0]!.duration! / 1000);
        await expectTraces(s, query({ endTs: endTs(trace), lookback }), trace);
      }),
    );

    it(
      'returns whole traces from a search, including spans of other services',
      store(async (s) => {
        const trace = newTrace();
        await accept(s, trace);
        await expectTraces(s, query({ serviceName: 'backend' }), trace);
        await expectTraces(s, query({ serviceName: 'backend', remoteServiceName: 'db' }), trace);
        // db is only ever a remote endpoint here, never a local service
        await expectNoTraces(s, query({ serviceName: 'db' }));
        await expectTraces(s, query({ serviceName: 'backend', annotationQuery: 'error' }), trace);
        await expectTraces(s, query({ serviceName: 'backend', annotationQuery: '⻩' }), trace);
        await expectTraces(s, query({ annotationQuery: 'error=\u{1F4A9}' }), trace);
        await expectNoTraces(s, query({ serviceName: 'frontend', annotationQuery: 'error' }));
        await expectNoTraces(s, query({ serviceName: 'db', annotationQuery: 'error' }));
      }),
    );
  });
}

async function expectAllEmpty(s: Parameters<Parameters<WithStorage>[1]>[0]): Promise<void> {
  await expectNoTraces(s, query({ serviceName: 'service' }));
  await expectNoTraces(s, query({ serviceName: 'service', remoteServiceName: 'remotey' }));
  await expectNoTraces(
    s,
    query({ serviceName: 'service', remoteServiceName: 'remotey', spanName: 'methodcall' }),
  );
  await expectNoTraces(s, query({ serviceName: 'service', annotationQuery: 'custom' }));
  await expectNoTraces(s, query({ serviceName: 'service', annotationQuery: 'BAH=BEH' }));
  await expectNoTraces(s, query());
}

async function expectServiceNameFilters(s: Parameters<Parameters<WithStorage>[1]>[0], client: Span) {
  const service = client.localEndpoint!.serviceName!;
  const remote = client.remoteEndpoint!.serviceName!;
  await expectNoTraces(s, query({ serviceName: `${service}1` }));
  await expectTraces(s, query({ serviceName: service }), [client]);
  await expectNoTraces(s, query({ serviceName: service, remoteServiceName: `${remote}1` }));
  await expectTraces(s, query({ serviceName: service, remoteServiceName: remote }), [client]);
}

async function expectSpanNameFilters(s: Parameters<Parameters<WithStorage>[1]>[0], client: Span) {
  const service = client.localEndpoint!.serviceName!;
  await expectNoTraces(s, query({ spanName: `${client.name!}1` }));
  await expectNoTraces(s, query({ serviceName: service, spanName: `${client.name!}1` }));
  await expectTraces(s, query({ spanName: client.name! }), [client]);
  await expectTraces(s, query({ serviceName: service, spanName: client.name! }), [client]);
}

/**
 * zipkin ITSpanStore.setupDurationData: three traces three milliseconds before today, where frontend, backend
 * and db each play different roles with different durations.
 */
async function setupDurationData(s: Parameters<Parameters<WithStorage>[1]>[0]): Promise<Span[][]> {
  const [traceId1, traceId2, traceId3] = [newTraceId(), newTraceId(), newTraceId()];
  const offset = (TODAY - 3) * 1000;
  const targz = span({
    traceId: traceId1,
    id: '1',
    name: 'targz',
    timestamp: offset + 100,
    duration: 200_000,
    localEndpoint: FRONTEND,
    remoteEndpoint: DB,
    tags: { lc: 'archiver' },
  });
  const tar = span({
    traceId: traceId1,
    id: '2',
    parentId: '1',
    name: 'tar',
    timestamp: offset + 200,
    duration: 150_000,
    localEndpoint: BACKEND,
    remoteEndpoint: BACKEND,
    tags: { lc: 'archiver' },
  });
  const gz = span({
    traceId: traceId1,
    id: '3',
    parentId: '1',
    name: 'gz',
    timestamp: offset + 250,
    duration: 50_000,
    localEndpoint: DB,
    remoteEndpoint: FRONTEND,
    tags: { lc: 'archiver' },
  });
  const zip = span({
    traceId: traceId3,
    id: '3',
    name: 'zip',
    timestamp: offset + 130,
    duration: 50_000,
    annotations: [{ timestamp: offset + 130, value: 'zip' }],
    localEndpoint: BACKEND,
    remoteEndpoint: BACKEND,
    tags: { lc: 'archiver' },
  });
  const trace1 = [targz, tar, gz];
  const trace2 = [
    span({
      ...targz,
      traceId: traceId2,
      timestamp: offset + 110,
      localEndpoint: DB,
      remoteEndpoint: FRONTEND,
      tags: { lc: 'archiver-v2' },
    }),
    span({ ...tar, traceId: traceId2, timestamp: offset + 210 }),
    span({
      ...gz,
      traceId: traceId2,
      timestamp: offset + 260,
      localEndpoint: FRONTEND,
      remoteEndpoint: BACKEND,
    }),
  ];
  const trace3 = [zip];
  await accept(s, trace1);
  await accept(s, trace2);
  await accept(s, trace3);
  return [trace1, trace2, trace3];
}
