import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { Span } from '../../model/span.js';
import type {
  AutocompleteTags,
  CheckResult,
  ServiceAndSpanNames,
  SpanConsumer,
  SpanStore,
  StorageComponent,
  StorageOptions,
  Traces,
} from '../storage-component.js';
import { SqliteReaderClient } from './sqlite-reader-client.js';
import type { StorageSize } from './sqlite-retention.js';
import type { FromWriter, RetentionRunResult, ToWriter, WriterStats } from './sqlite-writer-protocol.js';
import { startWorker, whenReady } from './sqlite-worker-start.js';

export interface SqliteLogger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
}

export interface SqliteStorageOptions extends StorageOptions {
  /** SQLITE_PATH. Relative paths resolve against the working directory; the folder is created. */
  path: string;
  /** RETENTION in milliseconds. */
  retentionMs: number;
  /** RETENTION_MAX_BYTES: budget for the database file plus its WAL. */
  retentionMaxBytes: number;
  logger?: SqliteLogger;
  /** How often retention runs when ingest does not trigger it (default 1000 ms). */
  retentionIntervalMs?: number;
  /** Traces deleted per retention transaction (default 100). */
  retentionBatchTraces?: number;
}

type Deferred<T> = { resolve: (v: T) => void; reject: (e: Error) => void };

/**
 * The SQLite store. All SQLite work runs off the calling thread: a writer worker owns the write connection
 * (group commit, retention); one reader worker answers searches, traces and name lists, and a second one
 * computes dependency links, whose window can be large, so a search never queues behind them. In WAL
 * mode readers and the writer never wait for one another. The dependency reader keeps each trace's links
 * in the file and relinks only traces that changed (sqlite-dependency-links.ts).
 */
export class SqliteStorage implements StorageComponent {
  private nextId = 1;
  private readonly pendingAccepts = new Map<number, Deferred<void>>();
  private readonly pendingCalls = new Map<number, Deferred<unknown>>();
  private failure: Error | undefined;
  private closed: Promise<void> | undefined;
  /** Started on the first dependency request: many deployments never ask for one. */
  private dependencies: Promise<SqliteReaderClient> | undefined;

  /** Use openSqliteStorage. */
  constructor(
    private readonly worker: Worker,
    private readonly queries: SqliteReaderClient,
    private readonly options: StorageOptions,
    readonly path: string,
    private readonly logger: SqliteLogger | undefined,
  ) {
    worker.on('message', (m: FromWriter) => this.onMessage(m));
    worker.on('error', (e: Error) => this.fail(new Error(`sqlite writer failed: ${e.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`sqlite writer exited (code ${code})`)));
  }

  private onMessage(m: FromWriter): void {
    switch (m.type) {
      case 'ack':
        for (const id of m.ids) {
          this.pendingAccepts.get(id)?.resolve();
          this.pendingAccepts.delete(id);
        }
        break;
      case 'nack':
        this.pendingAccepts.get(m.id)?.reject(new Error(`sqlite write failed: ${m.message}`));
        this.pendingAccepts.delete(m.id);
        break;
      case 'retained':
        this.settle(m.id, m.result);
        break;
      case 'stats':
        this.settle(m.id, m.stats);
        break;
      case 'log':
        this.logger?.[m.level](m.obj, m.msg);
        break;
      default:
        break;
    }
  }

  private settle(id: number, value: unknown): void {
    this.pendingCalls.get(id)?.resolve(value);
    this.pendingCalls.delete(id);
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.failure ??= e;
    this.logger?.warn({ err: e.message, path: this.path }, 'sqlite storage is failing');
    for (const d of this.pendingAccepts.values()) d.reject(e);
    for (const d of this.pendingCalls.values()) d.reject(e);
    this.pendingAccepts.clear();
    this.pendingCalls.clear();
  }

  private post(m: ToWriter): void {
    this.worker.postMessage(m);
  }

  private call<T>(make: (id: number) => ToWriter): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pendingCalls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post(make(id));
    });
  }

  private accept(spans: readonly Span[]): Promise<void> {
    if (spans.length === 0) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pendingAccepts.set(id, { resolve, reject });
      this.post({ type: 'accept', id, spans });
    });
  }

  spanConsumer(): SpanConsumer {
    return { accept: (spans) => this.accept(spans) };
  }

  spanStore(): SpanStore {
    return {
      getTraces: (request) => this.queries.call('search', request),
      getDependencies: async (endTsMs, lookbackMs) => {
        this.dependencies ??= SqliteReaderClient.start(this.path, this.options, true).catch((e: unknown) => {
          this.dependencies = undefined; // let the next request try again
          throw e;
        });
        const reader = await this.dependencies;
        return reader.call('getDependencies', endTsMs, lookbackMs);
      },
    };
  }

  traces(): Traces {
    return {
      getTrace: (traceId) => this.queries.call('getTrace', traceId),
      getTraces: (traceIds) => this.queries.call('getTraces', [...traceIds]),
    };
  }

  serviceAndSpanNames(): ServiceAndSpanNames {
    return {
      getServiceNames: () => this.queries.call('getServiceNames'),
      getRemoteServiceNames: (serviceName) => this.queries.call('getRemoteServiceNames', serviceName),
      getSpanNames: (serviceName) => this.queries.call('getSpanNames', serviceName),
    };
  }

  autocompleteTags(): AutocompleteTags {
    return {
      getKeys: () => this.queries.call('getAutocompleteKeys'),
      getValues: (key) => this.queries.call('getAutocompleteValues', key),
    };
  }

  async check(): Promise<CheckResult> {
    const broken = this.failure ?? this.queries.error;
    if (broken) return { ok: false, error: broken.message };
    try {
      await this.queries.call('check');
      return { ok: true };
    } catch (e) {
      return { ok: false, error: `${this.path}: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** Runs retention to completion now (normally it runs in the background) and reports the sizes. */
  runRetention(nowMs?: number): Promise<RetentionRunResult> {
    return this.call((id) => (nowMs === undefined ? { type: 'retain', id } : { type: 'retain', id, nowMs }));
  }

  /** Database file and WAL sizes as the writer sees them. */
  async size(): Promise<StorageSize> {
    return (await this.stats()).size;
  }

  /** Sizes and commit counters of the writer. */
  stats(): Promise<WriterStats> {
    return this.call((id) => ({ type: 'stats', id }));
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      const dependencies = await this.dependencies?.catch(() => undefined);
      await Promise.all([this.queries.close(), dependencies?.close()]);
      if (!this.failure) {
        await new Promise<void>((resolve) => {
          this.worker.on('message', (m: FromWriter) => m.type === 'closed' && resolve());
          this.worker.on('exit', () => resolve());
          this.post({ type: 'close' });
        });
      }
      await this.worker.terminate();
    })();
    return this.closed;
  }
}

/**
 * Opens (creating, migrating) the SQLite file and starts its workers. Rejects with a SqliteSchemaError
 * naming the file when it is not a Skein database or was written by a newer Skein.
 */
export async function openSqliteStorage(opts: SqliteStorageOptions): Promise<SqliteStorage> {
  const path = resolve(opts.path);
  mkdirSync(dirname(path), { recursive: true });
  const writer = startWorker('sqlite-writer-worker', {
    path,
    searchEnabled: opts.searchEnabled,
    autocompleteKeys: [...opts.autocompleteKeys],
    retentionMs: opts.retentionMs,
    retentionMaxBytes: opts.retentionMaxBytes,
    retentionIntervalMs: opts.retentionIntervalMs ?? 1000,
    retentionBatchTraces: opts.retentionBatchTraces ?? 100,
    maxSpansPerCommit: 20_000,
  });
  // The writer creates and migrates the file; readers open it only after that.
  await whenReady(writer, `sqlite writer for ${path}`);
  let queries: SqliteReaderClient;
  try {
    queries = await SqliteReaderClient.start(path, opts);
  } catch (e) {
    writer.postMessage({ type: 'close' } satisfies ToWriter);
    await writer.terminate();
    throw e;
  }
  const options = {
    strictTraceId: opts.strictTraceId,
    searchEnabled: opts.searchEnabled,
    autocompleteKeys: opts.autocompleteKeys,
  };
  return new SqliteStorage(writer, queries, options, path, opts.logger);
}
