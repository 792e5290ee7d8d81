import type { Logger } from 'pino';
import type { StorageComponent } from '../storage/storage-component.js';
import { MemoryStorage } from '../storage/memory/memory-storage.js';
import { openSqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import { openPostgresStorage } from '../storage/postgres/postgres-storage.js';
import { openMysqlStorage } from '../storage/mysql/mysql-storage.js';
import { openClickhouseStorage } from '../storage/clickhouse/clickhouse-storage.js';
import type { Config } from './config.js';

/** Opens the configured backend. The only place that knows every backend. Returns it with a display name. */
export async function openStorage(
  config: Config,
  logger: Logger,
): Promise<{ storage: StorageComponent; name: string }> {
  const s = config.storage;
  const options = {
    strictTraceId: s.strictTraceId,
    searchEnabled: s.searchEnabled,
    autocompleteKeys: s.autocompleteKeys,
    // The storage core gives every read this deadline and cancels the work in the backend when it passes.
    queryTimeoutMs: config.queryTimeoutMs,
    maxQueuedBytes: config.collector.maxQueuedBytes,
  };
  switch (s.type) {
    case 'mem':
      return { storage: new MemoryStorage({ ...options, maxSpans: s.memMaxSpans }), name: 'MemoryStorage' };
    case 'sqlite': {
      const storage = await openSqliteStorage({
        ...options,
        path: s.sqlitePath,
        retentionMs: s.retentionMs,
        retentionMaxBytes: s.retentionMaxBytes,
        logger,
      });
      return { storage, name: `SqliteStorage(${storage.path})` };
    }
    case 'mysql': {
      // Zipkin's schema: zipkin-server and Skein can take turns on one database. Zipkin never deletes from
      // MySQL, and neither does Skein here (RETENTION does not apply).
      const storage = await openMysqlStorage(options, s.mysql);
      return { storage, name: storage.backend.name };
    }
    case 'postgres': {
      const storage = await openPostgresStorage(
        {
          ...options,
          onMaintenanceError: (e) =>
            logger.warn({ err: e }, 'postgres: creating partitions or dropping old ones failed; retried hourly'),
        },
        s.postgres,
      );
      return { storage, name: storage.backend.name };
    }
    case 'clickhouse': {
      const storage = await openClickhouseStorage(
        {
          ...options,
          onMaintenanceError: (e) =>
            logger.warn({ err: e }, 'clickhouse: dropping old day partitions failed; retried hourly'),
        },
        s.clickhouse,
      );
      return { storage, name: storage.backend.name };
    }
  }
}
