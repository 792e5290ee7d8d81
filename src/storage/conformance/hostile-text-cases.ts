import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../model/span.js';
import { parseQueryRequest } from '../query-request.js';
import type { StorageComponent } from '../storage-component.js';
import { baseSpan, newTraceId, TODAY } from './fixtures.js';

/**
 * Span data is attacker-controlled: names, tags and annotations full of quotes, backslashes, NULs, LIKE
 * wildcards, placeholders and SQL fragments must be stored and returned exactly, be found by exactly the
 * searches that name them, and never change a statement. Every SQL text the driver sends during the suite
 * is recorded (the backend's `recordSql`) and must contain none of them: they travel only as bound
 * parameters. Shared by the SQL stores.
 */
export const HOSTILE = [
  "it's",
  "''",
  '\\',
  "\\'",
  'nul\0inside',
  '\0',
  "x'); drop table skein_spans; --",
  '"; delete from skein_traces; --',
  '$1',
  '?',
  '%',
  '_',
  "e'\\x00'",
  '*/ select 1 /*',
  ';',
  'ünïcødé 🧵',
  // over 128 characters (stored as a hashed term in Skein's schema), within Zipkin's VARCHAR(255) in MySQL
  'long '.repeat(45),
].map((h) => h.trim());

export interface HostileTextOptions {
  name: string;
  available: boolean;
  /** Opens an empty store with these AUTOCOMPLETE_KEYS. */
  open(autocompleteKeys: string[]): Promise<StorageComponent & { close(): Promise<void> }>;
  /** Starts recording every SQL text the driver sends; returns them, and a way to stop. */
  recordSql(): { sent: string[]; stop(): void };
  /** Checks, from outside the store, that its tables are all there and hold `spans` spans. */
  tablesIntact(storage: StorageComponent, spans: number): Promise<void>;
}

export function describeHostileText(o: HostileTextOptions): void {
  describe.skipIf(!o.available)(`${o.name}: hostile span text`, () => {
    let storage: StorageComponent & { close(): Promise<void> };
    let recording: { sent: string[]; stop(): void };
    const traces: Span[][] = [];

    beforeAll(async () => {
      storage = await o.open(HOSTILE.map((h, i) => `ac${i}${h}`));
      recording = o.recordSql();
      HOSTILE.forEach((h, i) => {
        const traceId = newTraceId();
        traces.push([
          baseSpan({
            traceId,
            id: '1',
            name: `name${i}${h}`,
            timestamp: (TODAY + 1000 * i) * 1000,
            localEndpoint: { serviceName: `svc${i}${h}` },
            remoteEndpoint: { serviceName: `remote${i}${h}` },
            tags: { [`key${i}${h}`]: `value${i}${h}`, [`ac${i}${h}`]: `auto${i}${h}` },
            annotations: [{ timestamp: (TODAY + 1000 * i) * 1000 + 1, value: `ann${i}${h}` }],
          }),
        ]);
      });
      await storage.spanConsumer().accept(traces.flat());
    });

    afterAll(async () => {
      recording?.stop();
      await storage?.close();
    });

    const search = (input: Parameters<typeof parseQueryRequest>[0]) =>
      storage.spanStore().getTraces(
        parseQueryRequest(
          { endTs: TODAY + 86_400_000, lookback: 86_400_000, limit: 100, ...input },
          {
            nowMs: Date.now(),
            lookbackMs: 86_400_000,
          },
        ),
      );

    it('returns every span exactly as written', async () => {
      for (const trace of traces) {
        expect(await storage.traces().getTrace(trace[0]!.traceId)).toEqual(trace);
      }
    });

    it('finds each trace by its hostile service, span name, remote service, tag and annotation, and only it', async () => {
      for (const [i, h] of HOSTILE.entries()) {
        const want = [traces[i]];
        expect(await search({ serviceName: `svc${i}${h}` }), `service ${JSON.stringify(h)}`).toEqual(want);
        expect(await search({ spanName: `name${i}${h}` }), `span name ${JSON.stringify(h)}`).toEqual(want);
        expect(await search({ remoteServiceName: `remote${i}${h}` }), `remote ${JSON.stringify(h)}`).toEqual(
          want,
        );
        expect(
          await search({ annotationQuery: `key${i}${h}=value${i}${h}` }),
          `tag ${JSON.stringify(h)}`,
        ).toEqual(want);
        expect(await search({ annotationQuery: `ann${i}${h}` }), `annotation ${JSON.stringify(h)}`).toEqual(
          want,
        );
      }
    });

    it('does not treat % and _ as wildcards, nor a backslash as an escape', async () => {
      expect(await search({ serviceName: 'svc%' })).toEqual([]);
      expect(await search({ serviceName: 'svc_' })).toEqual([]);
      expect(await search({ annotationQuery: 'key2\\\\=value2\\\\' })).toEqual([]);
    });

    it('lists the hostile names and autocomplete values exactly', async () => {
      const names = storage.serviceAndSpanNames();
      expect(await names.getServiceNames()).toEqual(HOSTILE.map((h, i) => `svc${i}${h}`).sort());
      for (const [i, h] of HOSTILE.entries()) {
        expect(await names.getSpanNames(`svc${i}${h}`)).toEqual([`name${i}${h}`]);
        expect(await names.getRemoteServiceNames(`svc${i}${h}`)).toEqual([`remote${i}${h}`]);
        expect(await storage.autocompleteTags().getValues(`ac${i}${h}`)).toEqual([`auto${i}${h}`]);
      }
    });

    it('never put span text into a statement, and the tables are intact', async () => {
      const sent = recording.sent;
      expect(sent.length).toBeGreaterThan(HOSTILE.length * 5);
      for (const sql of sent) {
        for (const [i, h] of HOSTILE.entries()) {
          for (const marker of [`svc${i}${h}`, `name${i}${h}`, `value${i}${h}`, `ann${i}${h}`]) {
            expect(sql.includes(marker), `${JSON.stringify(marker)} in: ${sql}`).toBe(false);
          }
        }
      }
      await o.tablesIntact(storage, HOSTILE.length);
    });
  });
}
