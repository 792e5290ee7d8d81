import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SpanConsumer, StorageComponent, StorageStats } from '../storage/storage-component.js';

/**
 * Storage figures on /prometheus, read from the store on each scrape (nothing is polled in between):
 * - skein_storage_bytes{part="database"|"wal"}: on-disk size, against
 * - skein_storage_max_bytes: RETENTION_MAX_BYTES where it applies;
 * - skein_storage_retention_deleted_traces_total;
 * - skein_storage_write_queue_bytes: accepted spans waiting for the group commit
 *   (COLLECTOR_MAX_QUEUED_BYTES bounds it, so a rising line is the warning before 503s).
 * A store that cannot answer leaves its gauges out of that scrape rather than failing /prometheus.
 */
export function registerStorageMetrics(registry: Registry, storage: StorageComponent): void {
  let last: Promise<StorageStats | undefined> | undefined;
  // One stats() call per scrape, shared by the gauges below (prom-client calls each collect in turn).
  const read = () =>
    (last ??= (storage.stats?.() ?? Promise.resolve(undefined))
      .catch(() => undefined)
      .finally(() => {
        setImmediate(() => (last = undefined));
      }));

  new Gauge({
    name: 'skein_storage_bytes',
    help: 'Stored data on disk, by part (database file, write-ahead log)',
    labelNames: ['part'],
    registers: [registry],
    async collect() {
      this.reset();
      const s = await read();
      if (s?.sizeBytes !== undefined) this.set({ part: 'database' }, s.sizeBytes);
      if (s?.walBytes !== undefined) this.set({ part: 'wal' }, s.walBytes);
    },
  });
  new Gauge({
    name: 'skein_storage_max_bytes',
    help: 'RETENTION_MAX_BYTES: retention deletes the oldest traces above it',
    registers: [registry],
    async collect() {
      this.reset();
      const s = await read();
      if (s?.maxBytes !== undefined) this.set(s.maxBytes);
    },
  });
  new Gauge({
    name: 'skein_storage_write_queue_bytes',
    help: 'Bytes of accepted spans waiting for the storage write (bounded by COLLECTOR_MAX_QUEUED_BYTES)',
    registers: [registry],
    async collect() {
      this.reset();
      const s = await read();
      if (s) this.set(s.queuedBytes);
    },
  });
  new Counter({
    name: 'skein_storage_retention_deleted_traces_total',
    help: 'Traces deleted by retention (RETENTION, RETENTION_MAX_BYTES) since start',
    registers: [registry],
    async collect() {
      this.reset();
      const s = await read();
      if (s?.retentionDeletedTraces !== undefined) this.inc(s.retentionDeletedTraces);
    },
  });
}

/**
 * Wraps the store's SpanConsumer to time each accept (from hand-over to stored, or refused) as
 * skein_storage_accept_seconds{outcome="stored"|"failed"}: what a client waits for storage.
 */
export function timedSpanConsumer(consumer: SpanConsumer, registry: Registry): SpanConsumer {
  const seconds = new Histogram({
    name: 'skein_storage_accept_seconds',
    help: 'Time from handing spans to storage until they are stored (or refused)',
    labelNames: ['outcome'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  return {
    accept: async (spans) => {
      const end = seconds.startTimer();
      try {
        await consumer.accept(spans);
        end({ outcome: 'stored' });
      } catch (e) {
        end({ outcome: 'failed' });
        throw e;
      }
    },
  };
}
