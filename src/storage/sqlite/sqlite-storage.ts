import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { DependencyLink } from '../../model/dependency-link.js';
import { StorageError } from '../../model/failure.js';
import type { Span } from '../../model/span.js';
import { CoreStorage, type CoreOptions } from '../core/storage-core.js';
import type { QueryRequest } from '../query-request.js';
import type { BackendCapabilities, StorageBackend } from '../storage-backend.js';
import type { StorageOptions, StorageStats } from '../storage-component.js';
import { lockSqliteFile } from './sqlite-file-lock.js';
import { SqliteReaderClient } from './sqlite-reader-client.js';
import type { SearchCursor } from './sqlite-reader.js';
import type { StorageSize } from './sqlite-retention.js';
import type { FromWriter, RetentionRunResult, ToWriter, WriterStats } from './sqlite-writer-protocol.js';
import { startWorker, whenReady } from './sqlite-worker-start.js';

export interface SqliteLogger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
}

export interface SqliteStorageOptions
  extends StorageOptions, Pick<CoreOptions, 'queryTimeoutMs' | 'maxQueuedBytes'> {
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

/** The SQLite store: the core's rules over SqliteBackend, plus SQLite's own operations (retention, sizes). */
export class SqliteStorage extends CoreStorage<SqliteBackend> {
  get path(): string {
    return this.backend.path;
  }

  /** Runs retention to completion now (normally it runs in the background) and reports the sizes. */
  runRetention(nowMs?: number): Promise<RetentionRunResult> {
    return this.backend.runRetention(nowMs);
  }

  /** Database file and WAL sizes as the writer sees them. */
  async size(): Promise<StorageSize> {
    return (await this.backend.writerStats()).size;
  }

  /** Sizes and commit counters of the writer. */
  writerStats(): Promise<WriterStats> {
    return this.backend.writerStats();
  }
}

/**
 * The SQLite backend. All SQLite work runs off the calling thread: a writer worker owns the write
 * connection (group commit, retention); one reader worker answers searches, traces and name lists, and a
 * second one computes dependency links, whose window can be large, so a search never queues behind them.
 * In WAL mode readers and the writer never wait for one another. The dependency reader keeps each trace's
 * links in the file and relinks only traces that changed (sqlite-dependency-links.ts).
 */
export class SqliteBackend implements StorageBackend {
  readonly capabilities: BackendCapabilities = {
    exactSearch: false,
    dependencies: 'native',
    deduplicates: true,
    // The writer worker commits whatever has arrived; two writes in flight keep it busy while the core
    // gathers the next group.
    groupCommit: true,
    maxConcurrentWrites: 2,
  };
  private nextId = 1;
  private readonly pendingAccepts = new Map<number, Deferred<void>>();
  private readonly pendingCalls = new Map<number, Deferred<unknown>>();
  private failure: Error | undefined;
  /**
   * The last write the writer refused (disk full, read-only file, I/O error), until one commits again:
   * while it is set /health is DOWN with it, so a full disk is seen there and not only by senders' 503s.
   */
  private writeFailure: string | undefined;
  private closed: Promise<void> | undefined;
  /** Started on the first dependency request: many deployments never ask for one. */
  private dependencyReader: Promise<SqliteReaderClient> | undefined;

  /** Use openSqliteStorage. */
  constructor(
    private readonly worker: Worker,
    private readonly queries: SqliteReaderClient,
    private readonly options: StorageOptions,
    readonly path: string,
    private readonly logger: SqliteLogger | undefined,
    private readonly unlock: () => void,
    private readonly retentionMaxBytes: number,
  ) {
    worker.on('message', (m: FromWriter) => this.onMessage(m));
    worker.on('error', (e: Error) => this.fail(new Error(`sqlite writer failed: ${e.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`sqlite writer exited (code ${code})`)));
  }

  get name(): string {
    return `SqliteStorage(${this.path})`;
  }

  private onMessage(m: FromWriter): void {
    switch (m.type) {
      case 'ack':
        if (this.writeFailure !== undefined) {
          this.logger?.info({ path: this.path }, 'sqlite writes succeed again');
          this.writeFailure = undefined;
        }
        for (const id of m.ids) {
          this.pendingAccepts.get(id)?.resolve();
          this.pendingAccepts.delete(id);
        }
        break;
      case 'nack':
        // Disk full, read-only file, I/O error: nothing was committed, and the sender should retry.
        if (this.writeFailure === undefined)
          this.logger?.warn({ path: this.path, err: m.message }, 'sqlite writes are failing');
        this.writeFailure = m.message;
        this.pendingAccepts
          .get(m.id)
          ?.reject(new StorageError('transient', `sqlite write failed: ${m.message}`, 1));
        this.pendingAccepts.delete(m.id);
        break;
      case 'retained':
        this.settle(m.id, m.result);
        break;
      case 'stats':
        this.settle(m.id, m.stats);
        break;
      case 'cleared':
        this.settle(m.id, undefined);
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
    this.failure ??= new StorageError('transient', e.message, 1);
    this.logger?.warn({ err: e.message, path: this.path }, 'sqlite storage is failing');
    for (const d of this.pendingAccepts.values()) d.reject(this.failure);
    for (const d of this.pendingCalls.values()) d.reject(this.failure);
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

  write(spans: readonly Span[]): Promise<void> {
    if (spans.length === 0) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pendingAccepts.set(id, { resolve, reject });
      this.post({ type: 'accept', id, spans });
    });
  }

  async *findTraceIds(request: QueryRequest, signal: AbortSignal): AsyncIterable<readonly string[]> {
    let cursor: SearchCursor | undefined;
    do {
      const page: { ids: string[]; next?: SearchCursor } = await this.queries.call(
        signal,
        'findTraceIds',
        request,
        cursor,
      );
      yield page.ids;
      cursor = page.next;
    } while (cursor !== undefined);
  }

  getSpans(traceIds: readonly string[], signal: AbortSignal): Promise<Span[][]> {
    return this.queries.call(signal, 'getSpans', [...traceIds]);
  }

  getServiceNames(signal: AbortSignal): Promise<string[]> {
    return this.queries.call(signal, 'getServiceNames');
  }

  getRemoteServiceNames(serviceName: string, signal: AbortSignal): Promise<string[]> {
    return this.queries.call(signal, 'getRemoteServiceNames', serviceName);
  }

  getSpanNames(serviceName: string, signal: AbortSignal): Promise<string[]> {
    return this.queries.call(signal, 'getSpanNames', serviceName);
  }

  getAutocompleteValues(key: string, signal: AbortSignal): Promise<string[]> {
    return this.queries.call(signal, 'getAutocompleteValues', key);
  }

  async getDependencies(endTsMs: number, lookbackMs: number, signal: AbortSignal): Promise<DependencyLink[]> {
    this.dependencyReader ??= SqliteReaderClient.start(this.path, this.options, true).catch((e: unknown) => {
      this.dependencyReader = undefined; // let the next request try again
      throw e;
    });
    const reader = await this.dependencyReader;
    return reader.call(signal, 'getDependencies', endTsMs, lookbackMs);
  }

  async check(signal: AbortSignal): Promise<void> {
    const broken = this.failure ?? this.queries.error;
    if (broken) throw new StorageError('transient', `${this.path}: ${broken.message}`, 1);
    if (this.writeFailure !== undefined)
      throw new StorageError('transient', `${this.path}: writes are failing: ${this.writeFailure}`, 1);
    try {
      await this.queries.call(signal, 'check');
    } catch (e) {
      throw new StorageError('transient', `${this.path}: ${e instanceof Error ? e.message : String(e)}`, 1);
    }
  }

  async clear(): Promise<void> {
    await this.call((id) => ({ type: 'clear', id }));
  }

  runRetention(nowMs?: number): Promise<RetentionRunResult> {
    return this.call((id) => (nowMs === undefined ? { type: 'retain', id } : { type: 'retain', id, nowMs }));
  }

  writerStats(): Promise<WriterStats> {
    return this.call((id) => ({ type: 'stats', id }));
  }

  async stats(): Promise<Omit<StorageStats, 'queuedBytes'>> {
    const w = await this.writerStats();
    return {
      sizeBytes: w.size.fileBytes,
      walBytes: w.size.walBytes,
      maxBytes: this.retentionMaxBytes,
      retentionDeletedTraces: w.deletedTraces,
    };
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      const dependencies = await this.dependencyReader?.catch(() => undefined);
      await Promise.all([this.queries.close(), dependencies?.close()]);
      if (!this.failure) {
        await new Promise<void>((resolve) => {
          this.worker.on('message', (m: FromWriter) => m.type === 'closed' && resolve());
          this.worker.on('exit', () => resolve());
          this.post({ type: 'close' });
        });
      }
      await this.worker.terminate();
      this.unlock();
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
  const unlock = lockSqliteFile(path);
  try {
    return await startSqliteStorage(path, opts, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

async function startSqliteStorage(
  path: string,
  opts: SqliteStorageOptions,
  unlock: () => void,
): Promise<SqliteStorage> {
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
  return new SqliteStorage(new SqliteBackend(writer, queries, options, path, opts.logger, unlock, opts.retentionMaxBytes), opts);
}
