import type { Database } from 'better-sqlite3';

/** PRAGMA application_id of a Skein file ("Skn1"): tells our files apart from any other SQLite file. */
export const APPLICATION_ID = 0x536b6e31;

/**
 * One step of the schema history: `MIGRATIONS[n]` turns a version-n file into version n+1 (version 0 is an
 * empty file). Released steps are never edited; a schema change appends a step.
 */
export type Migration = (db: Database) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 0 -> 1: the first schema.
  (db) => {
    db.exec(`
      -- One row per trace id as sent (64- or 128-bit). trace_low groups them when STRICT_TRACE_ID=false and
      -- for dependency links. ts is what zipkin searches and orders by: the earliest root span timestamp,
      -- else the earliest span timestamp (NULL: never matches a search). keep_ts orders retention: ts, or the
      -- arrival time for traces without timestamps, so they too age out.
      CREATE TABLE traces (
        tid INTEGER PRIMARY KEY,
        trace_id TEXT NOT NULL UNIQUE,
        trace_low TEXT NOT NULL,
        root_ts INTEGER,
        min_ts INTEGER,
        arrived_us INTEGER NOT NULL,
        ts INTEGER GENERATED ALWAYS AS (coalesce(root_ts, min_ts)) VIRTUAL,
        keep_ts INTEGER GENERATED ALWAYS AS (coalesce(root_ts, min_ts, arrived_us)) VIRTUAL
      );
      CREATE INDEX traces_ts ON traces(ts) WHERE ts IS NOT NULL;
      CREATE INDEX traces_keep_ts ON traces(keep_ts);
      CREATE INDEX traces_low ON traces(trace_low);

      -- Raw spans as canonical JSON (what the API returns). The index serves reading a trace, the
      -- duplicate check (tid, span_id) and min/maxDuration: duration is tested inside the index for each
      -- candidate trace, without reading the span rows.
      CREATE TABLE spans (
        tid INTEGER NOT NULL,
        span_id TEXT NOT NULL,
        duration INTEGER,
        json TEXT NOT NULL
      );
      CREATE INDEX spans_tid ON spans(tid, span_id, duration);

      -- The search index (see sqlite-terms.ts): service, remote service, span name, tags, tag keys and
      -- annotation values, with the local service of the span that carried each. Keyed by the trace's
      -- current ts, so a search reads only the window it asks for, newest first, straight off the index;
      -- the writer re-keys a trace's terms when its ts changes (its root arrives later, say). Traces
      -- without a timestamp never match a search, so they have no terms until they get one.
      CREATE TABLE terms (
        term TEXT NOT NULL,
        ts INTEGER NOT NULL,
        tid INTEGER NOT NULL,
        svc TEXT NOT NULL,
        PRIMARY KEY (term, ts, tid, svc)
      ) WITHOUT ROWID;

      -- Name lists and autocomplete values. kind: 's' service (name = ''), 'r' remote service of svc,
      -- 'n' span name of svc, 'v' autocomplete value (svc = the tag key). last_ts (keep_ts of the newest
      -- trace that carried it) lets retention drop names no stored trace has any more.
      CREATE TABLE names (
        kind TEXT NOT NULL,
        svc TEXT NOT NULL,
        name TEXT NOT NULL,
        last_ts INTEGER NOT NULL,
        PRIMARY KEY (kind, svc, name)
      ) WITHOUT ROWID;
    `);
  },
  // 1 -> 2: per-trace dependency links, so a dependency query relinks only traces that changed.
  (db) => {
    db.exec(`
      -- The writer stamps every trace row it writes to with the next value of change_seq (one per write
      -- transaction, never reused, even after retention empties the file), so max(changed) over the rows of
      -- one low 64-bit id tells whether that group changed since its links were computed.
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO meta (key, value) VALUES ('change_seq', 0);
      ALTER TABLE traces ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;

      -- Dependency links of each group of traces sharing a low 64-bit id (how zipkin links), as computed
      -- at max(changed) = changed: [[parent, child, calls, errors], ...]. Derived data: written by the
      -- dependency reader when it links a group, deleted with the group by retention; a row whose changed
      -- is behind its traces' is simply linked again.
      CREATE TABLE trace_links (
        trace_low TEXT PRIMARY KEY,
        changed INTEGER NOT NULL,
        links TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
  // 2 -> 3: retention never deletes a trace sooner than RETENTION after it arrived. keep_ts was the
  // trace's timestamp, so spans sent with old timestamps (replays, clocks off, milliseconds sent as
  // microseconds) were acknowledged with 202 and deleted by the next retention step (like Cassandra's TTL,
  // which counts from the write, the later of the two now decides).
  (db) => {
    db.exec(`
      DROP INDEX traces_keep_ts;
      ALTER TABLE traces DROP COLUMN keep_ts;
      ALTER TABLE traces ADD COLUMN keep_ts INTEGER
        GENERATED ALWAYS AS (max(coalesce(root_ts, min_ts, arrived_us), arrived_us)) VIRTUAL;
      CREATE INDEX traces_keep_ts ON traces(keep_ts);
    `);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export class SqliteSchemaError extends Error {
  override readonly name = 'SqliteSchemaError';
}

/**
 * Brings the file at `path` to the newest schema, or refuses it. Never writes to a file it cannot read:
 * another application's database, or one written by a newer Skein, fails with a message naming the file
 * and the version so the operator can pick another SQLITE_PATH or upgrade Skein.
 */
export function migrate(db: Database, path: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const target = migrations.length;
  const version = db.pragma('user_version', { simple: true }) as number;
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = (
    db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").get() as {
      n: number;
    }
  ).n;
  if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0 || version !== 0)) {
    throw new SqliteSchemaError(
      `${path} is not a Skein database (application_id ${appId}, user_version ${version}); ` +
        'point SQLITE_PATH at a new or Skein-created file',
    );
  }
  if (version > target) {
    throw new SqliteSchemaError(
      `${path} has Skein schema version ${version}, newer than this Skein understands (${target}); ` +
        'upgrade Skein or point SQLITE_PATH at another file',
    );
  }
  if (version === target) return;
  if (version === 0) {
    // Must precede the first table: auto_vacuum can only change on an empty file without a VACUUM.
    // INCREMENTAL lets retention hand freed pages back to the file system (sqlite-retention.ts).
    db.pragma('auto_vacuum = INCREMENTAL');
  }
  // All steps in one transaction: a crash mid-way leaves the old version intact, never a half-migrated file.
  db.transaction(() => {
    for (let v = version; v < target; v++) migrations[v]!(db);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${target}`);
  }).immediate();
}
