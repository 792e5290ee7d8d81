import type { Database, Statement } from 'better-sqlite3';
import type { DependencyLink } from '../../model/dependency-link.js';
import { lowTraceId } from '../../model/ids.js';
import type { Span } from '../../model/span.js';
import type { QueryRequest } from '../query-request.js';
import type { StorageOptions } from '../storage-component.js';
import type { SqliteDependencyLinks } from './sqlite-dependency-links.js';
import { searchCriteria } from '../sql/sql-search.js';

/** Where the next page of a search starts: the (ts, tid) of the last candidate of the previous page. */
export interface SearchCursor {
  ts: number;
  tid: number;
}

interface CandidateRow {
  tid: number;
  trace_id: string;
  trace_low: string;
  ts: number;
}

/**
 * Every query, on a read-only connection. SQL narrows traces with the indexes (time window, terms,
 * duration); the storage core then runs the shared trace matcher, so the index only has to return a
 * superset, and applies every other Zipkin rule (search disabled, grouping, order).
 */
export class SqliteReader {
  private readonly spansByTraceId: Statement<[string]>;
  private readonly spansByLow: Statement<[string]>;
  private readonly names: Statement<[string, string]>;
  private readonly services: Statement;
  private readonly searchCache = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly opts: StorageOptions,
    /** Only the dependency reader has them (its connection may write the link cache). */
    private readonly links?: SqliteDependencyLinks,
  ) {
    this.spansByTraceId = db
      .prepare(
        'SELECT s.json FROM traces t JOIN spans s ON s.tid = t.tid WHERE t.trace_id = ? ORDER BY s.rowid',
      )
      .pluck();
    this.spansByLow = db
      .prepare(
        'SELECT s.json FROM traces t JOIN spans s ON s.tid = t.tid WHERE t.trace_low = ? ORDER BY s.rowid',
      )
      .pluck();
    this.names = db.prepare('SELECT name FROM names WHERE kind = ? AND svc = ?').pluck();
    this.services = db.prepare("SELECT svc FROM names WHERE kind = 's'").pluck();
  }

  /** Throws when the file cannot be read. */
  check(): void {
    this.db.prepare('SELECT count(*) FROM traces WHERE tid = 0').get();
  }

  /**
   * The spans of each trace (by its low 64 bits when strictTraceId is false), one list per trace found.
   * Ids repeated under the same key are answered once.
   */
  getSpans(traceIds: readonly string[]): Span[][] {
    const seen = new Set<string>();
    const out: Span[][] = [];
    for (const id of traceIds) {
      const key = this.opts.strictTraceId ? id : lowTraceId(id);
      if (seen.has(key)) continue;
      seen.add(key);
      const rows = this.opts.strictTraceId
        ? (this.spansByTraceId.all(id) as string[])
        : (this.spansByLow.all(key) as string[]);
      if (rows.length > 0) out.push(rows.map(parseSpan));
    }
    return out;
  }

  /**
   * One page of candidate trace ids, newest first, after `cursor` (keyset paging on (ts, tid)); `next` is
   * where the following page starts, undefined after the last page. The core fetches and matches them.
   */
  findTraceIds(
    request: QueryRequest,
    cursor: SearchCursor | undefined,
  ): { ids: string[]; next?: SearchCursor } {
    const { sql, params } = searchSql(request);
    let stmt = this.searchCache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.searchCache.size > 200) this.searchCache.clear();
      this.searchCache.set(sql, stmt);
    }
    const lo = (request.endTs - request.lookback) * 1000;
    const hi = request.endTs * 1000;
    // A little over the limit: the matcher rejects some candidates, and a second page costs a round trip.
    const page = Math.min(request.limit, 100_000) + 16;
    const at = cursor ?? { ts: hi + 1, tid: 0 };
    const rows = stmt.all({ ...params, lo, hi, cts: at.ts, ctid: at.tid, page }) as CandidateRow[];
    const ids = rows.map((r) => r.trace_id);
    const last = rows[rows.length - 1];
    return rows.length < page || !last ? { ids } : { ids, next: { ts: last.ts, tid: last.tid } };
  }

  getDependencies(endTsMs: number, lookbackMs: number): DependencyLink[] {
    const lo = (endTsMs - lookbackMs) * 1000;
    const hi = endTsMs * 1000;
    if (!this.links) throw new Error('dependency links are answered by the dependency reader');
    return this.links.getDependencies(lo, hi);
  }

  getServiceNames(): string[] {
    return this.services.all() as string[];
  }

  getRemoteServiceNames(serviceName: string): string[] {
    return this.names.all('r', serviceName) as string[];
  }

  getSpanNames(serviceName: string): string[] {
    return this.names.all('n', serviceName) as string[];
  }

  getAutocompleteValues(key: string): string[] {
    return this.names.all('v', key) as string[];
  }
}

function parseSpan(json: string): Span {
  return JSON.parse(json) as Span;
}

/**
 * The candidate query for a search: traces in the window, newest first, with a term for every criterion
 * (from serviceName's spans only, when given). One term drives: its index range (term, ts) is read
 * newest first within the window and stops at the page size; every other term is one exact index lookup
 * per candidate (term, ts, tid). Keyset paging on (ts, tid) lets the caller fetch more candidates when the
 * matcher rejects some. Only the shape varies with the request, so statements are cached by their SQL.
 */
export function searchSql(request: QueryRequest): { sql: string; params: Record<string, string | number> } {
  const params: Record<string, string | number> = {};
  const svc = request.serviceName;
  if (svc !== undefined) params.svc = svc;
  const bind = (value: string) => {
    const name = `p${Object.keys(params).length}`;
    params[name] = value;
    return `@${name}`;
  };
  // The criteria are the shared layer's (the same terms every SQL store indexes); only the statement's
  // shape is SQLite's own: one term drives, so its (term, ts) index range is read newest first.
  const criteria = searchCriteria(request);
  // Most selective first: the driving term should be the rarest one.
  criteria.sort((a, b) => a.length - b.length); // a single term drives better than an IN list

  const duration =
    request.minDuration !== undefined || request.maxDuration !== undefined
      ? (() => {
          params.dmin = request.minDuration ?? 0;
          params.dmax = request.maxDuration ?? Number.MAX_SAFE_INTEGER;
          return (tid: string) =>
            `EXISTS (SELECT 1 FROM spans s WHERE s.tid = ${tid} AND s.duration BETWEEN @dmin AND @dmax)`;
        })()
      : undefined;
  const termTest = (alias: string, terms: readonly string[]) => {
    const names = terms.map(bind);
    const t = names.length === 1 ? `${alias}.term = ${names[0]}` : `${alias}.term IN (${names.join(', ')})`;
    return svc === undefined ? t : `${t} AND ${alias}.svc = @svc`;
  };

  const [driver, ...others] = criteria;
  if (driver === undefined) {
    const sql = `SELECT tid, trace_id, trace_low, ts FROM traces
      WHERE ts BETWEEN @lo AND @hi AND (ts < @cts OR (ts = @cts AND tid < @ctid))
      ${duration ? `AND ${duration('traces.tid')}` : ''}
      ORDER BY ts DESC, tid DESC LIMIT @page`;
    return { sql, params };
  }
  const where = [
    termTest('d', driver),
    'd.ts BETWEEN @lo AND @hi',
    '(d.ts < @cts OR (d.ts = @cts AND d.tid < @ctid))',
    ...others.map(
      (terms) =>
        `EXISTS (SELECT 1 FROM terms x WHERE ${termTest('x', terms)} AND x.ts = d.ts AND x.tid = d.tid)`,
    ),
    ...(duration ? [duration('d.tid')] : []),
  ];
  // A trace can repeat when the driving term came from several services; the caller skips repeats.
  const sql = `SELECT d.tid AS tid, t.trace_id AS trace_id, t.trace_low AS trace_low, d.ts AS ts
    FROM terms d JOIN traces t ON t.tid = d.tid
    WHERE ${where.join('\n      AND ')}
    ORDER BY d.ts DESC, d.tid DESC LIMIT @page`;
  return { sql, params };
}
