import pg from 'pg';
import type { PoolClient } from 'pg';
import { decodeJsonV2Span } from '../../codec/json-v2/json-v2-codec.js';
import { lowTraceId } from '../../model/ids.js';
import type { Span } from '../../model/span.js';
import { abortError, redactUrl } from '../core/backend-errors.js';
import { createStorage, type CoreOptions, type CoreStorage } from '../core/storage-core.js';
import type { QueryRequest } from '../query-request.js';
import { postgresDialect } from '../sql/sql-dialect.js';
import { buildSearchQuery, type SearchCursor } from '../sql/sql-search.js';
import { escapeNul, unescapeNul } from '../sql/sql-text.js';
import type { BackendCapabilities, StorageBackend } from '../storage-backend.js';
import type { StorageOptions } from '../storage-component.js';
import { poolConfig, type PostgresOptions } from './postgres-config.js';
import { postgresFailure } from './postgres-errors.js';
import { toRows } from './postgres-rows.js';
import {
  analyzeTables,
  createPartitions,
  DAY_MS,
  dropPartitionsBefore,
  migrate,
  postgresTables,
  type PostgresTables,
} from './postgres-schema.js';

/** How often partitions for the coming days are created and RETENTION runs. */
const MAINTENANCE_INTERVAL_MS = 3_600_000;
/** Partitions created ahead of today, so the day change never waits on DDL. */
const DAYS_AHEAD = 2;
/**
 * The parents' statistics are refreshed (analyzeTables) after this many spans written by this process,
 * at most once per ANALYZE_MIN_INTERVAL_MS, and hourly: a freshly filled store plans searches well soon.
 */
const ANALYZE_AFTER_SPANS = 100_000;
const ANALYZE_MIN_INTERVAL_MS = 60_000;

/**
 * PostgreSQL, with Skein's own schema (postgres-schema.ts). Only I/O and row mapping: the storage core
 * applies Zipkin's rules. Every call runs on a pooled connection; when its AbortSignal fires, the running
 * statement is cancelled in the server with pg_cancel_backend from a separate connection.
 */
export class PostgresBackend implements StorageBackend {
  readonly capabilities: BackendCapabilities;
  readonly tables: PostgresTables;
  private readonly knownDays = new Set<number>();
  private maintenance: NodeJS.Timeout | undefined;
  private closed = false;
  private writtenSinceAnalyze = 0;
  private lastAnalyze = 0;
  private analyzing = false;
  private onMaintenanceError: (e: unknown) => void = () => undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: StorageOptions,
    private readonly pgOptions: PostgresOptions,
    readonly schema: string,
  ) {
    this.tables = postgresTables(schema);
    this.capabilities = {
      exactSearch: false,
      dependencies: 'linker',
      deduplicates: false,
      groupCommit: true,
      maxConcurrentWrites: Math.max(1, pgOptions.maxConnections - 1),
    };
  }

  get name(): string {
    const o = this.pgOptions;
    const where =
      o.url !== undefined ? redactUrl(o.url, 'POSTGRES_URL') : `${o.host}:${o.port}/${o.database}`;
    return `PostgresStorage(${where}, schema ${this.schema})`;
  }

  /** Runs `work` on one pooled connection; an abort cancels its running statement in the server. */
  private async run<T>(what: string, signal: AbortSignal, work: (c: PoolClient) => Promise<T>): Promise<T> {
    if (signal.aborted) throw abortError(what, signal);
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw postgresFailure(what, e);
    }
    if (signal.aborted) {
      // The deadline passed while waiting for a free connection: the caller has been answered already.
      client.release();
      throw abortError(what, signal);
    }
    const pid = (client as unknown as { processID?: number }).processID;
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      if (pid !== undefined) void this.cancelBackend(pid);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let broken: Error | undefined;
    // pg emits 'error' on a checked-out client whose socket fails (the pool listens only to idle ones);
    // unheard, it would crash the process. The running query rejects with it too, so noting it is enough.
    const onSocketError = (e: Error) => {
      broken = postgresFailure(what, e);
    };
    client.on('error', onSocketError);
    try {
      return await work(client);
    } catch (e) {
      if (cancelled) throw abortError(what, signal);
      const failure = postgresFailure(what, e);
      if (failure.kind === 'transient') broken = failure;
      throw failure;
    } finally {
      signal.removeEventListener('abort', onAbort);
      client.off('error', onSocketError);
      // A connection whose statement was cancelled or whose socket failed is not handed out again.
      client.release(cancelled || broken !== undefined ? (broken ?? true) : undefined);
    }
  }

  /** pg_cancel_backend from a connection of its own: the pool may be exhausted by the very query to cancel. */
  private async cancelBackend(pid: number): Promise<void> {
    const c = new pg.Client({ ...poolConfig(this.pgOptions), connectionTimeoutMillis: 5000 });
    c.on('error', () => undefined); // a lost cancel connection changes nothing (see below)
    try {
      await c.connect();
      await c.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // The connection is dropped from the pool anyway; a failed cancel leaves only the server-side work.
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async write(spans: readonly Span[], signal: AbortSignal): Promise<void> {
    if (spans.length === 0) return;
    const nowMs = Date.now();
    const rows = toRows(spans, {
      searchEnabled: this.options.searchEnabled,
      autocompleteKeys: this.options.autocompleteKeys,
      nowMs,
      maxDay: Math.floor(nowMs / DAY_MS) + DAYS_AHEAD,
    });
    const missing = [...rows.days].filter((d) => !this.knownDays.has(d));
    if (missing.length > 0) await this.ensurePartitions(missing, signal);
    const t = this.tables;
    await this.run('postgres write', signal, async (c) => {
      await c.query('BEGIN');
      try {
        await c.query(
          `INSERT INTO ${t.traces} AS o (trace_id, trace_low, root_ts, min_ts)
             SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
           ON CONFLICT (trace_id) DO UPDATE SET
             root_ts = LEAST(o.root_ts, EXCLUDED.root_ts), min_ts = LEAST(o.min_ts, EXCLUDED.min_ts)`,
          [rows.traces.traceId, rows.traces.traceLow, rows.traces.rootTs, rows.traces.minTs],
        );
        const s = rows.spans;
        await c.query(
          `INSERT INTO ${t.spans} (day, trace_id, trace_low, span_id, duration, json)
             SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])`,
          [s.day, s.traceId, s.traceLow, s.spanId, s.duration, s.json],
        );
        const m = rows.terms;
        if (m.term.length > 0) {
          await c.query(
            `INSERT INTO ${t.terms} (day, term, svc, trace_id, trace_low)
               SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[])`,
            [m.day, m.term, m.svc, m.traceId, m.traceLow],
          );
        }
        const n = rows.names;
        if (n.kind.length > 0) {
          await c.query(
            postgresDialect.insertIgnore(
              t.names,
              ['kind', 'owner', 'value'],
              'SELECT * FROM unnest($1::text[], $2::text[], $3::text[])',
              ['kind', 'owner', 'value'],
            ),
            [n.kind, n.owner, n.value],
          );
        }
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
    this.writtenSinceAnalyze += spans.length;
    if (
      this.writtenSinceAnalyze >= ANALYZE_AFTER_SPANS &&
      Date.now() - this.lastAnalyze >= ANALYZE_MIN_INTERVAL_MS
    ) {
      void this.analyze().catch((e: unknown) => this.onMaintenanceError(e));
    }
  }

  /** Refreshes the planner's statistics of the partitioned tables (one at a time, in the background). */
  async analyze(): Promise<void> {
    if (this.analyzing || this.closed) return;
    this.analyzing = true;
    this.writtenSinceAnalyze = 0;
    this.lastAnalyze = Date.now();
    try {
      await this.run('postgres analyze', new AbortController().signal, (c) => analyzeTables(c, this.tables));
    } finally {
      this.analyzing = false;
    }
  }

  /** Creates the day partitions of `days` (and the ones ahead of today) when missing. */
  async ensurePartitions(days: readonly number[], signal: AbortSignal): Promise<void> {
    await this.run('postgres partitions', signal, (c) => createPartitions(c, this.tables, this.schema, days));
    for (const d of days) this.knownDays.add(d);
  }

  /** RETENTION: drops the partitions of days wholly older than retentionMs before `nowMs`. */
  async retain(nowMs: number, signal: AbortSignal): Promise<number[]> {
    const retentionMs = this.pgOptions.retentionMs;
    if (retentionMs === undefined || retentionMs <= 0) return [];
    const dropped = await this.run('postgres retention', signal, (c) =>
      dropPartitionsBefore(c, this.tables, this.schema, nowMs - retentionMs),
    );
    for (const d of dropped) this.knownDays.delete(d);
    return dropped;
  }

  /** Partitions ahead of time and retention, now and then every hour. */
  async maintain(nowMs: number, signal: AbortSignal): Promise<void> {
    const today = Math.floor(nowMs / DAY_MS);
    await this.ensurePartitions(
      Array.from({ length: DAYS_AHEAD + 1 }, (_, i) => today + i),
      signal,
    );
    await this.retain(nowMs, signal);
  }

  startMaintenance(onError: (e: unknown) => void): void {
    this.onMaintenanceError = onError;
    this.maintenance = setInterval(() => {
      if (this.closed) return;
      this.maintain(Date.now(), new AbortController().signal)
        .then(() => this.analyze())
        .catch(onError);
    }, MAINTENANCE_INTERVAL_MS);
    this.maintenance.unref();
  }

  async *findTraceIds(request: QueryRequest, signal: AbortSignal): AsyncIterable<readonly string[]> {
    // A little over the limit: the matcher rejects some candidates, and a second page costs a round trip.
    const page = Math.min(request.limit, 100_000) + 16;
    let cursor: SearchCursor | undefined;
    for (;;) {
      const { sql, params } = buildSearchQuery(
        postgresDialect,
        this.tables,
        request,
        cursor,
        page,
        this.options.strictTraceId,
      );
      const rows = await this.run('postgres search', signal, async (c) => {
        const r = await c.query<{ trace_id: string; ts: string }>(sql, params);
        return r.rows;
      });
      yield rows.map((r) => r.trace_id);
      const last = rows[rows.length - 1];
      if (rows.length < page || last === undefined) return;
      cursor = { ts: Number(last.ts), traceId: last.trace_id };
    }
  }

  async getSpans(traceIds: readonly string[], signal: AbortSignal): Promise<Span[][]> {
    if (traceIds.length === 0) return [];
    const strict = this.options.strictTraceId;
    const ids = strict ? [...new Set(traceIds)] : [...new Set(traceIds.map(lowTraceId))];
    const column = strict ? 'trace_id' : 'trace_low';
    const rows = await this.run('postgres get spans', signal, async (c) => {
      const r = await c.query<{ k: string; json: string }>(
        `SELECT ${column} AS k, json FROM ${this.tables.spans} WHERE ${column} = ANY($1::text[])`,
        [ids],
      );
      return r.rows;
    });
    const traces = new Map<string, Span[]>();
    for (const row of rows) {
      const list = traces.get(row.k) ?? [];
      list.push(decodeJsonV2Span(row.json));
      traces.set(row.k, list);
    }
    return [...traces.values()];
  }

  private async nameList(kind: string, owner: string, signal: AbortSignal): Promise<string[]> {
    if (!this.options.searchEnabled) return [];
    return this.run('postgres names', signal, async (c) => {
      const r = await c.query<{ value: string }>(
        `SELECT value FROM ${this.tables.names} WHERE kind = $1 AND owner = $2`,
        [kind, escapeNul(owner)],
      );
      return r.rows.map((row) => unescapeNul(row.value));
    });
  }

  getServiceNames(signal: AbortSignal): Promise<string[]> {
    return this.nameList('s', '', signal);
  }

  getRemoteServiceNames(serviceName: string, signal: AbortSignal): Promise<string[]> {
    return this.nameList('r', serviceName, signal);
  }

  getSpanNames(serviceName: string, signal: AbortSignal): Promise<string[]> {
    return this.nameList('n', serviceName, signal);
  }

  getAutocompleteValues(key: string, signal: AbortSignal): Promise<string[]> {
    return this.nameList('v', key, signal);
  }

  async check(signal: AbortSignal): Promise<void> {
    await this.run('postgres health check', signal, (c) => c.query('SELECT 1'));
  }

  /** Test-only: runs one statement through the same cancellable path as every call. */
  async queryForTest(sql: string, params: readonly unknown[], signal: AbortSignal): Promise<unknown[]> {
    return this.run('postgres test query', signal, async (c) => (await c.query(sql, [...params])).rows);
  }

  async clear(): Promise<void> {
    const t = this.tables;
    await this.run('postgres clear', new AbortController().signal, (c) =>
      c.query(`TRUNCATE ${t.traces}, ${t.spans}, ${t.terms}, ${t.names}`),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.maintenance);
    await this.pool.end();
  }
}

export interface OpenPostgresOptions extends CoreOptions {
  onMaintenanceError?: (e: unknown) => void;
}

/** Connects, creates or migrates the schema, creates today's partitions and runs retention once. */
export async function openPostgresBackend(
  options: StorageOptions,
  pgOptions: PostgresOptions,
  signal: AbortSignal,
  onMaintenanceError: (e: unknown) => void = () => undefined,
): Promise<PostgresBackend> {
  const pool = new pg.Pool(poolConfig(pgOptions));
  // An idle pooled connection that the server drops must not crash the process; the next call reconnects.
  pool.on('error', () => undefined);
  const schema = pgOptions.schema ?? 'public';
  const backend = new PostgresBackend(pool, options, pgOptions, schema);
  try {
    const client = await pool.connect().catch((e: unknown) => {
      throw postgresFailure(`PostgresStorage: cannot connect`, e);
    });
    let lost: Error | undefined;
    const onSocketError = (e: Error) => {
      lost = e;
    };
    client.on('error', onSocketError);
    try {
      await migrate(client, backend.tables, schema);
    } finally {
      client.off('error', onSocketError);
      client.release(lost);
    }
    await backend.maintain(Date.now(), signal);
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw postgresFailure('PostgresStorage: opening the schema', e);
  }
  backend.startMaintenance(onMaintenanceError);
  return backend;
}

/** The PostgreSQL StorageComponent: the backend under the storage core. */
export async function openPostgresStorage(
  options: OpenPostgresOptions,
  pgOptions: PostgresOptions,
  signal: AbortSignal = new AbortController().signal,
): Promise<CoreStorage<PostgresBackend>> {
  const backend = await openPostgresBackend(options, pgOptions, signal, options.onMaintenanceError);
  return createStorage(backend, options);
}
