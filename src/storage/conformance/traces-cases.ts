import { describe, expect, it } from 'vitest';
import { baseSpan, newClientSpan, newTrace, newTraceId, span } from './fixtures.js';
import { accept, expectTrace, expectTraceMany, expectTraces, query } from './harness.js';
import type { StorageCapabilities, WithStorage } from './harness.js';

/** zipkin ITTraces: lookup by trace id. */
export function describeTraces(withStorage: WithStorage, capabilities: StorageCapabilities): void {
  describe('traces by id (zipkin ITTraces)', () => {
    it('returns nothing for an unknown id, and a 64-bit suffix does not match in strict mode', () =>
      withStorage({}, async (s) => {
        const client = newClientSpan();
        expect(await s.traces().getTrace(client.traceId)).toEqual([]);
        await accept(s, [client]);
        await expectTrace(s, client.traceId, [client]);
        expect(await s.traces().getTrace(client.traceId.slice(16))).toEqual([]);
        expect(await s.traces().getTrace(newTraceId())).toEqual([]);
      }));

    it('returns every span of the reference trace', () =>
      withStorage({}, async (s) => {
        const trace = newTrace();
        await accept(s, [...trace].reverse());
        await expectTrace(s, trace[0]!.traceId, trace);
      }));

    it.skipIf(capabilities.mergesFragments !== undefined)(
      'keeps a debug client span and a shared server span with the same id apart',
      () =>
        withStorage({}, async (s) => {
          const client = span({ ...newClientSpan(), debug: true });
          const server = span({ ...client, kind: 'SERVER', debug: undefined, shared: true });
          await accept(s, [client, server]);
          await expectTrace(s, client.traceId, [client, server]);
          await expectTraceMany(s, [client.traceId], [client, server]);
        }),
    );

    // Skein's extension (model/span.ts SpanLink): OTLP links and Jaeger FOLLOWS_FROM references must come
    // back from storage, or the Jaeger API's references, api_v3's links and the UI's link view lose them.
    it.skipIf(capabilities.noSpanLinks !== undefined)('keeps span links, with their type and tags', () =>
      withStorage({}, async (s) => {
        const linked = span({
          ...baseSpan(),
          links: [
            {
              traceId: newTraceId(),
              spanId: '00000000000000a1',
              type: 'link',
              tags: { 'link.reason': 'retry' },
            },
            { traceId: newTraceId().slice(16), spanId: '00000000000000a2', type: 'FOLLOWS_FROM' },
          ],
        });
        await accept(s, [linked]);
        await expectTrace(s, linked.traceId, [linked]);
        await expectTraceMany(s, [linked.traceId], [linked]);
        const [found] = await s.traces().getTrace(linked.traceId);
        expect(found!.links).toEqual(linked.links);
      }),
    );

    it('traceMany returns only the traces that exist', () =>
      withStorage({}, async (s) => {
        const span1 = baseSpan();
        const span2 = baseSpan();
        const traceIds = [span1.traceId, newTraceId()];
        await expectTraceMany(s, traceIds);
        await accept(s, [span1, span2]);
        await expectTraceMany(s, traceIds, [span1]);
        await expectTraceMany(
          s,
          traceIds.map((id) => id.slice(16)),
        );
      }));

    it('traceMany returns each requested trace', () =>
      withStorage({}, async (s) => {
        const span1 = baseSpan();
        const span2 = baseSpan();
        const span3 = baseSpan();
        const ids = [span1.traceId, span2.traceId];
        await expectTraceMany(s, ids);
        await accept(s, [span1, span2, span3]);
        await expectTraceMany(s, ids, [span1], [span2]);
        await expectTraceMany(
          s,
          ids.map((id) => id.slice(16)),
        );
        await expectTraceMany(s, []);
      }));

    const dedupe = capabilities.noDeduplication;
    (dedupe ? it.skip : it)(
      `returns a span accepted twice once${dedupe ? ` (opted out: ${dedupe})` : ''}`,
      () =>
        withStorage({}, async (s) => {
          const sp = baseSpan();
          await accept(s, [sp]);
          await accept(s, [sp]);
          await expectTrace(s, sp.traceId, [sp]);
          // a structurally equal copy is the same span too
          await accept(s, [span({ ...sp })]);
          await expectTrace(s, sp.traceId, [sp]);
          await expectTraces(s, query(), [sp]);
          const trace = newTrace();
          await accept(s, trace);
          await accept(s, trace);
          await expectTrace(s, trace[0]!.traceId, trace);
        }),
    );
  });
}
