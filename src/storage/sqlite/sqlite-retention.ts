import { statSync } from 'node:fs';
import type { Database, Statement } from 'better-sqlite3';
import type { SqliteWriter } from './sqlite-writer.js';

export interface RetentionOptions {
  /** Traces older than this are deleted, by the later of their timestamp and their arrival. */
  retentionMs: number;
  /** Budget for the database file plus its WAL, in bytes. */
  retentionMaxBytes: number;
  /** Trace groups deleted per transaction: small, so a retention step never holds the writer for long. */
  batchTraces?: number;
}

/** Sizes on disk, in bytes. */
export interface StorageSize {
  /** page_count * page_size: the database file. */
  fileBytes: number;
  /** Pages holding data (file minus free pages). */
  usedBytes: number;
  walBytes: number;
}

export interface RetentionStepResult {
  deletedTraces: number;
  reason?: 'age' | 'size';
  vacuumedPages: number;
  /** True when more work is due: the caller schedules another step after letting ingest through. */
  more: boolean;
}

const HIGH_WATER = 0.9;
const LOW_WATER = 0.8;
const VACUUM_PAGES_PER_STEP = 2048;

/**
 * WAL allowance inside the byte budget: the WAL is checkpointed at about half of it and truncated back to
 * it (journal_size_limit), so the database itself is held to the rest.
 */
export function walAllowance(maxBytes: number): number {
  return Math.max(64 * 1024, Math.min(64 * 1024 * 1024, Math.floor(maxBytes / 8)));
}

/**
 * Retention in small steps on the writer: whole oldest traces go first, by age and by size (whichever bound
 * is reached first), then free pages beyond the budget are returned to the file system. Freed pages are
 * otherwise reused by new writes, so the file stops growing once it reaches the budget.
 */
export class SqliteRetention {
  private readonly pageSize: number;
  private readonly walPath: string;
  private readonly walAllowance: number;
  private readonly batch: number;
  private readonly pageCount: Statement;
  private readonly freePages: Statement;
  private readonly oldest: Statement<[number]>;
  private readonly olderThan: Statement<[number, number]>;
  private readonly tidRange: Statement;
  /** Hysteresis: once over the high-water mark, delete down to the low-water mark. */
  private shrinking = false;
  private deletedSincePrune = 0;

  constructor(
    private readonly db: Database,
    private readonly writer: SqliteWriter,
    path: string,
    private readonly opts: RetentionOptions,
  ) {
    this.pageSize = db.pragma('page_size', { simple: true }) as number;
    this.walPath = `${path}-wal`;
    this.walAllowance = walAllowance(opts.retentionMaxBytes);
    this.batch = opts.batchTraces ?? 100;
    this.pageCount = db.prepare('PRAGMA page_count').pluck();
    this.freePages = db.prepare('PRAGMA freelist_count').pluck();
    this.oldest = db.prepare('SELECT trace_low FROM traces ORDER BY keep_ts LIMIT ?').pluck();
    this.olderThan = db
      .prepare('SELECT trace_low FROM traces WHERE keep_ts < ? ORDER BY keep_ts LIMIT ?')
      .pluck();
    this.tidRange = db.prepare('SELECT min(tid) AS lo, max(tid) AS hi FROM traces');
  }

  /**
   * How many oldest traces to delete in this step to free about `bytes`: estimated from the average trace
   * size (trace ids grow with arrival, so their range approximates the count without a full scan), capped
   * by the batch size. Deleting more than needed would throw away data the budget could keep.
   */
  private tracesToFree(bytes: number): number {
    const { lo, hi } = this.tidRange.get() as { lo: number | null; hi: number | null };
    if (lo === null || hi === null) return 1;
    const { usedBytes } = this.size();
    const perTrace = Math.max(1, usedBytes / (hi - lo + 1));
    return Math.max(1, Math.min(this.batch, Math.ceil(bytes / perTrace)));
  }

  size(): StorageSize {
    const pages = this.pageCount.get() as number;
    const free = this.freePages.get() as number;
    let walBytes = 0;
    try {
      walBytes = statSync(this.walPath).size;
    } catch {
      // No WAL file yet (or between checkpoints on some platforms): nothing to count.
    }
    return { fileBytes: pages * this.pageSize, usedBytes: (pages - free) * this.pageSize, walBytes };
  }

  /** One bounded unit of work. */
  step(nowMs = Date.now()): RetentionStepResult {
    const cutoffUs = (nowMs - this.opts.retentionMs) * 1000;
    const expired = this.olderThan.all(cutoffUs, this.batch) as string[];
    if (expired.length > 0) {
      const deletedTraces = this.writer.deleteTraces([...new Set(expired)]);
      this.deletedSincePrune += deletedTraces;
      return { deletedTraces, reason: 'age', vacuumedPages: 0, more: true };
    }
    const { usedBytes, fileBytes, walBytes } = this.size();
    // The WAL is never smaller than the last transaction, so a WAL bigger than its allowance comes out of
    // the database's share: file plus WAL stay within the budget. Capped at half the budget, so a WAL
    // swollen by a long-running reader cannot make retention delete everything.
    const max = this.opts.retentionMaxBytes;
    const dbBudget = max - Math.min(max / 2, Math.max(this.walAllowance, walBytes));
    if (usedBytes > dbBudget * HIGH_WATER) this.shrinking = true;
    if (this.shrinking && usedBytes > dbBudget * LOW_WATER) {
      const lows = this.oldest.all(this.tracesToFree(usedBytes - dbBudget * LOW_WATER)) as string[];
      if (lows.length > 0) {
        const deletedTraces = this.writer.deleteTraces([...new Set(lows)]);
        this.deletedSincePrune += deletedTraces;
        return { deletedTraces, reason: 'size', vacuumedPages: 0, more: true };
      }
    }
    this.shrinking = false;
    if (this.deletedSincePrune > 0) {
      this.deletedSincePrune = 0;
      this.writer.pruneNames();
    }
    const free = this.freePages.get() as number;
    if (fileBytes > dbBudget && free > 0) {
      const pages = Math.min(free, VACUUM_PAGES_PER_STEP);
      this.db.pragma(`incremental_vacuum(${pages})`);
      return { deletedTraces: 0, vacuumedPages: pages, more: free > pages };
    }
    return { deletedTraces: 0, vacuumedPages: 0, more: false };
  }
}
