import type { Worker } from 'node:worker_threads';
import { StorageError } from '../../model/failure.js';
import type { StorageOptions } from '../storage-component.js';
import type { FromReader, ReaderInit, ReaderMethod, ToReader } from './sqlite-reader-protocol.js';
import type { SqliteReader } from './sqlite-reader.js';
import { startWorker, whenReady } from './sqlite-worker-start.js';

type Deferred = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/**
 * Calls SqliteReader methods on a reader worker; each call is answered in order of arrival.
 *
 * better-sqlite3 runs a statement synchronously and offers no interrupt, so the only way to stop a query
 * in the database when its AbortSignal fires is to terminate the worker running it. The client then
 * starts a new worker for the next call; calls that were queued behind the cancelled one fail as
 * transient (503, retry) rather than wait behind work nobody wants.
 */
export class SqliteReaderClient {
  private nextId = 1;
  private readonly pending = new Map<number, Deferred>();
  private failure: Error | undefined;
  private closing = false;
  private worker: Worker;
  private restarting: Promise<void> | undefined;

  private constructor(
    worker: Worker,
    private readonly init: ReaderInit,
  ) {
    this.worker = worker;
    this.attach(worker);
  }

  /** `dependencies`: start the dependency reader (sqlite-dependency-links.ts) rather than the query one. */
  static async start(
    path: string,
    options: StorageOptions,
    dependencies = false,
  ): Promise<SqliteReaderClient> {
    const init: ReaderInit = {
      path,
      options: {
        strictTraceId: options.strictTraceId,
        searchEnabled: options.searchEnabled,
        autocompleteKeys: [...options.autocompleteKeys],
      },
      dependencies,
    };
    const worker = await SqliteReaderClient.boot(init);
    return new SqliteReaderClient(worker, init);
  }

  private static async boot(init: ReaderInit): Promise<Worker> {
    const worker = startWorker('sqlite-reader-worker', init);
    await whenReady(worker, `sqlite reader for ${init.path}`);
    return worker;
  }

  private attach(worker: Worker): void {
    worker.on('message', (m: FromReader) => {
      if (worker !== this.worker || this.restarting || (m.type !== 'result' && m.type !== 'error')) return;
      const d = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'result') d?.resolve(m.value);
      else d?.reject(new StorageError('transient', `sqlite: ${m.message}`, 1));
    });
    // A worker retired by restart() exits on purpose; only the current one failing breaks the client.
    const current = () => worker === this.worker && !this.restarting;
    worker.on('error', (e: Error) => current() && this.fail(new Error(`sqlite reader failed: ${e.message}`)));
    worker.on('exit', (code) => current() && this.fail(new Error(`sqlite reader exited (code ${code})`)));
  }

  /** Undefined while healthy; the error that broke the worker otherwise. */
  get error(): Error | undefined {
    return this.failure;
  }

  async call<M extends ReaderMethod>(
    signal: AbortSignal | undefined,
    method: M,
    ...args: Parameters<SqliteReader[M]>
  ): Promise<ReturnType<SqliteReader[M]>> {
    if (this.restarting) await this.restarting;
    if (this.failure) throw new StorageError('transient', this.failure.message, 1);
    signal?.throwIfAborted();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        reject(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
        this.restart();
      };
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v as ReturnType<SqliteReader[M]>);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.worker.postMessage({ type: 'call', id, method, args } satisfies ToReader);
    });
  }

  /** Terminates the worker (and the statement it runs) and boots a new one. */
  private restart(): void {
    if (this.closing || this.restarting) return;
    const old = this.worker;
    const queued = [...this.pending.values()];
    this.pending.clear();
    const cancelled = new StorageError(
      'transient',
      'sqlite reader restarted after a cancelled query; retry',
      1,
    );
    for (const d of queued) d.reject(cancelled);
    this.restarting = (async () => {
      await old.terminate();
      try {
        const worker = await SqliteReaderClient.boot(this.init);
        this.worker = worker;
        this.attach(worker);
      } catch (e) {
        this.failure = e instanceof Error ? e : new Error(String(e));
      } finally {
        this.restarting = undefined;
      }
    })();
  }

  private fail(e: Error): void {
    if (this.closing) return;
    this.failure ??= e;
    for (const d of this.pending.values()) d.reject(new StorageError('transient', e.message, 1));
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.restarting;
    const worker = this.worker;
    if (!this.failure) {
      await new Promise<void>((resolve) => {
        worker.on('message', (m: FromReader) => m.type === 'closed' && resolve());
        worker.on('exit', () => resolve());
        worker.postMessage({ type: 'close' } satisfies ToReader);
      });
    }
    await worker.terminate();
  }
}
