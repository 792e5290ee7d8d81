import { describe, expect, it } from 'vitest';
import { normalizeSpan, type SpanInput } from '../model/normalize-span.js';
import type { Span, SpanKind } from '../model/span.js';
import type { DependencyLink } from '../model/dependency-link.js';
import { DependencyLinker, linkDependencies, mergeDependencyLinks } from './dependency-linker.js';

/** Mirrors zipkin DependencyLinkerTest.span(traceId, parentId, id, kind, local, remote, isError). */
function span(
  traceId: string,
  parentId: string | undefined,
  id: string,
  kind: SpanKind | undefined,
  local: string | undefined,
  remote: string | undefined,
  isError: boolean,
  extra: Partial<SpanInput> = {},
): Span {
  return normalizeSpan({
    traceId,
    parentId,
    id,
    kind,
    localEndpoint: local === undefined ? undefined : { serviceName: local },
    remoteEndpoint: remote === undefined ? undefined : { serviceName: remote },
    tags: isError ? { error: '' } : undefined,
    ...extra,
  });
}

const link = (parent: string, child: string, callCount: number, errorCount = 0): DependencyLink =>
  errorCount > 0 ? { parent, child, callCount, errorCount } : { parent, child, callCount };

const linkOne = (trace: readonly Span[]) => linkDependencies([trace]);

// in reverse order as reporting is more likely to occur this way
const TRACE: Span[] = [
  span('a', 'b', 'c', 'CLIENT', 'app', 'db', true),
  span('a', 'a', 'b', 'SERVER', 'app', 'web', false, { shared: true }),
  span('a', 'a', 'b', 'CLIENT', 'web', 'app', false),
  span('a', undefined, 'a', 'SERVER', 'web', undefined, false),
];

describe('linkDependencies (zipkin DependencyLinkerTest)', () => {
  it('baseCase: no traces, no links', () => {
    expect(linkDependencies([])).toEqual([]);
    expect(linkDependencies([[]])).toEqual([]);
  });

  it('linksSpans, sorted by parent then child', () => {
    expect(linkOne(TRACE)).toEqual([link('app', 'db', 1, 1), link('web', 'app', 1)]);
  });

  it('traceIdIsOpaque: links do not depend on trace id = root span id', () => {
    const other = TRACE.map((s) => ({ ...s, traceId: '0000000000000123' }));
    expect(linkOne(other)).toEqual(linkOne(TRACE));
  });

  it('linksSpans_serverMissingParentId', () => {
    const trace = [
      span('a', undefined, 'a', 'SERVER', 'arn', undefined, false),
      span('a', 'a', 'b', 'CLIENT', 'arn', 'link', false),
      span('a', undefined, 'b', 'SERVER', 'link', 'arn', false, { shared: true }),
    ].reverse();
    expect(linkOne(trace)).toEqual([link('arn', 'link', 1)]);
  });

  it('lateParentIdInSharedSpan', () => {
    const trace = [...TRACE];
    trace[2] = { ...TRACE[2]! };
    delete trace[2].parentId;
    expect(linkOne(trace)).toEqual([link('app', 'db', 1, 1), link('web', 'app', 1)]);
  });

  it('lostChildAndNoParentIdInSharedSpan', () => {
    const trace = [...TRACE];
    trace[2] = { ...TRACE[2]! };
    delete trace[2].parentId;
    trace.splice(1, 1);
    expect(linkOne(trace)).toEqual([link('app', 'db', 1, 1), link('web', 'app', 1)]);
  });

  it('messagingSpansDontLinkWithoutBroker_consumer', () => {
    const trace = [
      span('a', undefined, 'a', 'PRODUCER', 'producer', undefined, false),
      span('a', 'a', 'b', 'CONSUMER', 'consumer', 'kafka', false),
    ];
    expect(linkOne(trace)).toEqual([link('kafka', 'consumer', 1)]);
  });

  it('messagingSpansDontLinkWithoutBroker_producer', () => {
    const trace = [
      span('a', undefined, 'a', 'PRODUCER', 'producer', 'kafka', false),
      span('a', 'a', 'b', 'CONSUMER', 'consumer', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([link('producer', 'kafka', 1)]);
  });

  it('messagingWithBroker_both_sides_same', () => {
    const trace = [
      span('a', undefined, 'a', 'PRODUCER', 'producer', 'kafka', false),
      span('a', 'a', 'b', 'CONSUMER', 'consumer', 'kafka', false),
    ];
    expect(linkOne(trace)).toEqual([link('kafka', 'consumer', 1), link('producer', 'kafka', 1)]);
  });

  it('messagingWithBroker_different', () => {
    const trace = [
      span('a', undefined, 'a', 'PRODUCER', 'producer', 'kafka1', false),
      span('a', 'a', 'b', 'CONSUMER', 'consumer', 'kafka2', false),
    ];
    expect(linkOne(trace)).toEqual([link('kafka2', 'consumer', 1), link('producer', 'kafka1', 1)]);
  });

  it('messagingWithoutBroker_noLinks', () => {
    const trace = [
      span('a', undefined, 'a', 'PRODUCER', 'producer', undefined, false),
      span('a', 'a', 'b', 'CONSUMER', 'consumer', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([]);
  });

  it('producerLinksToServer_childSpan', () => {
    const trace = [
      span('a', undefined, 'a', 'PRODUCER', 'producer', undefined, false),
      span('a', 'a', 'b', 'SERVER', 'server', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([link('producer', 'server', 1)]);
  });

  it('producerLinksToServer_sameSpan', () => {
    const trace = [
      span('a', undefined, 'a', 'PRODUCER', 'producer', undefined, false),
      span('a', undefined, 'a', 'SERVER', 'server', undefined, false, { shared: true }),
    ];
    expect(linkOne(trace)).toEqual([link('producer', 'server', 1)]);
  });

  it('clientDoesntLinkToConsumer_child', () => {
    const trace = [
      span('a', undefined, 'a', 'CLIENT', 'client', undefined, false),
      span('a', 'a', 'b', 'CONSUMER', 'consumer', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([]);
  });

  it('linksSpansDirectedByKind: a root knowing its peer links in the direction of its kind', () => {
    for (const s of [
      span('a', undefined, 'a', 'SERVER', 'server', 'client', false),
      span('a', undefined, 'a', 'CLIENT', 'client', 'server', false, { shared: true }),
    ]) {
      expect(linkOne([s])).toEqual([link('client', 'server', 1)]);
    }
  });

  it('callsAgainstTheSameLinkIncreasesCallCount_span', () => {
    const trace = [
      span('a', undefined, 'a', 'SERVER', 'client', undefined, false),
      span('a', 'a', 'b', 'CLIENT', undefined, 'server', false),
      span('a', 'a', 'c', 'CLIENT', undefined, 'server', false),
    ];
    expect(linkOne(trace)).toEqual([link('client', 'server', 2)]);
  });

  it('callsAgainstTheSameLinkIncreasesCallCount_trace (two traces)', () => {
    const trace = [
      span('a', undefined, 'a', 'SERVER', 'client', undefined, false),
      span('a', 'a', 'b', 'CLIENT', undefined, 'server', false),
    ];
    const other = trace.map((s) => ({ ...s, traceId: '000000000000000b' }));
    expect(linkDependencies([trace, other])).toEqual([link('client', 'server', 2)]);
    const linker = new DependencyLinker().putTrace(trace).putTrace(trace);
    expect(linker.link()).toEqual([link('client', 'server', 2)]);
  });

  it('singleHostSpansResultInASingleCallCount', () => {
    const trace = [
      span('a', undefined, 'a', 'CLIENT', 'client', undefined, false),
      span('a', 'a', 'b', 'SERVER', 'server', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([link('client', 'server', 1)]);
  });

  it('singleHostSpansResultInASingleErrorCount', () => {
    const trace = [
      span('a', undefined, 'a', 'CLIENT', 'client', undefined, true),
      span('a', 'a', 'b', 'SERVER', 'server', undefined, true),
    ];
    expect(linkOne(trace)).toEqual([link('client', 'server', 1, 1)]);
  });

  it('singleHostSpansResultInASingleErrorCount_sameId', () => {
    const trace = [
      span('a', undefined, 'a', 'CLIENT', 'client', undefined, true),
      span('a', undefined, 'a', 'SERVER', 'server', undefined, true, { shared: true }),
    ];
    expect(linkOne(trace)).toEqual([link('client', 'server', 1, 1)]);
  });

  it('singleHostSpansResultInASingleCallCount_defersNameToServer', () => {
    const trace = [
      span('a', undefined, 'a', 'CLIENT', 'client', 'server', false),
      span('a', 'a', 'b', 'SERVER', 'server', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([link('client', 'server', 1)]);
  });

  it('singleHostSpans_multipleChildren', () => {
    const trace = [
      span('a', undefined, 'a', 'CLIENT', 'client', undefined, false),
      span('a', 'a', 'b', 'SERVER', 'server', 'client', true),
      span('a', 'a', 'c', 'SERVER', 'server', 'client', false),
    ];
    expect(linkOne(trace)).toEqual([link('client', 'server', 2, 1)]);
  });

  it('singleHostSpans_multipleChildren_defersNameToServer', () => {
    const trace = [
      span('a', undefined, 'a', 'CLIENT', 'client', 'server', false),
      span('a', 'a', 'b', 'SERVER', 'server', undefined, false),
      span('a', 'a', 'c', 'SERVER', 'server', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([link('client', 'server', 2)]);
  });

  it('intermediatedClientSpansMissingLocalServiceNameLinkToNearestServer', () => {
    const trace = [
      span('a', undefined, 'a', 'SERVER', 'client', undefined, false),
      span('a', 'a', 'b', undefined, undefined, undefined, false),
      span('a', 'b', 'c', 'CLIENT', 'server', undefined, false),
      span('a', 'b', 'd', 'CLIENT', 'server', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([link('client', 'server', 2)]);
  });

  it('errorsOnUninstrumentedLinks: no remote, so no error is counted', () => {
    const trace = [
      span('a', undefined, 'a', 'SERVER', 'client', undefined, false),
      span('a', 'a', 'b', undefined, undefined, undefined, false),
      span('a', 'b', 'c', 'CLIENT', 'server', undefined, true),
      span('a', 'b', 'd', 'CLIENT', 'server', undefined, true),
    ];
    expect(linkOne(trace)).toEqual([link('client', 'server', 2)]);
  });

  it('errorsOnInstrumentedLinks', () => {
    const trace = [
      span('a', undefined, 'a', 'SERVER', 'foo', undefined, false),
      span('a', 'a', 'b', undefined, undefined, undefined, false),
      span('a', 'b', 'c', 'CLIENT', 'bar', 'baz', true),
      span('a', 'b', 'd', 'CLIENT', 'bar', 'baz', false),
    ];
    expect(linkOne(trace)).toEqual([link('bar', 'baz', 2, 1), link('foo', 'bar', 2)]);
  });

  it('linkWithError: a lone client with an error tag', () => {
    expect(linkOne([span('a', 'b', 'c', 'CLIENT', 'foo', 'bar', true)])).toEqual([link('foo', 'bar', 1, 1)]);
  });

  it('annotationNamedErrorDoesntIncrementErrorCount', () => {
    const s = span('a', 'b', 'c', 'CLIENT', 'foo', 'bar', false, {
      annotations: [{ timestamp: 1, value: 'error' }],
    });
    expect(linkOne([s])).toEqual([link('foo', 'bar', 1)]);
  });

  it('linksLoopbackSpans', () => {
    for (const s of [
      span('a', undefined, 'a', 'SERVER', 'service', 'service', false),
      span('b', undefined, 'b', 'CLIENT', 'service', 'service', false),
    ]) {
      expect(linkOne([s])).toEqual([link('service', 'service', 1)]);
    }
  });

  it('noSpanKindTreatedSameAsClient', () => {
    const trace = [
      span('a', undefined, 'a', undefined, 'some-client', 'web', false),
      span('a', 'a', 'b', undefined, 'web', 'app', false),
      span('a', 'b', 'c', undefined, 'app', 'db', false),
    ];
    expect(linkOne(trace)).toEqual([
      link('app', 'db', 1),
      link('some-client', 'web', 1),
      link('web', 'app', 1),
    ]);
  });

  it('noSpanKindWithError', () => {
    const trace = [
      span('a', undefined, 'a', undefined, 'some-client', 'web', false),
      span('a', 'a', 'b', undefined, 'web', 'app', true),
      span('a', 'b', 'c', undefined, 'app', 'db', false),
    ];
    expect(linkOne(trace)).toEqual([
      link('app', 'db', 1),
      link('some-client', 'web', 1),
      link('web', 'app', 1, 1),
    ]);
  });

  it('cannotLinkSingleSpanWithoutBothServiceNames', () => {
    for (const s of [
      span('a', undefined, 'a', 'SERVER', undefined, undefined, false),
      span('a', undefined, 'a', 'SERVER', 'server', undefined, false),
      span('a', undefined, 'a', 'SERVER', undefined, 'client', false),
      span('a', undefined, 'a', 'CLIENT', undefined, undefined, false),
      span('a', undefined, 'a', 'CLIENT', 'client', undefined, false),
      span('a', undefined, 'a', 'CLIENT', undefined, 'server', false),
    ]) {
      expect(linkOne([s])).toEqual([]);
    }
  });

  it('doesntLinkUnrelatedSpansWhenMissingRootSpan', () => {
    const trace = [
      span('a', 'a', 'b', 'SERVER', 'service1', undefined, false),
      span('a', 'a', 'c', 'SERVER', 'service2', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([]);
  });

  it('linksRelatedSpansWhenMissingRootSpan', () => {
    const trace = [
      span('a', 'a', 'b', 'SERVER', 'service1', undefined, false),
      span('a', 'b', 'c', 'SERVER', 'service2', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([link('service1', 'service2', 1)]);
  });

  it('linksSingleHostSpans: client and server not sharing ids', () => {
    const trace = [
      span('a', undefined, 'a', 'CLIENT', 'web', undefined, false),
      span('a', 'a', 'b', 'SERVER', 'app', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([link('web', 'app', 1)]);
  });

  it('linksSingleHostSpans_errorOnClient: the server inherits its client error', () => {
    const trace = [
      span('a', undefined, 'a', 'CLIENT', 'web', undefined, true),
      span('a', 'a', 'b', 'SERVER', 'app', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([link('web', 'app', 1, 1)]);
  });

  it('missingSpan: a client on another service implies a link from the nearest server', () => {
    const trace = [
      span('a', undefined, 'a', 'SERVER', 'web', undefined, false),
      span('a', 'a', 'b', 'CLIENT', 'app', undefined, false),
    ];
    expect(linkOne(trace)).toEqual([link('web', 'app', 1)]);
  });

  it('mergeDependencyLinks sums by (parent, child)', () => {
    expect(
      mergeDependencyLinks([
        link('foo', 'bar', 2, 1),
        link('foo', 'bar', 2, 2),
        link('foo', 'foo', 1),
        link('client', 'server', 2),
        link('client', 'server', 2),
      ]),
    ).toEqual([link('client', 'server', 4), link('foo', 'bar', 4, 3), link('foo', 'foo', 1)]);
  });
});

// ---- zipkin ITDependencies cases (TestObjects.newTrace and friends), written by hand ----
const TODAY = Date.UTC(2026, 0, 15) * 1000; // micros
const ms = (n: number) => TODAY + n * 1000;
const TRACE_ID = '7180c278b62e8f6a216a2aea45d08fc9';

function s(input: SpanInput): Span {
  return normalizeSpan({ traceId: TRACE_ID, ...input });
}
const FRONTEND = { serviceName: 'frontend', ipv4: '172.17.0.13' };
const BACKEND = { serviceName: 'backend', ipv4: '192.168.99.101', port: 9000 };
const DB = { serviceName: 'db', ipv4: '2001:db8::c001', port: 3036 };
const KAFKA = { serviceName: 'kafka' };

/** zipkin TestObjects.newTrace: frontend SERVER -> CLIENT get -> backend shared SERVER -> CLIENT db (error). */
function newTrace(traceId = TRACE_ID): Span[] {
  return [
    s({
      traceId,
      id: '1',
      name: 'get',
      kind: 'SERVER',
      localEndpoint: FRONTEND,
      timestamp: ms(0),
      duration: 350_000,
    }),
    s({
      traceId,
      parentId: '1',
      id: '2',
      name: 'get',
      kind: 'CLIENT',
      localEndpoint: FRONTEND,
      remoteEndpoint: BACKEND,
      timestamp: ms(50),
      duration: 200_000,
      annotations: [{ timestamp: ms(100), value: 'foo' }],
      tags: { 'http.path': '/api', 'clnt/finagle.version': '6.45.0' },
    }),
    s({
      traceId,
      parentId: '1',
      id: '2',
      shared: true,
      name: 'get',
      kind: 'SERVER',
      localEndpoint: BACKEND,
      timestamp: ms(100),
      duration: 150_000,
    }),
    s({
      traceId,
      parentId: '2',
      id: '3',
      name: 'query',
      kind: 'CLIENT',
      localEndpoint: BACKEND,
      remoteEndpoint: DB,
      timestamp: ms(150),
      duration: 50_000,
      annotations: [{ timestamp: ms(190), value: '⻩' }],
      tags: { error: '💩' },
    }),
  ];
}
const NEW_TRACE_LINKS = [link('backend', 'db', 1, 1), link('frontend', 'backend', 1)];

describe('linkDependencies (zipkin ITDependencies)', () => {
  it('getDependencies: the basic trace with an error on the db call', () => {
    expect(linkOne(newTrace())).toEqual(NEW_TRACE_LINKS);
  });

  it('getDependencies_linksMixedTraceId: 64-bit fragments join the 128-bit trace, even across groups', () => {
    const mixed = [
      s({
        id: '1',
        name: 'get',
        kind: 'SERVER',
        timestamp: ms(0),
        duration: 350_000,
        localEndpoint: FRONTEND,
      }),
      s({
        traceId: TRACE_ID.slice(16),
        parentId: '1',
        id: '2',
        name: 'get',
        kind: 'SERVER',
        shared: true,
        timestamp: ms(100),
        duration: 250_000,
        localEndpoint: BACKEND,
      }),
      s({
        parentId: '1',
        id: '2',
        kind: 'CLIENT',
        timestamp: ms(50),
        duration: 300_000,
        localEndpoint: FRONTEND,
      }),
    ];
    expect(linkOne(mixed)).toEqual([link('frontend', 'backend', 1)]);
    // A strict-trace-id store hands the two ids over as separate traces.
    expect(linkDependencies([[mixed[0]!, mixed[2]!], [mixed[1]!]])).toEqual([link('frontend', 'backend', 1)]);
  });

  it('replayOverwrites: the same spans twice count once', () => {
    const trace = newTrace();
    expect(linkDependencies([trace, trace])).toEqual(NEW_TRACE_LINKS);
  });

  it('getDependenciesAllInstrumented: clients on other ports of the same host', () => {
    const one = { serviceName: 'frontend', ipv4: '127.0.0.1' };
    const two = { serviceName: 'backend', ipv4: '127.0.0.2' };
    const three = { serviceName: 'db', ipv4: '127.0.0.3' };
    const trace = [
      s({ id: '10', name: 'get', kind: 'SERVER', timestamp: ms(0), duration: 350_000, localEndpoint: one }),
      s({
        parentId: '10',
        id: '20',
        name: 'get',
        kind: 'CLIENT',
        timestamp: ms(50),
        duration: 250_000,
        localEndpoint: { ...one, port: 3001 },
      }),
      s({
        parentId: '10',
        id: '20',
        name: 'get',
        shared: true,
        kind: 'SERVER',
        timestamp: ms(100),
        duration: 150_000,
        localEndpoint: two,
      }),
      s({
        parentId: '20',
        id: '30',
        name: 'query',
        kind: 'CLIENT',
        timestamp: ms(150),
        duration: 50_000,
        localEndpoint: { ...two, port: 3002 },
      }),
      s({
        parentId: '20',
        id: '30',
        name: 'query',
        shared: true,
        kind: 'SERVER',
        timestamp: ms(160),
        duration: 20_000,
        localEndpoint: three,
      }),
    ];
    expect(linkOne(trace)).toEqual([link('backend', 'db', 1), link('frontend', 'backend', 1)]);
  });

  it('dependencies_loopback', () => {
    const [root, client] = newTrace() as [Span, Span];
    const trace = [root, { ...client, remoteEndpoint: root.localEndpoint! }];
    expect(linkOne(trace)).toEqual([link('frontend', 'frontend', 1)]);
  });

  it('dependencies_headlessTrace: the root span is missing', () => {
    expect(linkOne(newTrace().slice(1))).toEqual(NEW_TRACE_LINKS);
  });

  it('notInstrumentedClientAndServer: links come from remote endpoints', () => {
    const trace = [
      s({
        id: '20',
        name: 'get',
        timestamp: ms(0),
        duration: 350_000,
        kind: 'SERVER',
        localEndpoint: FRONTEND,
        remoteEndpoint: KAFKA,
      }),
      s({
        parentId: '20',
        id: '21',
        name: 'get',
        timestamp: ms(50),
        duration: 250_000,
        kind: 'CLIENT',
        localEndpoint: FRONTEND,
      }),
      s({
        parentId: '20',
        id: '21',
        name: 'get',
        shared: true,
        timestamp: ms(250),
        duration: 50_000,
        kind: 'SERVER',
        localEndpoint: BACKEND,
      }),
      s({
        parentId: '21',
        id: '22',
        name: 'get',
        timestamp: ms(150),
        duration: 50_000,
        kind: 'CLIENT',
        localEndpoint: BACKEND,
        remoteEndpoint: DB,
      }),
    ];
    expect(linkOne(trace)).toEqual([
      link('backend', 'db', 1),
      link('frontend', 'backend', 1),
      link('kafka', 'frontend', 1),
    ]);
  });

  it('instrumentedClientAndServer', () => {
    const trace = [
      s({
        id: '10',
        name: 'get',
        timestamp: ms(50),
        duration: 250_000,
        kind: 'CLIENT',
        localEndpoint: FRONTEND,
      }),
      s({
        id: '10',
        name: 'get',
        shared: true,
        timestamp: ms(100),
        duration: 150_000,
        kind: 'SERVER',
        localEndpoint: BACKEND,
      }),
      s({
        parentId: '10',
        id: '11',
        name: 'get',
        timestamp: ms(150),
        duration: 50_000,
        kind: 'CLIENT',
        localEndpoint: BACKEND,
        remoteEndpoint: DB,
      }),
    ];
    expect(linkOne(trace)).toEqual([link('backend', 'db', 1), link('frontend', 'backend', 1)]);
  });

  it('instrumentedProducerAndConsumer: messaging links go through the broker', () => {
    const trace = [
      s({
        id: '10',
        name: 'send',
        timestamp: ms(50),
        duration: 1,
        kind: 'PRODUCER',
        localEndpoint: FRONTEND,
        remoteEndpoint: KAFKA,
      }),
      s({
        parentId: '10',
        id: '11',
        name: 'receive',
        timestamp: ms(100),
        duration: 1,
        kind: 'CONSUMER',
        localEndpoint: BACKEND,
        remoteEndpoint: KAFKA,
      }),
    ];
    expect(linkOne(trace)).toEqual([link('frontend', 'kafka', 1), link('kafka', 'backend', 1)]);
  });

  it('missingIntermediateSpan: a link still results when local endpoints change', () => {
    const trace = [
      s({
        id: '20',
        name: 'get',
        timestamp: ms(0),
        duration: 350_000,
        kind: 'SERVER',
        localEndpoint: FRONTEND,
      }),
      s({
        parentId: '21',
        id: '22',
        name: 'get',
        timestamp: ms(150),
        duration: 50_000,
        kind: 'CLIENT',
        localEndpoint: BACKEND,
      }),
    ];
    expect(linkOne(trace)).toEqual([link('frontend', 'backend', 1)]);
  });

  it('canSearchForIntervalsBesidesToday: two traces aggregate', () => {
    const yesterday = newTrace('00000000000000000000000000000abc').map((x) => ({
      ...x,
      timestamp: x.timestamp! - 86_400_000_000,
    }));
    expect(linkDependencies([yesterday, newTrace()])).toEqual([
      link('backend', 'db', 2, 2),
      link('frontend', 'backend', 2),
    ]);
  });

  it('spanKindIsNotRequiredWhenEndpointsArePresent', () => {
    const trace = [
      s({
        id: '20',
        name: 'get',
        timestamp: ms(0),
        duration: 350_000,
        localEndpoint: KAFKA,
        remoteEndpoint: FRONTEND,
      }),
      s({
        parentId: '20',
        id: '21',
        name: 'get',
        timestamp: ms(50),
        duration: 250_000,
        localEndpoint: FRONTEND,
        remoteEndpoint: BACKEND,
      }),
      s({
        parentId: '21',
        id: '22',
        name: 'get',
        timestamp: ms(150),
        duration: 50_000,
        localEndpoint: BACKEND,
        remoteEndpoint: DB,
      }),
    ];
    expect(linkOne(trace)).toEqual([
      link('backend', 'db', 1),
      link('frontend', 'backend', 1),
      link('kafka', 'frontend', 1),
    ]);
  });

  it('unnamedEndpointsAreSkipped: no link has an empty name', () => {
    const trace = [
      s({
        id: '20',
        name: 'get',
        timestamp: ms(0),
        duration: 350_000,
        localEndpoint: { ipv4: '172.17.0.4' },
        remoteEndpoint: FRONTEND,
      }),
      s({
        parentId: '20',
        id: '21',
        name: 'get',
        timestamp: ms(50),
        duration: 250_000,
        localEndpoint: FRONTEND,
        remoteEndpoint: BACKEND,
      }),
      s({
        parentId: '21',
        id: '22',
        name: 'get',
        timestamp: ms(150),
        duration: 50_000,
        localEndpoint: BACKEND,
        remoteEndpoint: DB,
      }),
    ];
    expect(linkOne(trace)).toEqual([link('backend', 'db', 1), link('frontend', 'backend', 1)]);
  });

  it('intermediateSpans: local spans between remote ones', () => {
    const trace = [
      s({
        id: '20',
        name: 'get',
        timestamp: ms(0),
        duration: 350_000,
        kind: 'SERVER',
        localEndpoint: FRONTEND,
      }),
      s({
        parentId: '20',
        id: '21',
        name: 'call',
        timestamp: ms(25),
        duration: 325_000,
        localEndpoint: FRONTEND,
      }),
      s({
        parentId: '21',
        id: '22',
        name: 'get',
        timestamp: ms(50),
        duration: 250_000,
        kind: 'CLIENT',
        localEndpoint: FRONTEND,
      }),
      s({
        parentId: '21',
        id: '22',
        name: 'get',
        timestamp: ms(100),
        duration: 150_000,
        shared: true,
        kind: 'SERVER',
        localEndpoint: BACKEND,
      }),
      s({
        parentId: '22',
        id: '17',
        name: 'depth4',
        timestamp: ms(110),
        duration: 130_000,
        localEndpoint: BACKEND,
      }),
      s({
        parentId: '17',
        id: '18',
        name: 'depth5',
        timestamp: ms(125),
        duration: 105_000,
        localEndpoint: BACKEND,
      }),
      s({
        parentId: '18',
        id: '19',
        name: 'get',
        timestamp: ms(150),
        duration: 50_000,
        kind: 'CLIENT',
        localEndpoint: BACKEND,
        remoteEndpoint: DB,
      }),
    ];
    expect(linkOne(trace)).toEqual([link('backend', 'db', 1), link('frontend', 'backend', 1)]);
  });

  it('duplicateAddress: v1 spans with ca and sa on both sides (as converted to v2)', () => {
    // What zipkin's V1SpanConverter makes of the two v1 spans: a server whose remote equals itself
    // (dropped service name) and a client with the backend as remote.
    const trace = [
      s({
        id: '20',
        name: 'get',
        kind: 'SERVER',
        timestamp: ms(0),
        duration: 350_000,
        localEndpoint: FRONTEND,
        remoteEndpoint: { ipv4: '172.17.0.13' },
      }),
      s({
        parentId: '21',
        id: '22',
        name: 'get',
        kind: 'CLIENT',
        timestamp: ms(50),
        duration: 250_000,
        localEndpoint: FRONTEND,
        remoteEndpoint: BACKEND,
      }),
    ];
    expect(linkOne(trace)).toEqual([link('frontend', 'backend', 1)]);
  });

  it('oneway: client and server without durations', () => {
    const trace = [
      s({ id: '10', timestamp: ms(50), kind: 'CLIENT', localEndpoint: FRONTEND }),
      s({ id: '10', shared: true, timestamp: ms(100), kind: 'SERVER', localEndpoint: BACKEND }),
    ];
    expect(linkOne(trace)).toEqual([link('frontend', 'backend', 1)]);
  });

  it('annotationNamedErrorIsntError', () => {
    const trace = [
      s({ id: '10', timestamp: ms(50), kind: 'CLIENT', localEndpoint: FRONTEND }),
      s({
        id: '10',
        shared: true,
        timestamp: ms(100),
        kind: 'SERVER',
        localEndpoint: BACKEND,
        annotations: [{ timestamp: ms(72), value: 'error' }],
      }),
    ];
    expect(linkOne(trace)).toEqual([link('frontend', 'backend', 1)]);
  });

  it('oneway_noClient: an async server started by an uninstrumented source', () => {
    const trace = [
      s({
        id: '10',
        name: 'receive',
        timestamp: ms(0),
        kind: 'SERVER',
        localEndpoint: BACKEND,
        remoteEndpoint: KAFKA,
      }),
      s({
        parentId: '10',
        id: '11',
        name: 'process',
        timestamp: ms(25),
        duration: 325_000,
        localEndpoint: BACKEND,
      }),
    ];
    expect(linkOne(trace)).toEqual([link('kafka', 'backend', 1)]);
  });

  it('a SERVER missing its shared flag after a CLIENT with its id is still one call', () => {
    const trace = newTrace().map((x) => {
      const copy = { ...x };
      delete copy.shared;
      return copy;
    });
    expect(linkOne(trace)).toEqual(NEW_TRACE_LINKS);
  });

  it('manyLinks (ITDependenciesHeavy): 256 traces give 512 links of one call each', () => {
    const traces: Span[][] = [];
    for (let i = 1; i <= 256; i++) {
      const traceId = (0x1000 + i).toString(16).padStart(32, 'f');
      const web = { serviceName: `web-${i}` };
      const app = { serviceName: `app-${i}` };
      const db = { serviceName: `db-${i}` };
      traces.push([
        s({
          traceId,
          id: '10',
          name: 'get',
          timestamp: ms(50),
          duration: 250_000,
          kind: 'CLIENT',
          localEndpoint: web,
        }),
        s({
          traceId,
          id: '10',
          name: 'get',
          shared: true,
          timestamp: ms(100),
          duration: 150_000,
          kind: 'SERVER',
          localEndpoint: app,
        }),
        s({
          traceId,
          parentId: '10',
          id: '11',
          name: 'get',
          timestamp: ms(150),
          duration: 50_000,
          kind: 'CLIENT',
          localEndpoint: app,
          remoteEndpoint: db,
        }),
      ]);
    }
    const links = linkDependencies(traces);
    expect(links).toHaveLength(512);
    expect(links.every((l) => l.callCount === 1 && l.errorCount === undefined)).toBe(true);
    expect(links.some((l) => l.parent === 'web-7' && l.child === 'app-7')).toBe(true);
    expect(links.some((l) => l.parent === 'app-7' && l.child === 'db-7')).toBe(true);
  });

  it('a deep chain of local spans links without walking it per span', () => {
    const trace: Span[] = [
      s({ id: '1', kind: 'SERVER', localEndpoint: FRONTEND, timestamp: ms(0), duration: 10 }),
    ];
    for (let i = 2; i <= 5000; i++) {
      trace.push(
        s({
          parentId: (i - 1).toString(16),
          id: i.toString(16),
          localEndpoint: FRONTEND,
          timestamp: ms(0) + i,
        }),
      );
    }
    trace.push(
      s({
        parentId: (5000).toString(16),
        id: 'ffff',
        kind: 'CLIENT',
        localEndpoint: FRONTEND,
        remoteEndpoint: DB,
        timestamp: ms(1),
      }),
    );
    expect(linkOne(trace)).toEqual([link('frontend', 'db', 1)]);
  });
});
