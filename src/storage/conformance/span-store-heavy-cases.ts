import { describe, it } from 'vitest';
import type { Span } from '../../model/span.js';
import { TODAY, baseSpan, span } from './fixtures.js';
import { accept, expectTrace, expectTraceCount, expectTraces, query } from './harness.js';
import type { WithStorage } from './harness.js';

/** zipkin ITSpanStoreHeavy: limits count traces, not spans; indexes hold up under many traces. */
export function describeSpanStoreHeavy(withStorage: WithStorage): void {
  describe('span store, heavy (zipkin ITSpanStoreHeavy)', () => {
    it('returns a 101-span trace whole: limit counts traces, not spans', () =>
      withStorage({}, async (s) => {
        const root = baseSpan();
        const spans: Span[] = [root];
        for (let i = 1; i < 101; i++) {
          spans.push(
            span({
              ...root,
              parentId: root.id,
              id: (i + 1).toString(16),
              timestamp: (TODAY + i) * 1000,
              duration: 10,
            }),
          );
        }
        await accept(s, spans);
        await expectTraces(s, query(), spans);
        await expectTraces(s, query({ limit: 1 }), spans);
        await expectTrace(s, root.traceId, spans);
      }));

    it('finds all of 1000 traces with each filter', () =>
      withStorage({}, async (s) => {
        const traces: Span[] = [];
        for (let i = 0; i < 1000; i++) {
          traces.push(
            baseSpan({
              remoteEndpoint: { serviceName: 'backend' },
              timestamp: (TODAY + i) * 1000,
              duration: 10,
            }),
          );
        }
        await accept(s, traces);

        const limit = 1000;
        await expectTraceCount(s, query({ limit }), limit);
        await expectTraceCount(s, query({ limit, serviceName: 'frontend' }), limit);
        await expectTraceCount(
          s,
          query({ limit, serviceName: 'frontend', remoteServiceName: 'backend' }),
          limit,
        );
        await expectTraceCount(
          s,
          query({ limit, serviceName: 'frontend', remoteServiceName: 'backend', spanName: 'get' }),
          limit,
        );
        await expectTraceCount(
          s,
          query({
            limit,
            serviceName: 'frontend',
            remoteServiceName: 'backend',
            spanName: 'get',
            annotationQuery: 'environment=test',
          }),
          limit,
        );
        await expectTraceCount(s, query({ limit, minDuration: 10, maxDuration: 10 }), limit);
        await expectTraceCount(s, query({ limit: 10, serviceName: 'frontend' }), 10);
        // the newest 10: timestamps TODAY+990..999ms
        await expectTraceCount(s, query({ limit, endTs: TODAY + 999, lookback: 9 }), 10);
      }));
  });
}
