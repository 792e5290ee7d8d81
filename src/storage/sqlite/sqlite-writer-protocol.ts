import type { Span } from '../../model/span.js';
import type { StorageSize } from './sqlite-retention.js';

/** What the writer worker is started with (workerData). */
export interface WriterInit {
  path: string;
  searchEnabled: boolean;
  autocompleteKeys: string[];
  retentionMs: number;
  retentionMaxBytes: number;
  /** How often retention looks at age and size when no ingest triggers it. */
  retentionIntervalMs: number;
  retentionBatchTraces: number;
  /** Most spans committed in one transaction; the rest wait for the next one. */
  maxSpansPerCommit: number;
}

export interface RetentionRunResult {
  deletedTraces: number;
  size: StorageSize;
}

export interface WriterStats {
  size: StorageSize;
  /** Write transactions committed since start. */
  commits: number;
  /** accept() calls they carried: more batches than commits is group commit at work. */
  batches: number;
  /** Traces deleted by retention since start. */
  deletedTraces: number;
}

export type ToWriter =
  | { type: 'accept'; id: number; spans: readonly Span[] }
  /** Run retention until nothing is due, then answer 'retained'. */
  | { type: 'retain'; id: number; nowMs?: number }
  | { type: 'stats'; id: number }
  /** Delete every stored row (tests), then answer 'cleared'. */
  | { type: 'clear'; id: number }
  | { type: 'close' };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'fatal'; name: string; message: string }
  | { type: 'ack'; ids: number[] }
  | { type: 'nack'; id: number; message: string }
  | { type: 'retained'; id: number; result: RetentionRunResult }
  | { type: 'stats'; id: number; stats: WriterStats }
  | { type: 'cleared'; id: number }
  | { type: 'log'; level: 'info' | 'warn'; obj: object; msg: string }
  | { type: 'closed' };
