import { describe, expect, it } from 'vitest';
import { baseSpan, newClientSpan, newTrace } from './fixtures.js';
import { accept, expectTrace, query } from './harness.js';
import type { WithStorage } from './harness.js';

/** zipkin ITSearchEnabledFalse: with SEARCH_ENABLED=false only lookup by id works. */
export function describeSearchDisabled(withStorage: WithStorage): void {
  const noSearch = (body: Parameters<WithStorage>[1]) => () =>
    withStorage({ searchEnabled: false, autocompleteKeys: ['http.method'] }, body);

  describe('searchEnabled=false (zipkin ITSearchEnabledFalse)', () => {
    it(
      'returns no traces for any search',
      noSearch(async (s) => {
        const client = newClientSpan();
        await accept(s, [client]);
        const store = s.spanStore();
        expect(await store.getTraces(query())).toEqual([]);
        expect(await store.getTraces(query({ serviceName: 'frontend' }))).toEqual([]);
        expect(await store.getTraces(query({ spanName: 'get /foo' }))).toEqual([]);
        expect(
          await store.getTraces(query({ annotationQuery: 'http.method=GET and http.path=/foo' })),
        ).toEqual([]);
        expect(await store.getTraces(query({ minDuration: client.duration! }))).toEqual([]);
        // retrieval by id still works
        await expectTrace(s, client.traceId, [client]);
      }),
    );

    it(
      'returns empty name lists',
      noSearch(async (s) => {
        const sp = baseSpan({ remoteEndpoint: { serviceName: 'backend' } });
        await accept(s, [sp]);
        const names = s.serviceAndSpanNames();
        expect(await names.getServiceNames()).toEqual([]);
        expect(await names.getRemoteServiceNames('frontend')).toEqual([]);
        expect(await names.getSpanNames('frontend')).toEqual([]);
      }),
    );

    it(
      'returns no autocomplete values and no dependency links',
      noSearch(async (s) => {
        const trace = newTrace();
        await accept(s, [newClientSpan(), ...trace]);
        expect(await s.autocompleteTags().getValues('http.method')).toEqual([]);
        expect(await s.spanStore().getDependencies(Date.now() + 86_400_000, 3 * 86_400_000)).toEqual([]);
      }),
    );
  });
}
