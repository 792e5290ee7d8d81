import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { DependencyLink } from '../../model/dependency-link.js';
import type { Span } from '../../model/span.js';
import { DependencyLinker, mergeDependencyLinks } from '../dependency-linker.js';

/** One group's links as stored in trace_links.links: [parent, child, calls, errors]. */
type StoredLink = [string, string, number, number];

interface GroupRow {
  low: string;
  changed: number;
  /** The stored links when they were computed at `changed`, else null (never linked, or stale). */
  links: string | null;
}

interface LinksRow {
  low: string;
  changed: number;
  links: string;
}

/** Rows per cache-write transaction: each one briefly holds the write lock the span writer also needs. */
const WRITE_BATCH = 500;
/**
 * Pause between background batches, so a writer sleeping in its busy handler (1, 2, 5... ms) finds the
 * lock free and ingest is not held up for the whole flush of a first, large window.
 */
const WRITE_PAUSE_MS = 3;

/**
 * Dependency links over a time window, incrementally. zipkin links each group of spans sharing the low
 * 64 bits of their trace id on its own and sums the groups (DependencyLinker), so a group's links can be
 * kept until the group changes: the writer stamps every trace row it touches (traces.changed), and a
 * group whose newest stamp equals the stamp of its stored links (trace_links) is summed from them
 * without reading a span. Only new and changed groups are read and linked; their links are stored after
 * the answer is sent, on this worker's own connection, so a restart keeps them and ingest never pays for
 * linking. Retention deletes a group's stored links with its traces.
 *
 * Writes here touch trace_links only, derived data: a failed write costs a relink next time, never a
 * wrong answer, because a row is stored only if its group still has the stamp it was linked at.
 */
export class SqliteDependencyLinks {
  private readonly groups: Statement<[number, number]>;
  private readonly spansOfLow: Statement<[string]>;
  private readonly storeLinks: Statement<[LinksRow]>;
  private readonly readTx: Transaction<
    (lo: number, hi: number) => { links: DependencyLink[]; fresh: LinksRow[] }
  >;
  private readonly writeTx: Transaction<(rows: readonly LinksRow[]) => void>;
  private pending: LinksRow[] = [];
  private flushScheduled = false;

  constructor(private readonly db: Database) {
    // The window holds every group with a trace whose ts falls in it (zipkin: linking groups by low id,
    // whatever STRICT_TRACE_ID says), with all rows of the group, whatever their own ts.
    this.groups = db.prepare(
      `SELECT g.low AS low, g.changed AS changed,
         CASE WHEN l.changed = g.changed THEN l.links END AS links
       FROM (SELECT trace_low AS low, max(changed) AS changed FROM traces
             WHERE trace_low IN (SELECT trace_low FROM traces WHERE ts BETWEEN ? AND ?)
             GROUP BY trace_low) g
       LEFT JOIN trace_links l ON l.trace_low = g.low`,
    );
    this.spansOfLow = db
      .prepare(
        'SELECT s.json FROM traces t JOIN spans s ON s.tid = t.tid WHERE t.trace_low = ? ORDER BY s.rowid',
      )
      .pluck();
    // Checked inside the write transaction: a group that changed or was deleted since it was read keeps no
    // row (it is linked again when next asked), so a stored row is never stale for its stamp.
    this.storeLinks = db.prepare(
      `INSERT OR REPLACE INTO trace_links (trace_low, changed, links)
       SELECT @low, @changed, @links WHERE (SELECT max(changed) FROM traces WHERE trace_low = @low) = @changed`,
    );
    // One read transaction: every group is linked from the same snapshot its stamp came from.
    this.readTx = db.transaction((lo: number, hi: number) => this.read(lo, hi));
    this.writeTx = db.transaction((rows: readonly LinksRow[]) => {
      for (const row of rows) this.storeLinks.run(row);
    });
  }

  /** Links of every group with a trace whose ts (epoch microseconds) is in [lo, hi]. */
  getDependencies(lo: number, hi: number): DependencyLink[] {
    // Links computed by the previous call but not stored yet: store them first, or they are linked again.
    this.flush();
    const { links, fresh } = this.readTx.deferred(lo, hi);
    if (fresh.length > 0) {
      this.pending = fresh; // flush() left nothing pending
      this.scheduleFlush();
    }
    return links;
  }

  private read(lo: number, hi: number): { links: DependencyLink[]; fresh: LinksRow[] } {
    const fresh: LinksRow[] = [];
    const stored: StoredLink[][] = [];
    for (const row of this.groups.iterate(lo, hi) as IterableIterator<GroupRow>) {
      if (row.links !== null) {
        stored.push(JSON.parse(row.links) as StoredLink[]);
        continue;
      }
      const spans = (this.spansOfLow.all(row.low) as string[]).map((json) => JSON.parse(json) as Span);
      const links = new DependencyLinker().putTrace(spans).link();
      const encoded: StoredLink[] = links.map((l) => [l.parent, l.child, l.callCount, l.errorCount ?? 0]);
      stored.push(encoded);
      fresh.push({ low: row.low, changed: row.changed, links: JSON.stringify(encoded) });
    }
    return { links: mergeDependencyLinks(expand(stored)), fresh };
  }

  /** Stores pending links a batch at a time, after the answer is posted: callers wait for links only. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushStep());
  }

  private flushStep(): void {
    this.flushScheduled = false;
    this.writeBatch();
    if (this.pending.length === 0) return;
    this.flushScheduled = true;
    setTimeout(() => this.flushStep(), WRITE_PAUSE_MS);
  }

  /** Stores every pending row now. */
  private flush(): void {
    while (this.writeBatch());
  }

  /** Stores one batch; false when nothing is left to store. */
  private writeBatch(): boolean {
    if (this.pending.length === 0 || !this.db.open) return false;
    const batch = this.pending.splice(0, WRITE_BATCH);
    try {
      this.writeTx.immediate(batch);
      return true;
    } catch {
      // Busy past the timeout, disk full, read-only file: the cache is an optimization, the links are
      // computed again next time. Dropping the rest avoids retrying every batch into the same error.
      this.pending = [];
      return false;
    }
  }
}

function* expand(groups: readonly StoredLink[][]): Generator<DependencyLink> {
  for (const links of groups) {
    for (const [parent, child, callCount, errorCount] of links) {
      yield errorCount > 0 ? { parent, child, callCount, errorCount } : { parent, child, callCount };
    }
  }
}
