import { chIdentifier } from './clickhouse-literal.js';

/**
 * Skein's ClickHouse schema, as statements built for one server version and layout. Everything is
 * CREATE ... IF NOT EXISTS, so every Skein node runs it at start (idempotent, and safe when several start
 * at once: a lost race is "already exists", which the opener ignores).
 *
 * Tables (in a cluster, each is `<name>_local` on every shard with a Distributed `<name>` over them;
 * single node, only `<name>`):
 * - spans: one row per span, partitioned by day, ordered by (service, ts) for service/time search. Tags are
 *   parallel key and value arrays; the whole span is kept as JSON v2 for reading back exactly.
 * - spans_by_trace: the same spans ordered by (trace_low, trace_id), kept up by a materialized view, so a
 *   trace by id reads a few granules instead of every (service, ts) range.
 * - names: (kind, owner, value) of service ('s'), span ('n') and remote service ('r') names, kept up by
 *   materialized views; autocomplete values ('v') of the configured keys are written by Skein.
 * Rows are sharded by a hash of the trace id's low 64 bits, so a 64-bit and a 128-bit id with the same low
 * half live on one shard and trace assembly and dependency linking stay shard-local.
 *
 * 18.16 traps this schema avoids (measured, see issue 11): no MATERIALIZED columns (a Distributed insert
 * retries such a block forever), no DEFAULT expressions relied on (JSONEachRow does not apply them: the
 * writer sends every column), no TTL, codecs, LowCardinality or skip indexes unless `features` says so.
 */
export interface ClickhouseLayout {
  database: string;
  /** CLICKHOUSE_CLUSTER: DDL runs ON CLUSTER, local tables on each shard and Distributed tables over them. */
  cluster?: string;
  /** CLICKHOUSE_REPLICATED: ReplicatedMergeTree through the cluster's ZooKeeper ({shard}, {replica} macros). */
  replicated: boolean;
}

/** What the connected server supports, from its version. */
export interface ServerFeatures {
  version: string;
  /** LowCardinality(String) without the experimental setting (19.3 and newer). */
  lowCardinality: boolean;
  /** Table TTL (19.6 and newer): RETENTION is enforced by the server too. */
  ttl: boolean;
}

export function serverFeatures(version: string): ServerFeatures {
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  const atLeast = (ma: number, mi: number) => major > ma || (major === ma && minor >= mi);
  return { version, lowCardinality: atLeast(19, 3), ttl: atLeast(19, 6) };
}

/** The tables a query or a write names (database-qualified and quoted). */
export interface ClickhouseTables {
  /** Where writes and reads go: the Distributed table in a cluster, else the table itself. */
  spans: string;
  spansByTrace: string;
  names: string;
  /** The tables that hold the rows (each shard's in a cluster): partitions are dropped and cleared here. */
  local: { spans: string; spansByTrace: string; names: string };
  /** ` ON CLUSTER x` or ''. */
  onCluster: string;
}

export function clickhouseTables(layout: ClickhouseLayout): ClickhouseTables {
  const db = chIdentifier(layout.database);
  const q = (name: string) => `${db}.${chIdentifier(name)}`;
  const suffix = layout.cluster === undefined ? '' : '_local';
  return {
    spans: q('spans'),
    spansByTrace: q('spans_by_trace'),
    names: q('names'),
    local: {
      spans: q(`spans${suffix}`),
      spansByTrace: q(`spans_by_trace${suffix}`),
      names: q(`names${suffix}`),
    },
    onCluster: layout.cluster === undefined ? '' : ` ON CLUSTER ${chIdentifier(layout.cluster)}`,
  };
}

/** The statements that create the schema, in order. */
export function schemaStatements(
  layout: ClickhouseLayout,
  features: ServerFeatures,
  retentionDays: number | undefined,
): string[] {
  const t = clickhouseTables(layout);
  const on = t.onCluster;
  const db = chIdentifier(layout.database);
  const lc = features.lowCardinality ? 'LowCardinality(String)' : 'String';
  const engine = (table: string, kind: 'MergeTree' | 'ReplacingMergeTree') =>
    layout.replicated
      ? // The ZooKeeper path names database and table, so two Skein databases on one cluster stay apart.
        `Replicated${kind}('/clickhouse/tables/{shard}/${layout.database}/${table}', '{replica}')`
      : kind;
  const local = (name: string) => (layout.cluster === undefined ? name : `${name}_local`);
  const ttl =
    features.ttl && retentionDays !== undefined && retentionDays > 0
      ? ` TTL day + INTERVAL ${retentionDays} DAY`
      : '';
  const statements = [
    `CREATE DATABASE IF NOT EXISTS ${db}${on}`,
    `CREATE TABLE IF NOT EXISTS ${t.local.spans}${on} (
      day Date,
      ts Int64,
      trace_id String,
      trace_low String,
      span_id String,
      parent_id String,
      service ${lc},
      name ${lc},
      remote_service ${lc},
      duration Int64,
      tag_keys Array(String),
      tag_values Array(String),
      annotations Array(String),
      json String
    ) ENGINE = ${engine(local('spans'), 'MergeTree')} PARTITION BY day ORDER BY (service, ts)${ttl}`,
    // ts and parent_id give the trace timestamp (root span's, else earliest) without reading spans.
    `CREATE TABLE IF NOT EXISTS ${t.local.spansByTrace}${on} (
      day Date,
      trace_low String,
      trace_id String,
      ts Int64,
      parent_id String,
      json String
    ) ENGINE = ${engine(local('spans_by_trace'), 'MergeTree')} PARTITION BY day ORDER BY (trace_low, trace_id)${ttl}`,
    `CREATE TABLE IF NOT EXISTS ${t.local.names}${on} (
      kind String,
      owner String,
      value String
    ) ENGINE = ${engine(local('names'), 'ReplacingMergeTree')} ORDER BY (kind, owner, value)`,
    // Views read each block inserted into the local spans table, so they run on the shard that stores it.
    mv(
      t.local.spansByTrace,
      `${db}.${chIdentifier(local('spans_by_trace_mv'))}`,
      on,
      `SELECT day, trace_low, trace_id, ts, parent_id, json FROM ${t.local.spans}`,
    ),
    mv(
      t.local.names,
      `${db}.${chIdentifier(local('names_service_mv'))}`,
      on,
      `SELECT 's' AS kind, '' AS owner, toString(service) AS value FROM ${t.local.spans} WHERE service != ''`,
    ),
    mv(
      t.local.names,
      `${db}.${chIdentifier(local('names_span_mv'))}`,
      on,
      `SELECT 'n' AS kind, toString(service) AS owner, toString(name) AS value FROM ${t.local.spans} WHERE service != '' AND name != ''`,
    ),
    mv(
      t.local.names,
      `${db}.${chIdentifier(local('names_remote_mv'))}`,
      on,
      `SELECT 'r' AS kind, toString(service) AS owner, toString(remote_service) AS value FROM ${t.local.spans} WHERE service != '' AND remote_service != ''`,
    ),
  ];
  if (layout.cluster !== undefined) {
    const cluster = chIdentifier(layout.cluster);
    const dist = (name: string, key: string) =>
      `CREATE TABLE IF NOT EXISTS ${db}.${chIdentifier(name)}${on} AS ${db}.${chIdentifier(`${name}_local`)}
        ENGINE = Distributed(${cluster}, ${db}, ${chIdentifier(`${name}_local`)}, ${key})`;
    // zipkin: a 64-bit id is the low half of a 128-bit one; hashing only the low half keeps both on one shard.
    statements.push(
      dist('spans', 'cityHash64(trace_low)'),
      dist('spans_by_trace', 'cityHash64(trace_low)'),
      dist('names', 'cityHash64(kind, owner, value)'),
    );
  }
  return statements;
}

function mv(target: string, name: string, on: string, select: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${name}${on} TO ${target} AS ${select}`;
}
