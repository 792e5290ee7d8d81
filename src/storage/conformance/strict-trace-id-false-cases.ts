import { describe, it } from 'vitest';
import type { Span } from '../../model/span.js';
import { baseSpan, newTrace, span } from './fixtures.js';
import { accept, expectTrace, expectTraceMany, expectTraces, query } from './harness.js';
import type { WithStorage } from './harness.js';

/** zipkin ITStrictTraceIdFalse: with STRICT_TRACE_ID=false traces group and look up by the low 64 bits. */
export function describeStrictTraceIdFalse(withStorage: WithStorage): void {
  const lenient = (body: Parameters<WithStorage>[1]) => () => withStorage({ strictTraceId: false }, body);

  describe('strictTraceId=false (zipkin ITStrictTraceIdFalse)', () => {
    it(
      'searches a 128-bit trace',
      lenient(async (s) => {
        const trace = newTrace().reverse();
        await s.spanConsumer().accept(trace);
        await expectSearches(s, trace);
      }),
    );

    it(
      'searches a trace whose downstream spans dropped the high 64 bits (mixed)',
      lenient(async (s) => {
        const trace = mixedTrace();
        await accept(s, [...trace].reverse());
        await expectSearches(s, trace);
      }),
    );

    it(
      'retrieves a 128-bit trace by its 64 or 128-bit id',
      lenient(async (s) => {
        const trace = newTrace().reverse();
        await s.spanConsumer().accept(trace);
        const traceId = trace[0]!.traceId;
        await expectTrace(s, traceId, trace);
        await expectTrace(s, traceId.slice(16), trace);
      }),
    );

    it(
      'retrieves a mixed trace by its 64 or 128-bit id',
      lenient(async (s) => {
        const trace = mixedTrace();
        await accept(s, [...trace].reverse());
        const traceId = trace[0]!.traceId;
        await expectTrace(s, traceId, trace);
        await expectTrace(s, traceId.slice(16), trace);
      }),
    );

    it(
      'traceMany retrieves mixed traces by either id length',
      lenient(async (s) => {
        const pairs: Span[][] = [];
        for (const id of ['a', 'b', 'c']) {
          const with128 = baseSpan();
          const with64 = span({
            ...with128,
            traceId: with128.traceId.slice(16),
            id,
            timestamp: with128.timestamp! + 1000,
          });
          pairs.push([with128, with64]);
        }
        await accept(s, pairs.flat());
        const [one, , three] = pairs as [Span[], Span[], Span[]];
        const ids = (t: Span[]) => t.map((x) => x.traceId);
        await expectTraceMany(s, [...ids(one), ...ids(three)], one, three);
        await expectTraceMany(s, [one[1]!.traceId, three[1]!.traceId], one, three);
        await expectTraceMany(s, [one[0]!.traceId, three[0]!.traceId], one, three);
      }),
    );
  });
}

/** The reference trace where every span after the outbound client span carries only the low 64 bits. */
function mixedTrace(): Span[] {
  const trace = newTrace();
  const downgraded = trace[0]!.traceId.slice(16);
  return trace.map((sp, i) => (i >= 2 ? span({ ...sp, traceId: downgraded }) : sp));
}

async function expectSearches(s: Parameters<Parameters<WithStorage>[1]>[0], trace: Span[]): Promise<void> {
  await expectTraces(s, query(), trace);
  // by the 128-bit side's service and data
  await expectTraces(s, query({ serviceName: 'frontend', annotationQuery: 'foo' }), trace);
  // by the 64-bit side's service and data
  await expectTraces(s, query({ serviceName: 'backend', annotationQuery: 'error' }), trace);
  await expectTraces(
    s,
    query({ serviceName: 'frontend', remoteServiceName: 'backend', spanName: 'get' }),
    trace,
  );
}
