import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
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
import { openReadConnection } from './sqlite-connection.js';
import type { StorageSize } from './sqlite-retention.js';
import { SqliteReader } from './sqlite-reader.js';
import { SqliteSchemaError } from './sqlite-schema.js';
import type { FromWriter, RetentionRunResult, ToWriter, WriterInit } from './sqlite-writer-protocol.js';

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
 * The SQLite store: a writer worker thread owns the write connection (group commit, retention), and
 * queries run on a read-only WAL connection on the calling thread, so ingest never blocks a query and a
 * query never waits on a commit.
 */
export class SqliteStorage implements StorageComponent {
  private nextId = 1;
  private readonly pendingAccepts = new Map<number, Deferred<void>>();
  private readonly pendingCalls = new Map<number, Deferred<unknown>>();
  private failure: Error | undefined;
  private closed: Promise<void> | undefined;
  private readonly reader: SqliteReader;

  /** Use openSqliteStorage. */
  constructor(
    private readonly worker: Worker,
    private readonly readDb: Database,
    readonly path: string,
    opts: StorageOptions,
    private readonly logger: SqliteLogger | undefined,
  ) {
    this.reader = new SqliteReader(readDb, opts);
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
      case 'size':
        this.settle(m.id, m.size);
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
      getTraces: async (request) => this.reader.search(request),
      getDependencies: async (endTsMs, lookbackMs) => this.reader.getDependencies(endTsMs, lookbackMs),
    };
  }

  traces(): Traces {
    return {
      getTrace: async (traceId) => this.reader.getTrace(traceId),
      getTraces: async (traceIds) => this.reader.getTraces(traceIds),
    };
  }

  serviceAndSpanNames(): ServiceAndSpanNames {
    return {
      getServiceNames: async () => this.reader.getServiceNames(),
      getRemoteServiceNames: async (serviceName) => this.reader.getRemoteServiceNames(serviceName),
      getSpanNames: async (serviceName) => this.reader.getSpanNames(serviceName),
    };
  }

  autocompleteTags(): AutocompleteTags {
    return {
      getKeys: async () => this.reader.getAutocompleteKeys(),
      getValues: async (key) => this.reader.getAutocompleteValues(key),
    };
  }

  async check(): Promise<CheckResult> {
    if (this.failure) return { ok: false, error: this.failure.message };
    try {
      this.readDb.prepare('SELECT count(*) FROM traces WHERE tid = 0').get();
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
  size(): Promise<StorageSize> {
    return this.call((id) => ({ type: 'size', id }));
  }

  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      const done = () => {
        this.readDb.close();
        resolve();
      };
      if (this.failure) {
        void this.worker.terminate().then(done, done);
        return;
      }
      this.worker.on('message', (m: FromWriter) => {
        if (m.type === 'closed') void this.worker.terminate().then(done, done);
      });
      this.post({ type: 'close' });
    });
    return this.closed;
  }
}

/**
 * The writer worker's module. Built code runs the .js file; under tsx/vitest the source is .ts, which a
 * Node 20 worker cannot load by itself, so it is started through tsx's loader (a dev dependency only
 * needed there).
 */
function startWriter(init: WriterInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return new Worker(new URL('./sqlite-writer-worker.js', here), { workerData: init });
  }
  const target = new URL('./sqlite-writer-worker.ts', here).href;
  const tsxApi = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const boot = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(target)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: init });
}

/**
 * Opens (creating, migrating) the SQLite file and starts its writer. Rejects with a SqliteSchemaError naming
 * the file when it is not a Skein database or was written by a newer Skein.
 */
export async function openSqliteStorage(opts: SqliteStorageOptions): Promise<SqliteStorage> {
  const path = resolve(opts.path);
  mkdirSync(dirname(path), { recursive: true });
  const worker = startWriter({
    path,
    searchEnabled: opts.searchEnabled,
    autocompleteKeys: [...opts.autocompleteKeys],
    retentionMs: opts.retentionMs,
    retentionMaxBytes: opts.retentionMaxBytes,
    retentionIntervalMs: opts.retentionIntervalMs ?? 1000,
    retentionBatchTraces: opts.retentionBatchTraces ?? 100,
    maxSpansPerCommit: 20_000,
  });
  await new Promise<void>((resolvePromise, reject) => {
    const onMessage = (m: FromWriter) => {
      if (m.type === 'ready') {
        cleanup();
        resolvePromise();
      } else if (m.type === 'fatal') {
        cleanup();
        reject(m.name === 'SqliteSchemaError' ? new SqliteSchemaError(m.message) : new Error(m.message));
      }
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new Error(`cannot start the sqlite writer for ${path}: ${e.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`the sqlite writer for ${path} exited during start-up (code ${code})`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  let readDb: Database;
  try {
    readDb = openReadConnection(path);
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  return new SqliteStorage(worker, readDb, path, opts, opts.logger);
}
