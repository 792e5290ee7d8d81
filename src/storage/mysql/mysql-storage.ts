import mysql from 'mysql2/promise';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { DependencyLink } from '../../model/dependency-link.js';
import { StorageError } from '../../model/failure.js';
import type { Span } from '../../model/span.js';
import { abortError } from '../core/backend-errors.js';
import { createStorage, type CoreOptions, type CoreStorage } from '../core/storage-core.js';
import { mergeDependencyLinks } from '../dependency-linker.js';
import type { QueryRequest } from '../query-request.js';
import { mysqlDialect } from '../sql/sql-dialect.js';
import type { BackendCapabilities, StorageBackend } from '../storage-backend.js';
import type { StorageOptions } from '../storage-component.js';
import { mysqlDisplayName, poolOptions, type MysqlOptions } from './mysql-config.js';
import { mysqlFailure } from './mysql-errors.js';
import { traceIdParams } from './mysql-ids.js';
import {
  A_TYPE_BOOL,
  A_TYPE_STRING,
  ANNOTATION_COLUMNS,
  fromRows,
  groupAnnotations,
  SPAN_COLUMNS,
  toRows,
  type AnnotationRow,
  type SpanRow,
} from './mysql-rows.js';
import { ensureMysqlSchema, type MysqlSchemaFeatures } from './mysql-schema.js';
import { buildMysqlSearch, type MysqlSearchCursor } from './mysql-search.js';

/** Rows per multi-row INSERT; shorter remainders use power-of-two sizes, so few statements are prepared. */
const ROWS_PER_INSERT = 128;
/** Attempts of a write that lost a deadlock (InnoDB rolled it back; nothing was stored). */
const WRITE_ATTEMPTS = 3;
const DAY_MS = 86_400_000;

/**
 * MySQL or MariaDB with Zipkin's own schema (mysql-schema.ts, rows as zipkin-storage/mysql-v1 writes them:
 * mysql-rows.ts), so zipkin-server and Skein can take turns on one database. Only I/O and row mapping: the
 * storage core applies Zipkin's rules. Every call runs on a pooled connection with server-side prepared
 * statements (values never enter SQL text); when its AbortSignal fires, the running statement is stopped
 * in the server with KILL QUERY from a separate connection, and the connection is not reused.
 */
export class MysqlBackend implements StorageBackend {
  readonly capabilities: BackendCapabilities;
  readonly name: string;

  constructor(
    private readonly pool: Pool,
    private readonly options: StorageOptions,
    private readonly myOptions: MysqlOptions,
    readonly features: MysqlSchemaFeatures,
  ) {
    this.name = mysqlDisplayName(myOptions);
    this.capabilities = {
      exactSearch: false,
      // zipkin_dependencies rows (from the zipkin-dependencies job) when there are some; else the linker.
      dependencies: features.hasDependencies ? 'native' : 'linker',
      deduplicates: false,
      groupCommit: true,
      maxConcurrentWrites: Math.max(1, myOptions.maxConnections - 1),
    };
  }

  /** Runs `work` on one pooled connection; an abort kills its running statement in the server. */
  private async run<T>(
    what: string,
    signal: AbortSignal,
    work: (c: PoolConnection) => Promise<T>,
  ): Promise<T> {
    if (signal.aborted) throw abortError(what, signal);
    let conn: PoolConnection;
    try {
      conn = await this.pool.getConnection();
    } catch (e) {
      throw connectFailure(what, e, this.myOptions);
    }
    if (signal.aborted) {
      // The deadline passed while waiting for a free connection: the caller has been answered already.
      conn.release();
      throw abortError(what, signal);
    }
    const threadId = conn.threadId;
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      void this.killQuery(threadId);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let broken = false;
    try {
      return await work(conn);
    } catch (e) {
      if (cancelled) throw abortError(what, signal);
      const failure = mysqlFailure(what, e);
      if (failure.kind !== 'terminal' || (e as { fatal?: boolean }).fatal === true) broken = true;
      throw failure;
    } finally {
      signal.removeEventListener('abort', onAbort);
      // A connection whose statement was killed or whose socket failed is not handed out again: a late
      // KILL QUERY could otherwise stop the next caller's statement.
      if (cancelled || broken) conn.destroy();
      else conn.release();
    }
  }

  /** KILL QUERY from a connection of its own: the pool may be exhausted by the very query to stop. */
  private async killQuery(threadId: number): Promise<void> {
    let c: mysql.Connection | undefined;
    try {
      const { connectionLimit: _l, ...options } = poolOptions(this.myOptions);
      c = await mysql.createConnection({ ...options, connectTimeout: 5000 });
      c.on('error', () => undefined);
      await c.query('KILL QUERY ?', [threadId]);
    } catch {
      // The connection is destroyed anyway; a failed kill leaves only the server-side work.
    } finally {
      await c?.end().catch(() => c?.destroy());
    }
  }

  async write(spans: readonly Span[], signal: AbortSignal): Promise<void> {
    if (spans.length === 0) return;
    const rows = toRows(spans, this.features);
    // One order for every writer: concurrent batches touching the same spans then rarely deadlock.
    const byKey = (a: unknown[], b: unknown[]) => compareKeys(a, b);
    rows.owned.sort(byKey);
    rows.shared.sort(byKey);
    rows.annotations.sort(byKey);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.run('mysql write', signal, async (c) => {
          await c.beginTransaction();
          try {
            await this.insertSpans(c, rows.owned, true);
            await this.insertSpans(c, rows.shared, false);
            await this.insertAnnotations(c, rows.annotations);
            await c.commit();
          } catch (e) {
            await c.rollback().catch(() => undefined);
            throw e;
          }
        });
        return;
      } catch (e) {
        const code = ((e as Error).cause as { code?: string } | undefined)?.code;
        if (code !== 'ER_LOCK_DEADLOCK' || attempt >= WRITE_ATTEMPTS) throw e;
      }
    }
  }

  /** The columns this database has (zipkin's schema checks): the others are left out, as zipkin does. */
  private spanColumns(): { names: string[]; keep: (row: unknown[]) => unknown[] } {
    const skip = new Set<string>();
    if (!this.features.hasTraceIdHigh) skip.add('trace_id_high');
    if (!this.features.hasRemoteServiceName) skip.add('remote_service_name');
    return keepColumns(SPAN_COLUMNS, skip);
  }

  /**
   * zipkin_spans rows, merged on a duplicate key exactly as zipkin's MySQLSpanConsumer does: a later
   * fragment's name, remote service, parent and duration replace the row's when it has them (a missing or
   * "unknown" name is written as '' and never replaces), and a span that owns its timestamp replaces the
   * tentative start_ts a shared (server) fragment wrote first.
   */
  private async insertSpans(c: PoolConnection, rows: unknown[][], ownsTimestamp: boolean): Promise<void> {
    const { names, keep } = this.spanColumns();
    const setName = (col: string) => `${col} = IF(LENGTH(VALUES(${col})) > 0, VALUES(${col}), ${col})`;
    const updates = [
      setName('name'),
      ...(this.features.hasRemoteServiceName ? [setName('remote_service_name')] : []),
      'parent_id = COALESCE(VALUES(parent_id), parent_id)',
      'duration = COALESCE(VALUES(duration), duration)',
      ...(ownsTimestamp ? ['start_ts = COALESCE(VALUES(start_ts), start_ts)'] : []),
    ];
    await insertChunks(
      c,
      rows.map(keep),
      (values) =>
        `INSERT INTO zipkin_spans (${names.join(', ')}) ${values(names.length)} ON DUPLICATE KEY UPDATE ${updates.join(', ')}`,
    );
  }

  /** zipkin_annotations rows; one already stored (same span, key and timestamp) is left alone, as zipkin does. */
  private async insertAnnotations(c: PoolConnection, rows: unknown[][]): Promise<void> {
    const skip = new Set<string>();
    if (!this.features.hasTraceIdHigh) skip.add('trace_id_high');
    if (!this.features.hasIpv6) skip.add('endpoint_ipv6');
    const { names, keep } = keepColumns(ANNOTATION_COLUMNS, skip);
    await insertChunks(c, rows.map(keep), (values) =>
      mysqlDialect.insertIgnore('zipkin_annotations', names, values(names.length), []),
    );
  }

  async *findTraceIds(request: QueryRequest, signal: AbortSignal): AsyncIterable<readonly string[]> {
    // A little over the limit: the matcher rejects some candidates, and a second page costs a round trip.
    const page = Math.min(request.limit, 100_000) + 16;
    const shape = { ...this.features, strictTraceId: this.options.strictTraceId };
    let cursor: MysqlSearchCursor | undefined;
    for (;;) {
      const { sql, params } = buildMysqlSearch(request, shape, cursor, page);
      const rows = await this.run('mysql search', signal, async (c) => {
        const [r] = await c.execute(sql, params as never[]);
        return r as { h: string; l: string; ts: string }[];
      });
      yield rows.map((r) => traceIdOf(r.h, r.l, this.options.strictTraceId));
      const last = rows[rows.length - 1];
      if (rows.length < page || last === undefined) return;
      cursor = { ts: String(last.ts), high: String(last.h), low: String(last.l) };
    }
  }

  async getSpans(traceIds: readonly string[], signal: AbortSignal): Promise<Span[][]> {
    if (traceIds.length === 0) return [];
    const strict = this.options.strictTraceId && this.features.hasTraceIdHigh;
    const ids = [...new Set(traceIds)].map(traceIdParams);
    const high = this.features.hasTraceIdHigh;
    const spanFields = this.spanColumns().names.filter((n) => n !== 'remote_service_name');
    const annotationFields = ANNOTATION_COLUMNS.filter(
      (n) => (high || n !== 'trace_id_high') && (this.features.hasIpv6 || n !== 'endpoint_ipv6'),
    );
    const { spans, annotations } = await this.run('mysql get spans', signal, async (c) => {
      // STRICT_TRACE_ID: the exact (trace_id_high, trace_id); otherwise every span of the low 64 bits.
      const condition = strict
        ? rowIn(
            ['trace_id_high', 'trace_id'],
            ids.map((i) => [i.high, i.low]),
          )
        : rowIn(
            ['trace_id'],
            [...new Set(ids.map((i) => i.low))].map((l) => [l]),
          );
      const [s] = await c.execute(
        `SELECT ${spanFields.join(', ')} FROM zipkin_spans WHERE ${condition.sql}`,
        condition.params as never[],
      );
      const [a] = await c.execute(
        `SELECT ${annotationFields.join(', ')} FROM zipkin_annotations WHERE ${condition.sql} ORDER BY a_timestamp, a_key`,
        condition.params as never[],
      );
      return { spans: s as SpanRow[], annotations: a as AnnotationRow[] };
    });
    const traces = new Map<string, SpanRow[]>();
    for (const row of spans) {
      const key = strict ? `${row.trace_id_high ?? '0'}:${row.trace_id}` : row.trace_id;
      const list = traces.get(key);
      if (list) list.push(row);
      else traces.set(key, [row]);
    }
    const bySpan = groupAnnotations(annotations);
    const out: Span[][] = [];
    for (const rows of traces.values()) {
      const trace = fromRows(rows, bySpan);
      if (trace.length > 0) out.push(trace);
    }
    return out;
  }

  private async names(what: string, sql: string, params: unknown[], signal: AbortSignal): Promise<string[]> {
    if (!this.options.searchEnabled) return [];
    return this.run(what, signal, async (c) => {
      const [rows] = await c.execute(sql, params as never[]);
      return (rows as { v: string | Buffer }[]).map((r) =>
        typeof r.v === 'string' ? r.v : r.v.toString('utf8'),
      );
    });
  }

  getServiceNames(signal: AbortSignal): Promise<string[]> {
    // zipkin's SelectAnnotationServiceNames: local endpoints only (address annotations carry remote ones).
    return this.names(
      'mysql service names',
      `SELECT DISTINCT endpoint_service_name AS v FROM zipkin_annotations
       WHERE endpoint_service_name IS NOT NULL AND endpoint_service_name <> '' AND a_type <> ${A_TYPE_BOOL}`,
      [],
      signal,
    );
  }

  getRemoteServiceNames(serviceName: string, signal: AbortSignal): Promise<string[]> {
    if (!this.features.hasRemoteServiceName) return Promise.resolve([]);
    return this.spanNameColumn('remote_service_name', serviceName, signal);
  }

  getSpanNames(serviceName: string, signal: AbortSignal): Promise<string[]> {
    return this.spanNameColumn('name', serviceName, signal);
  }

  /** zipkin's SelectSpanNames / SelectRemoteServiceNames: the column of spans with that local service. */
  private spanNameColumn(column: 'name' | 'remote_service_name', serviceName: string, signal: AbortSignal) {
    const join = this.features.hasTraceIdHigh ? 'a.trace_id_high = s.trace_id_high AND ' : '';
    return this.names(
      `mysql ${column === 'name' ? 'span' : 'remote service'} names`,
      `SELECT DISTINCT s.${column} AS v FROM zipkin_spans s
       JOIN zipkin_annotations a ON ${join}a.trace_id = s.trace_id AND a.span_id = s.id
       WHERE a.endpoint_service_name = ? AND a.a_type <> ${A_TYPE_BOOL} AND s.${column} <> ''${
         // One row holds both sides of an RPC (client and shared server), but only one remote service name:
         // the client's (its callee). Without this, the callee would list itself as its own remote service.
         column === 'remote_service_name' ? ' AND s.remote_service_name <> a.endpoint_service_name' : ''
       }`,
      [serviceName],
      signal,
    );
  }

  getAutocompleteValues(key: string, signal: AbortSignal): Promise<string[]> {
    return this.names(
      'mysql autocomplete values',
      `SELECT DISTINCT a_value AS v FROM zipkin_annotations WHERE a_type = ${A_TYPE_STRING} AND a_key = ?`,
      [key],
      signal,
    );
  }

  /**
   * zipkin_dependencies rows of the window's days (zipkin's SelectDependencies), merged per parent/child.
   * No rows for those days: undefined, and the core links the window's traces live.
   */
  async getDependencies(
    endTsMs: number,
    lookbackMs: number,
    signal: AbortSignal,
  ): Promise<DependencyLink[] | undefined> {
    if (!this.features.hasDependencies) return undefined;
    const days: string[] = [];
    for (let d = Math.floor((endTsMs - lookbackMs) / DAY_MS); d <= Math.floor(endTsMs / DAY_MS); d++) {
      days.push(new Date(d * DAY_MS).toISOString().slice(0, 10));
    }
    const list = rowIn(
      ['day'],
      days.map((d) => [d]),
    );
    const errors = this.features.hasErrorCount ? 'error_count' : '0';
    const rows = await this.run('mysql dependencies', signal, async (c) => {
      const [r] = await c.execute(
        `SELECT parent, child, call_count, ${errors} AS error_count FROM zipkin_dependencies WHERE ${list.sql}`,
        list.params as never[],
      );
      return r as { parent: string; child: string; call_count: string | null; error_count: string | null }[];
    });
    if (rows.length === 0) return undefined;
    return mergeDependencyLinks(
      rows.map((r) => ({
        parent: r.parent,
        child: r.child,
        callCount: Number(r.call_count ?? 0),
        ...(Number(r.error_count ?? 0) > 0 ? { errorCount: Number(r.error_count) } : {}),
      })),
    );
  }

  async check(signal: AbortSignal): Promise<void> {
    await this.run('mysql health check', signal, (c) => c.query('SELECT 1'));
  }

  /** Test-only: runs one statement through the same cancellable path as every call. */
  async queryForTest(sql: string, params: readonly unknown[], signal: AbortSignal): Promise<unknown[]> {
    return this.run(
      'mysql test query',
      signal,
      async (c) => (await c.execute(sql, [...params] as never[]))[0] as unknown[],
    );
  }

  async clear(): Promise<void> {
    await this.run('mysql clear', new AbortController().signal, async (c) => {
      for (const t of ['zipkin_spans', 'zipkin_annotations', 'zipkin_dependencies'])
        await c.query(`DELETE FROM ${t}`);
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The trace id a search row names: the whole id under STRICT_TRACE_ID, else the low 64 bits. */
function traceIdOf(high: string, low: string, strict: boolean): string {
  const lowHex = BigInt.asUintN(64, BigInt(low)).toString(16).padStart(16, '0');
  if (!strict || BigInt(high) === 0n) return lowHex;
  return BigInt.asUintN(64, BigInt(high)).toString(16).padStart(16, '0') + lowHex;
}

/** Orders rows by their leading key columns (trace_id_high, trace_id, id), all BigInt. */
function compareKeys(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < 3; i++) {
    const x = a[i] as bigint;
    const y = b[i] as bigint;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function keepColumns(
  columns: readonly string[],
  skip: ReadonlySet<string>,
): { names: string[]; keep: (row: unknown[]) => unknown[] } {
  const idx = columns.flatMap((c, i) => (skip.has(c) ? [] : [i]));
  return { names: idx.map((i) => columns[i]!), keep: (row) => idx.map((i) => row[i]) };
}

/**
 * Multi-row inserts of at most ROWS_PER_INSERT rows; a remainder is split into power-of-two sizes, so a
 * connection prepares at most a handful of distinct statements per table whatever the batch sizes.
 */
async function insertChunks(
  c: PoolConnection,
  rows: unknown[][],
  statement: (values: (width: number) => string) => string,
): Promise<void> {
  let i = 0;
  while (i < rows.length) {
    let n = Math.min(ROWS_PER_INSERT, rows.length - i);
    n = 2 ** Math.floor(Math.log2(n));
    const chunk = rows.slice(i, i + n);
    const sql = statement(
      (width) =>
        `VALUES ${Array.from({ length: n }, () => `(${Array(width).fill('?').join(', ')})`).join(', ')}`,
    );
    await c.execute(sql, chunk.flat() as never[]);
    i += n;
  }
}

/**
 * `column IN (...)`, or for several columns `((a = ? AND b = ?) OR ...)`: MariaDB 10.11 answers a row
 * constructor `(a, b) IN ((?, ?), ...)` with bound parameters wrongly (only the first tuple matched, seen
 * here), so tuples are spelled out. The list is padded to a power of two by repeating its last entry, so
 * lookups of any size use a handful of prepared statements.
 */
function rowIn(columns: readonly string[], tuples: unknown[][]): { sql: string; params: unknown[] } {
  const size = 2 ** Math.ceil(Math.log2(Math.max(1, tuples.length)));
  const padded = [...tuples];
  while (padded.length < size) padded.push(tuples[tuples.length - 1]!);
  if (columns.length === 1)
    return { sql: `${columns[0]} IN (${Array(size).fill('?').join(', ')})`, params: padded.flat() };
  const one = `(${columns.map((c) => `${c} = ?`).join(' AND ')})`;
  return { sql: `(${Array(size).fill(one).join(' OR ')})`, params: padded.flat() };
}

/** A connection that could not be made: transient, and a timeout says so in words. */
function connectFailure(what: string, e: unknown, o: MysqlOptions): StorageError {
  const code = (e as { code?: unknown }).code;
  if (code === 'ETIMEDOUT') {
    return new StorageError(
      'transient',
      `${what}: connect timeout (${o.connectTimeoutMs ?? 10_000} ms) to ${mysqlDisplayName(o)}`,
      1,
      { cause: e },
    );
  }
  return mysqlFailure(`${what}: cannot connect`, e);
}

/** Connects, creates the schema in an empty database or detects what an existing Zipkin database has. */
export async function openMysqlBackend(
  options: StorageOptions,
  myOptions: MysqlOptions,
): Promise<MysqlBackend> {
  const pool = mysql.createPool({ ...poolOptions(myOptions), maxPreparedStatements: 256 });
  // A pooled connection whose socket fails emits 'error' (mysql2 drops it from the pool); unheard, a second
  // one would crash the process. The call that used it rejects on its own.
  pool.pool.on('connection', (c) => c.on('error', () => undefined));
  try {
    const conn = await pool.getConnection();
    try {
      const features = await ensureMysqlSchema(conn);
      return new MysqlBackend(pool, options, myOptions, features);
    } finally {
      conn.release();
    }
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw mysqlFailure(`${mysqlDisplayName(myOptions)}: opening the schema`, e);
  }
}

/** The MySQL StorageComponent: the backend under the storage core. */
export async function openMysqlStorage(
  options: CoreOptions,
  myOptions: MysqlOptions,
): Promise<CoreStorage<MysqlBackend>> {
  return createStorage(await openMysqlBackend(options, myOptions), options);
}
