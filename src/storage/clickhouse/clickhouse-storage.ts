import { randomUUID } from 'node:crypto';
import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseSettings,
} from '@clickhouse/client';
import { decodeJsonV2Span } from '../../codec/json-v2/json-v2-codec.js';
import { StorageError } from '../../model/failure.js';
import { lowTraceId } from '../../model/ids.js';
import type { Span } from '../../model/span.js';
import { abortError, redactUrl } from '../core/backend-errors.js';
import { createStorage, type CoreOptions, type CoreStorage } from '../core/storage-core.js';
import type { QueryRequest } from '../query-request.js';
import type { BackendCapabilities, StorageBackend } from '../storage-backend.js';
import type { StorageOptions } from '../storage-component.js';
import type { ClickhouseOptions } from './clickhouse-config.js';
import { clickhouseCode, clickhouseFailure } from './clickhouse-errors.js';
import { chString, chStringList } from './clickhouse-literal.js';
import { dayOf, spanRows } from './clickhouse-rows.js';
import {
  clickhouseTables,
  schemaStatements,
  serverFeatures,
  type ClickhouseLayout,
  type ClickhouseTables,
  type ServerFeatures,
} from './clickhouse-schema.js';
import { buildSearchQuery, type SearchCursor } from './clickhouse-search.js';

/** How often RETENTION runs. */
const MAINTENANCE_INTERVAL_MS = 3_600_000;
/** Trace ids per getSpans statement: keeps the IN list (and the statement) a bounded size. */
const IDS_PER_QUERY = 1000;
/** ClickHouse error codes of a lost CREATE race between Skein nodes starting at once. */
const ALREADY_EXISTS = new Set([44, 57, 82]);

/**
 * What every statement is sent with. 64-bit integers come back quoted on every version (18.16 quotes them
 * by default, modern servers do not), and a read Skein has stopped waiting for is not worth finishing.
 */
const BASE_SETTINGS: ClickHouseSettings = { output_format_json_quote_64bit_integers: 1 };

/**
 * ClickHouse over HTTP, with Skein's schema (clickhouse-schema.ts). Only I/O and row mapping: the storage
 * core applies Zipkin's rules. Every statement carries a query id of its own; when its AbortSignal fires,
 * the HTTP request is aborted and the query is killed in the server (KILL QUERY: 18.16 keeps running a
 * query whose HTTP client went away).
 */
export class ClickhouseBackend implements StorageBackend {
  readonly capabilities: BackendCapabilities;
  readonly tables: ClickhouseTables;
  private next = 0;
  private maintenance: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly autocompleteKeys: ReadonlySet<string>;

  constructor(
    private readonly clients: readonly ClickHouseClient[],
    private readonly options: StorageOptions,
    private readonly chOptions: ClickhouseOptions,
    readonly features: ServerFeatures,
    private readonly queryTimeoutMs: number | undefined,
  ) {
    this.tables = clickhouseTables(layoutOf(chOptions));
    this.autocompleteKeys = new Set(options.autocompleteKeys);
    this.capabilities = {
      exactSearch: false,
      dependencies: 'linker',
      deduplicates: false,
      // ClickHouse wants few large inserts: concurrent accepts wait and go together.
      groupCommit: true,
      maxConcurrentWrites: Math.max(2, clients.length),
    };
  }

  get name(): string {
    const cluster = this.chOptions.cluster === undefined ? '' : `, cluster ${this.chOptions.cluster}`;
    return `ClickhouseStorage(${this.chOptions.urls.map(endpointName).join(',')}, database ${this.chOptions.database}${cluster}, server ${this.features.version})`;
  }

  /** The nodes take turns: every Skein call goes to the next endpoint of CLICKHOUSE_URLS. */
  private pick(): ClickHouseClient {
    const client = this.clients[this.next % this.clients.length]!;
    this.next = (this.next + 1) % this.clients.length;
    return client;
  }

  /** Runs one statement; an abort cancels the HTTP request and kills the query in the server. */
  private async run<T>(
    what: string,
    signal: AbortSignal,
    work: (c: ClickHouseClient, queryId: string, settings: ClickHouseSettings) => Promise<T>,
    client: ClickHouseClient = this.pick(),
  ): Promise<T> {
    if (signal.aborted) throw abortError(what, signal);
    const queryId = randomUUID();
    const onAbort = () => void this.kill(client, queryId);
    signal.addEventListener('abort', onAbort, { once: true });
    const settings: ClickHouseSettings = { ...BASE_SETTINGS };
    // A second guard beside KILL QUERY: the server stops the read itself past QUERY_TIMEOUT.
    if (this.queryTimeoutMs !== undefined)
      settings.max_execution_time = Math.ceil(this.queryTimeoutMs / 1000) + 1;
    try {
      return await work(client, queryId, settings);
    } catch (e) {
      if (signal.aborted) throw abortError(what, signal);
      throw clickhouseFailure(what, e);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** KILL QUERY on the node that runs it (query ids are ours: UUIDs, no span data). */
  private async kill(client: ClickHouseClient, queryId: string): Promise<void> {
    try {
      await client.command({ query: `KILL QUERY WHERE query_id = ${chString(queryId)} ASYNC` });
    } catch {
      // The node may be gone with the query; nothing else to stop.
    }
  }

  private async select<R>(what: string, sql: string, signal: AbortSignal): Promise<R[]> {
    return this.run(what, signal, async (c, queryId, settings) => {
      const rs = await c.query({
        query: sql,
        format: 'JSONEachRow',
        query_id: queryId,
        abort_signal: signal,
        clickhouse_settings: settings,
      });
      return rs.json<R>();
    });
  }

  async write(spans: readonly Span[], signal: AbortSignal): Promise<void> {
    if (spans.length === 0) return;
    const rows = spanRows(spans, Date.now(), this.options.searchEnabled, this.autocompleteKeys);
    const settings: ClickHouseSettings = {};
    // A Distributed table buffers inserts and sends them later unless told to wait: the 202 must mean
    // every shard has the rows.
    if (this.chOptions.cluster !== undefined) settings.insert_distributed_sync = 1;
    if (
      this.chOptions.replicated &&
      this.chOptions.insertQuorum !== undefined &&
      this.chOptions.insertQuorum > 1
    ) {
      settings.insert_quorum = String(this.chOptions.insertQuorum);
    }
    await this.run('clickhouse write', signal, async (c, queryId) => {
      await c.insert({
        table: this.tables.spans,
        values: rows.spans,
        format: 'JSONEachRow',
        query_id: queryId,
        clickhouse_settings: settings,
      });
      if (rows.names.length > 0) {
        await c.insert({
          table: this.tables.names,
          values: rows.names,
          format: 'JSONEachRow',
          clickhouse_settings: settings,
        });
      }
    });
  }

  async *findTraceIds(request: QueryRequest, signal: AbortSignal): AsyncIterable<readonly string[]> {
    // A little over the limit: the matcher rejects some candidates, and a second page costs a round trip.
    const page = Math.min(request.limit, 100_000) + 16;
    let cursor: SearchCursor | undefined;
    for (;;) {
      const sql = buildSearchQuery(this.tables, request, cursor, page, this.options.strictTraceId);
      const rows = await this.select<{ k: string; id: string; tts: string }>(
        'clickhouse search',
        sql,
        signal,
      );
      yield rows.map((r) => r.id);
      const last = rows[rows.length - 1];
      if (rows.length < page || last === undefined) return;
      cursor = { ts: Number(last.tts), key: last.k };
    }
  }

  async getSpans(traceIds: readonly string[], signal: AbortSignal): Promise<Span[][]> {
    if (traceIds.length === 0) return [];
    const strict = this.options.strictTraceId;
    const traces = new Map<string, Span[]>();
    const unique = [...new Set(traceIds)];
    for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
      const ids = unique.slice(i, i + IDS_PER_QUERY);
      const lows = [...new Set(ids.map(lowTraceId))];
      // The (trace_low, trace_id) key narrows to the granules of these traces in every day partition.
      const sql = strict
        ? `SELECT trace_id AS k, json FROM ${this.tables.spansByTrace} WHERE trace_low IN ${chStringList(lows)} AND trace_id IN ${chStringList(ids)}`
        : `SELECT trace_low AS k, json FROM ${this.tables.spansByTrace} WHERE trace_low IN ${chStringList(lows)}`;
      for (const row of await this.select<{ k: string; json: string }>('clickhouse get spans', sql, signal)) {
        const list = traces.get(row.k);
        const span = decodeJsonV2Span(row.json);
        if (list) list.push(span);
        else traces.set(row.k, [span]);
      }
    }
    return [...traces.values()];
  }

  private async nameList(kind: string, owner: string, signal: AbortSignal): Promise<string[]> {
    if (!this.options.searchEnabled) return [];
    const rows = await this.select<{ value: string }>(
      'clickhouse names',
      `SELECT DISTINCT value FROM ${this.tables.names} WHERE kind = ${chString(kind)} AND owner = ${chString(owner)}`,
      signal,
    );
    return rows.map((r) => r.value);
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

  /** Every endpoint must answer: a node Skein sends writes to that is down fails them. */
  async check(signal: AbortSignal): Promise<void> {
    await Promise.all(
      this.clients.map((c) =>
        this.run(
          'clickhouse health check',
          signal,
          () => c.command({ query: 'SELECT 1', abort_signal: signal }),
          c,
        ),
      ),
    );
  }

  /** RETENTION: drops the day partitions wholly older than retentionMs before `nowMs`; returns their days. */
  async retain(nowMs: number, signal: AbortSignal): Promise<string[]> {
    const retentionMs = this.chOptions.retentionMs;
    if (retentionMs === undefined || retentionMs <= 0) return [];
    const cutoff = dayOf((nowMs - retentionMs) * 1000);
    const t = this.tables;
    const rows = await this.select<{ day: string }>(
      'clickhouse retention',
      `SELECT DISTINCT toString(day) AS day FROM ${t.spansByTrace} WHERE day < toDate(${chString(cutoff)})`,
      signal,
    );
    const days = rows.map((r) => r.day);
    for (const day of days) {
      for (const table of [t.local.spans, t.local.spansByTrace]) {
        await this.run('clickhouse retention', signal, (c) =>
          c.command({ query: `ALTER TABLE ${table}${t.onCluster} DROP PARTITION ${chString(day)}` }),
        );
      }
    }
    return days;
  }

  startMaintenance(onError: (e: unknown) => void): void {
    this.maintenance = setInterval(() => {
      if (!this.closed) this.retain(Date.now(), new AbortController().signal).catch(onError);
    }, MAINTENANCE_INTERVAL_MS);
    this.maintenance.unref();
  }

  /** Test-only: runs one statement through the same cancellable path as every read. */
  queryForTest<R>(sql: string, signal: AbortSignal): Promise<R[]> {
    return this.select<R>('clickhouse test query', sql, signal);
  }

  async clear(): Promise<void> {
    const t = this.tables;
    for (const table of [t.local.spans, t.local.spansByTrace, t.local.names]) {
      await this.run('clickhouse clear', new AbortController().signal, (c) =>
        c.command({ query: `TRUNCATE TABLE ${table}${t.onCluster}` }),
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.maintenance);
    await Promise.all(this.clients.map((c) => c.close()));
  }
}

function layoutOf(o: ClickhouseOptions): ClickhouseLayout {
  return {
    database: o.database,
    replicated: o.replicated,
    ...(o.cluster === undefined ? {} : { cluster: o.cluster }),
  };
}

/** An endpoint as logs and /health show it (no credentials). */
function endpointName(url: string): string {
  return redactUrl(url, 'CLICKHOUSE_URLS').replace(/\/$/, '');
}

function clientFor(url: string, o: ClickhouseOptions): ClickHouseClient {
  return createClient({
    url,
    username: o.user,
    password: o.password,
    request_timeout: o.requestTimeoutMs ?? 300_000,
    // Failures reach the caller as StorageErrors; the client's own console logging would only repeat them.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/** Connects to every endpoint, detects the server version and creates the schema (idempotent). */
export async function openClickhouseBackend(
  options: StorageOptions & { queryTimeoutMs?: number },
  chOptions: ClickhouseOptions,
  signal: AbortSignal,
): Promise<ClickhouseBackend> {
  if (chOptions.urls.length === 0)
    throw new StorageError('terminal', 'ClickhouseStorage: CLICKHOUSE_URLS is empty');
  const clients = chOptions.urls.map((u) => clientFor(u, chOptions));
  try {
    const first = clients[0]!;
    let version: string;
    try {
      const rs = await first.query({
        query: 'SELECT version() AS v',
        format: 'JSONEachRow',
        abort_signal: signal,
      });
      version = (await rs.json<{ v: string }>())[0]?.v ?? '0';
    } catch (e) {
      throw clickhouseFailure(`ClickhouseStorage: cannot connect to ${endpointName(chOptions.urls[0]!)}`, e);
    }
    const features = serverFeatures(version);
    const retentionDays =
      chOptions.retentionMs === undefined ? undefined : Math.ceil(chOptions.retentionMs / 86_400_000);
    for (const statement of schemaStatements(layoutOf(chOptions), features, retentionDays)) {
      try {
        await first.command({ query: statement, abort_signal: signal });
      } catch (e) {
        // Another Skein node created it between our IF NOT EXISTS and the create.
        const code = clickhouseCode(e);
        if (code === undefined || !ALREADY_EXISTS.has(code)) throw e;
      }
    }
    const backend = new ClickhouseBackend(clients, options, chOptions, features, options.queryTimeoutMs);
    await backend.retain(Date.now(), signal);
    return backend;
  } catch (e) {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    throw clickhouseFailure('ClickhouseStorage: opening the schema', e);
  }
}

export interface OpenClickhouseOptions extends CoreOptions {
  onMaintenanceError?: (e: unknown) => void;
}

/** The ClickHouse StorageComponent: the backend under the storage core. */
export async function openClickhouseStorage(
  options: OpenClickhouseOptions,
  chOptions: ClickhouseOptions,
  signal: AbortSignal = new AbortController().signal,
): Promise<CoreStorage<ClickhouseBackend>> {
  const backend = await openClickhouseBackend(options, chOptions, signal);
  backend.startMaintenance(options.onMaintenanceError ?? (() => undefined));
  return createStorage(backend, options);
}
