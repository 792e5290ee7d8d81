import type { Worker } from 'node:worker_threads';
import type { StorageOptions } from '../storage-component.js';
import type { FromReader, ReaderInit, ReaderMethod, ToReader } from './sqlite-reader-protocol.js';
import type { SqliteReader } from './sqlite-reader.js';
import { startWorker, whenReady } from './sqlite-worker-start.js';

type Deferred = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** Calls SqliteReader methods on a reader worker; each call is answered in order of arrival. */
export class SqliteReaderClient {
  private nextId = 1;
  private readonly pending = new Map<number, Deferred>();
  private failure: Error | undefined;
  private closing = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromReader) => {
      if (m.type !== 'result' && m.type !== 'error') return;
      const d = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'result') d?.resolve(m.value);
      else d?.reject(new Error(m.message));
    });
    worker.on('error', (e: Error) => this.fail(new Error(`sqlite reader failed: ${e.message}`)));
    worker.on('exit', (code) => this.fail(new Error(`sqlite reader exited (code ${code})`)));
  }

  /** `dependencies`: start the dependency reader (sqlite-dependency-links.ts) rather than the query one. */
  static async start(
    path: string,
    options: StorageOptions,
    dependencies = false,
  ): Promise<SqliteReaderClient> {
    const worker = startWorker('sqlite-reader-worker', {
      path,
      options: {
        strictTraceId: options.strictTraceId,
        searchEnabled: options.searchEnabled,
        autocompleteKeys: [...options.autocompleteKeys],
      },
      dependencies,
    } satisfies ReaderInit);
    await whenReady(worker, `sqlite reader for ${path}`);
    return new SqliteReaderClient(worker);
  }

  /** Undefined while healthy; the error that broke the worker otherwise. */
  get error(): Error | undefined {
    return this.failure;
  }

  call<M extends ReaderMethod>(
    method: M,
    ...args: Parameters<SqliteReader[M]>
  ): Promise<ReturnType<SqliteReader[M]>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ type: 'call', id, method, args } satisfies ToReader);
    });
  }

  private fail(e: Error): void {
    if (this.closing) return;
    this.failure ??= e;
    for (const d of this.pending.values()) d.reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (!this.failure) {
      await new Promise<void>((resolve) => {
        this.worker.on('message', (m: FromReader) => m.type === 'closed' && resolve());
        this.worker.on('exit', () => resolve());
        this.worker.postMessage({ type: 'close' } satisfies ToReader);
      });
    }
    await this.worker.terminate();
  }
}
