import type { Database, Statement, Transaction } from 'better-sqlite3';
import { lowTraceId } from '../../model/ids.js';
import type { Span } from '../../model/span.js';
import { spanTerms } from './sqlite-terms.js';

export interface SqliteWriterOptions {
  searchEnabled: boolean;
  autocompleteKeys: readonly string[];
}

interface TraceInTx {
  tid: number;
  ts: number | null;
  keepTs: number;
  /** Whether the trace had rows before this transaction (only then can a span be a stored duplicate). */
  existed: boolean;
  /** JSON of the spans written in this transaction. */
  spans: Set<string>;
  /** term + svc written in this transaction. */
  terms: Set<string>;
}

/**
 * The only code that writes spans: one synchronous transaction per call. It runs on the writer worker
 * (sqlite-writer-worker.ts), which owns the single write connection; tests may drive it directly.
 */
export class SqliteWriter {
  private readonly upsertTrace: Statement<[string, string, number | null, number | null, number, number]>;
  private readonly nextChange: Statement<[]>;
  private readonly deleteLinks: Statement<[string]>;
  private readonly spanExists: Statement<[number, string, string]>;
  private readonly insertSpan: Statement<[number, string, number | null, string]>;
  private readonly traceTs: Statement<[string]>;
  private readonly insertTerm: Statement<[string, number, number, string]>;
  private readonly upsertName: Statement<[string, string, string, number]>;
  private readonly tracesOfLow: Statement<[string]>;
  private readonly spansOfTrace: Statement<[number]>;
  private readonly deleteTerm: Statement<[string, number, number, string]>;
  private readonly deleteSpans: Statement<[number]>;
  private readonly deleteTraceRow: Statement<[number]>;
  private readonly autocompleteKeys: ReadonlySet<string>;
  private readonly writeTx: Transaction<(batches: readonly (readonly Span[])[]) => number>;
  private readonly deleteTx: Transaction<(lows: readonly string[]) => number>;

  constructor(
    private readonly db: Database,
    private readonly opts: SqliteWriterOptions,
  ) {
    this.autocompleteKeys = new Set(opts.autocompleteKeys);
    // min() of two values where NULL means "not known yet".
    const least = (col: string) =>
      `min(coalesce(${col}, excluded.${col}), coalesce(excluded.${col}, ${col}))`;
    this.upsertTrace = db.prepare(
      `INSERT INTO traces (trace_id, trace_low, root_ts, min_ts, arrived_us, changed) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (trace_id) DO UPDATE SET root_ts = ${least('root_ts')}, min_ts = ${least('min_ts')},
         changed = excluded.changed
       RETURNING tid, ts, keep_ts`,
    );
    this.nextChange = db
      .prepare("UPDATE meta SET value = value + 1 WHERE key = 'change_seq' RETURNING value")
      .pluck();
    this.deleteLinks = db.prepare('DELETE FROM trace_links WHERE trace_low = ?');
    this.traceTs = db.prepare('SELECT tid, ts FROM traces WHERE trace_id = ?');
    this.spanExists = db.prepare('SELECT 1 FROM spans WHERE tid = ? AND span_id = ? AND json = ?').pluck();
    this.insertSpan = db.prepare('INSERT INTO spans (tid, span_id, duration, json) VALUES (?, ?, ?, ?)');
    this.insertTerm = db.prepare('INSERT OR IGNORE INTO terms (term, ts, tid, svc) VALUES (?, ?, ?, ?)');
    this.upsertName = db.prepare(
      `INSERT INTO names (kind, svc, name, last_ts) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, svc, name) DO UPDATE SET last_ts = max(last_ts, excluded.last_ts)`,
    );
    this.tracesOfLow = db.prepare('SELECT tid, ts FROM traces WHERE trace_low = ?');
    this.spansOfTrace = db.prepare('SELECT json FROM spans WHERE tid = ?').pluck();
    this.deleteTerm = db.prepare('DELETE FROM terms WHERE term = ? AND ts = ? AND tid = ? AND svc = ?');
    this.deleteSpans = db.prepare('DELETE FROM spans WHERE tid = ?');
    this.deleteTraceRow = db.prepare('DELETE FROM traces WHERE tid = ?');
    this.writeTx = db.transaction((batches: readonly (readonly Span[])[]) => this.writeAll(batches));
    this.deleteTx = db.transaction((lows: readonly string[]) => this.deleteAll(lows));
  }

  /**
   * Stores every span of every batch in ONE transaction (group commit: one WAL commit for many requests).
   * Returns the number of spans newly stored (exact duplicates of stored spans are skipped: accept is
   * idempotent). Throws, storing nothing, if any write fails.
   */
  write(batches: readonly (readonly Span[])[]): number {
    return this.writeTx.immediate(batches);
  }

  private writeAll(batches: readonly (readonly Span[])[]): number {
    const nowUs = Date.now() * 1000;
    // Per trace id: the earliest root timestamp and earliest timestamp in this transaction.
    const traceTimes = new Map<string, { root: number | null; min: number | null }>();
    for (const spans of batches) {
      for (const span of spans) {
        let t = traceTimes.get(span.traceId);
        if (!t) traceTimes.set(span.traceId, (t = { root: null, min: null }));
        const ts = span.timestamp;
        if (ts === undefined) continue;
        if (t.min === null || ts < t.min) t.min = ts;
        if (span.parentId === undefined && (t.root === null || ts < t.root)) t.root = ts;
      }
    }
    // One stamp for every trace this transaction touches: their cached dependency links are now stale
    // (sqlite-dependency-links.ts). A batch of exact duplicates stamps too, which costs a relink, not a
    // wrong answer.
    const changed = this.nextChange.get() as number;
    const traces = new Map<string, TraceInTx>();
    for (const [traceId, t] of traceTimes) {
      const before = this.traceTs.get(traceId) as { tid: number; ts: number | null } | undefined;
      const row = this.upsertTrace.get(traceId, lowTraceId(traceId), t.root, t.min, nowUs, changed) as {
        tid: number;
        ts: number | null;
        keep_ts: number;
      };
      traces.set(traceId, {
        tid: row.tid,
        ts: row.ts,
        keepTs: row.keep_ts,
        existed: before !== undefined,
        spans: new Set(),
        terms: new Set(),
      });
      if (before && before.ts !== row.ts) this.rekeyTerms(row.tid, before.ts, row.ts);
    }

    const names = new Map<string, [string, string, string, number]>();
    const addName = (kind: string, svc: string, name: string, ts: number) => {
      const key = `${kind}\0${svc}\0${name}`;
      const prev = names.get(key);
      if (!prev || prev[3] < ts) names.set(key, [kind, svc, name, ts]);
    };
    let stored = 0;
    for (const spans of batches) {
      for (const span of spans) {
        const trace = traces.get(span.traceId)!;
        const { tid, ts, keepTs } = trace;
        const json = JSON.stringify(span);
        // Only a trace stored before this transaction can hold a copy on disk; within it, the Set does.
        if (trace.spans.has(json)) continue;
        trace.spans.add(json);
        if (trace.existed && this.spanExists.get(tid, span.id, json) !== undefined) continue;
        this.insertSpan.run(tid, span.id, span.duration ?? null, json);
        stored++;
        if (!this.opts.searchEnabled) continue; // zipkin: no search, no index
        if (ts !== null) {
          for (const { term, svc } of spanTerms(span)) {
            const key = `${term}\0${svc}`;
            if (trace.terms.has(key)) continue; // spans of one trace share most terms
            trace.terms.add(key);
            this.insertTerm.run(term, ts, tid, svc);
          }
        }
        const svc = span.localEndpoint?.serviceName;
        if (svc !== undefined) {
          addName('s', svc, '', keepTs);
          const remote = span.remoteEndpoint?.serviceName;
          if (remote !== undefined) addName('r', svc, remote, keepTs);
          if (span.name !== undefined) addName('n', svc, span.name, keepTs);
        }
        if (span.tags && this.autocompleteKeys.size > 0) {
          for (const key in span.tags) {
            if (this.autocompleteKeys.has(key)) addName('v', key, span.tags[key]!, keepTs);
          }
        }
      }
    }
    for (const n of names.values()) this.upsertName.run(...n);
    return stored;
  }

  /**
   * Deletes whole traces: every trace row sharing one of the given low 64-bit ids, so a trace mixing
   * 64- and 128-bit ids (STRICT_TRACE_ID=false) goes at once. Returns the number of trace rows deleted.
   */
  deleteTraces(lows: readonly string[]): number {
    return this.deleteTx.immediate(lows);
  }

  private deleteAll(lows: readonly string[]): number {
    let deleted = 0;
    for (const low of lows) {
      this.deleteLinks.run(low);
      for (const { tid, ts } of this.tracesOfLow.all(low) as { tid: number; ts: number | null }[]) {
        this.rekeyTerms(tid, ts, null);
        this.deleteSpans.run(tid);
        this.deleteTraceRow.run(tid);
        deleted++;
      }
    }
    return deleted;
  }

  /**
   * Moves the stored spans' terms of one trace from one ts to another (null: no terms). The terms are
   * derived again from the spans rather than found through an index on tid, which would double the size
   * of the biggest index just to serve this.
   */
  private rekeyTerms(tid: number, from: number | null, to: number | null): void {
    const insert = to !== null && this.opts.searchEnabled;
    if (from === null && !insert) return;
    // Spans of one trace share most of their terms: each (term, svc) row is moved once, not once per span.
    const seen = new Set<string>();
    for (const json of this.spansOfTrace.all(tid) as string[]) {
      for (const { term, svc } of spanTerms(JSON.parse(json) as Span)) {
        const key = `${term}\0${svc}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (from !== null) this.deleteTerm.run(term, from, tid, svc);
        if (insert) this.insertTerm.run(term, to, tid, svc);
      }
    }
  }

  /** Names and autocomplete values that no stored trace can still carry. */
  pruneNames(): void {
    this.db
      .prepare('DELETE FROM names WHERE last_ts < (SELECT coalesce(min(keep_ts), 9e18) FROM traces)')
      .run();
  }
}
