import type { StorageOptions } from '../storage-component.js';
import type { SqliteReader } from './sqlite-reader.js';

/** What a reader worker is started with (workerData). */
export interface ReaderInit {
  path: string;
  options: StorageOptions;
  /** The dependency reader: answers getDependencies from per-trace links it caches in the file. */
  dependencies: boolean;
}

/** The reader methods a worker serves: every query of the store. */
export type ReaderMethod = {
  [K in keyof SqliteReader]: SqliteReader[K] extends (...args: never[]) => unknown ? K : never;
}[keyof SqliteReader];

export type ToReader =
  { type: 'call'; id: number; method: ReaderMethod; args: unknown[] } | { type: 'close' };

export type FromReader =
  | { type: 'ready' }
  | { type: 'fatal'; name: string; message: string }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string }
  | { type: 'closed' };
