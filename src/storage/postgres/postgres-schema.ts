import type { PoolClient } from 'pg';
import { postgresDialect } from '../sql/sql-dialect.js';
import { runMigrations, type Migration } from '../sql/sql-migrations.js';

export const DAY_MS = 86_400_000;
const DAY_MICROS = DAY_MS * 1000;

/** The qualified, quoted names of Skein's tables in one schema. */
export interface PostgresTables {
  schema: string;
  version: string;
  traces: string;
  spans: string;
  terms: string;
  names: string;
}

export function postgresTables(schema: string): PostgresTables {
  const q = (name: string) => `${postgresDialect.identifier(schema)}.${postgresDialect.identifier(name)}`;
  return {
    schema: postgresDialect.identifier(schema),
    version: q('skein_schema_version'),
    traces: q('skein_traces'),
    spans: q('skein_spans'),
    terms: q('skein_terms'),
    names: q('skein_names'),
  };
}

/**
 * Skein's PostgreSQL schema.
 * - skein_traces: one row per trace id with its trace timestamp, kept as the earliest root-span and the
 *   earliest span timestamp so writes in any order converge (ts is the root's, else the earliest, as
 *   trace-matcher traceTimestamp says). Its (ts, trace_id) index gives searches newest first.
 * - skein_spans and skein_terms are partitioned by day (`day`, days since the epoch of the span's
 *   timestamp), so RETENTION drops whole partitions instead of deleting rows. Spans keep their JSON v2 text,
 *   so reads return exactly what was written.
 * - skein_terms: the search terms of sqlite-terms.ts with the local service of their span; (term, svc,
 *   trace_id) answers every criterion (service, span name, remote service, tags, annotations) by index.
 * - skein_names: the name lists and autocomplete values, one row each.
 */
export function migrations(t: PostgresTables): Migration[] {
  return [
    {
      version: 1,
      description: 'traces, day-partitioned spans and terms, names',
      statements: [
        `CREATE TABLE IF NOT EXISTS ${t.traces} (
          trace_id TEXT PRIMARY KEY,
          trace_low TEXT NOT NULL,
          root_ts BIGINT,
          min_ts BIGINT,
          ts BIGINT GENERATED ALWAYS AS (COALESCE(root_ts, min_ts)) STORED)`,
        `CREATE INDEX IF NOT EXISTS skein_traces_ts ON ${t.traces} (ts, trace_id)`,
        `CREATE INDEX IF NOT EXISTS skein_traces_low ON ${t.traces} (trace_low)`,
        `CREATE TABLE IF NOT EXISTS ${t.spans} (
          day INTEGER NOT NULL,
          trace_id TEXT NOT NULL,
          trace_low TEXT NOT NULL,
          span_id TEXT NOT NULL,
          duration BIGINT,
          json TEXT NOT NULL) PARTITION BY RANGE (day)`,
        `CREATE INDEX IF NOT EXISTS skein_spans_trace ON ${t.spans} (trace_id)`,
        `CREATE INDEX IF NOT EXISTS skein_spans_low ON ${t.spans} (trace_low)`,
        `CREATE TABLE IF NOT EXISTS ${t.terms} (
          day INTEGER NOT NULL,
          term TEXT NOT NULL,
          svc TEXT NOT NULL,
          trace_id TEXT NOT NULL,
          trace_low TEXT NOT NULL) PARTITION BY RANGE (day)`,
        `CREATE INDEX IF NOT EXISTS skein_terms_term ON ${t.terms} (term, svc, trace_id) INCLUDE (trace_low)`,
        `CREATE TABLE IF NOT EXISTS ${t.names} (
          kind TEXT NOT NULL,
          owner TEXT NOT NULL,
          value TEXT NOT NULL,
          PRIMARY KEY (kind, owner, value))`,
      ],
    },
    {
      version: 2,
      description: 'span durations in the trace index, so duration searches read no span rows',
      statements: [
        `CREATE INDEX IF NOT EXISTS skein_spans_trace_duration ON ${t.spans} (trace_id) INCLUDE (duration)`,
        `DROP INDEX IF EXISTS ${t.schema}.skein_spans_trace`,
        // See termStatistics: the same for the statistics of the whole table, which joins are planned with.
        `CREATE STATISTICS IF NOT EXISTS ${t.schema}.skein_terms_term_svc (dependencies, mcv) ON term, svc FROM ${t.terms}`,
      ],
    },
  ];
}

/** A lock id for schema changes in this schema (migrations, partitions), shared by every Skein on it. */
const LOCK_NAMESPACE = 0x736b6e; // "skn"

/** Creates or migrates the schema, serialised by an advisory lock so servers starting together agree. */
export async function migrate(client: PoolClient, t: PostgresTables, schema: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${t.schema}`);
    await runMigrations(client, postgresDialect, t.version, migrations(t));
    for (const day of await partitionDays(client, schema)) await termStatistics(client, t, day);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** The partition day of a span timestamp in epoch microseconds. */
export const dayOf = (micros: number): number => Math.floor(micros / DAY_MICROS);

const partitionName = (table: 'skein_spans' | 'skein_terms', day: number) => `${table}_d${day}`;

/**
 * Creates the day partitions of spans and terms for `days` when missing. `day` is an integer Skein
 * computed (never span text), and DDL takes no parameters, so it is written into the statement after a
 * check that it is one.
 */
export async function createPartitions(
  client: PoolClient,
  t: PostgresTables,
  schema: string,
  days: Iterable<number>,
): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, schema]);
    for (const day of days) {
      if (!Number.isSafeInteger(day)) throw new Error(`not a partition day: ${day}`);
      for (const [table, parent] of [
        ['skein_spans', t.spans],
        ['skein_terms', t.terms],
      ] as const) {
        const name = `${t.schema}.${postgresDialect.identifier(partitionName(table, day))}`;
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${parent} FOR VALUES FROM (${day}) TO (${day + 1})`,
        );
      }
      await termStatistics(client, t, day);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/**
 * A term names its service (`s:frontend` only ever has svc `frontend`), but the planner assumes term and
 * svc independent and underestimates `term = ? AND svc = ?` by the number of services (measured 20x).
 * It then hash-joins every matching term row and sorts, instead of walking skein_traces newest first and
 * stopping at the limit (96 ms against 6 ms for a service search over 300k spans). Extended statistics on
 * (term, svc) of each partition (statistics are per partition) correct the estimate.
 */
async function termStatistics(client: PoolClient, t: PostgresTables, day: number): Promise<void> {
  if (!Number.isSafeInteger(day)) throw new Error(`not a partition day: ${day}`);
  const stats = `${t.schema}.${postgresDialect.identifier(`${partitionName('skein_terms', day)}_term_svc`)}`;
  const table = `${t.schema}.${postgresDialect.identifier(partitionName('skein_terms', day))}`;
  await client.query(
    `CREATE STATISTICS IF NOT EXISTS ${stats} (dependencies, mcv) ON term, svc FROM ${table}`,
  );
}

/**
 * Autovacuum analyzes partitions but never their partitioned parents, whose statistics the planner uses for
 * joins over all partitions: without them a search plans as if every term were rare (see termStatistics).
 */
export async function analyzeTables(client: PoolClient, t: PostgresTables): Promise<void> {
  await client.query(`ANALYZE ${t.traces}, ${t.spans}, ${t.terms}`);
}

/** The days that have a spans partition, ascending. */
export async function partitionDays(client: PoolClient, schema: string): Promise<number[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace
     WHERE n.nspname = $1 AND p.relname = 'skein_spans'`,
    [schema],
  );
  return rows
    .map((r) => /^skein_spans_d(-?\d+)$/.exec(r.name)?.[1])
    .filter((d): d is string => d !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * RETENTION: drops the spans and terms partitions of every day that ended before `cutoffMs`, and the trace
 * rows older than it. Returns the dropped days.
 */
export async function dropPartitionsBefore(
  client: PoolClient,
  t: PostgresTables,
  schema: string,
  cutoffMs: number,
): Promise<number[]> {
  // A partition holds day d, i.e. [d, d + 1) days; it is wholly older than the cutoff when d + 1 <= cutoff.
  const lastKept = Math.floor(cutoffMs / DAY_MS);
  const dropped = (await partitionDays(client, schema)).filter((d) => d < lastKept);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, schema]);
    for (const day of dropped) {
      for (const table of ['skein_spans', 'skein_terms'] as const) {
        await client.query(
          `DROP TABLE IF EXISTS ${t.schema}.${postgresDialect.identifier(partitionName(table, day))}`,
        );
      }
    }
    await client.query(`DELETE FROM ${t.traces} WHERE ts < $1`, [lastKept * DAY_MICROS]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return dropped;
}
