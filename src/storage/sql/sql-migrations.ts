import type { SqlDialect } from './sql-dialect.js';

/** One schema step. Versions are applied once each, in ascending order, and never edited once released. */
export interface Migration {
  version: number;
  /** What the step does, stored beside its version for whoever inspects the database. */
  description: string;
  statements: readonly string[];
}

/** The little a migration needs from a connection: run one statement with bound parameters. */
export interface SqlExecutor {
  query(sql: string, params?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Brings the schema to the newest version. The version table records each applied step, so a restart
 * applies only what is new, and a database written by a newer Skein is refused rather than misread.
 * The caller runs this inside a transaction that holds a lock (PostgreSQL: an advisory lock) so two
 * servers starting together do not apply a step twice.
 */
export async function runMigrations(
  db: SqlExecutor,
  dialect: SqlDialect,
  versionTable: string,
  migrations: readonly Migration[],
): Promise<{ from: number; to: number }> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${versionTable} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
  );
  const { rows } = await db.query(`SELECT MAX(version) AS v FROM ${versionTable}`);
  const from = Number(rows[0]?.v ?? 0);
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const newest = sorted[sorted.length - 1]?.version ?? 0;
  if (from > newest) {
    throw new Error(
      `the schema is at version ${from}, newer than this Skein knows (${newest}); upgrade Skein or use another database`,
    );
  }
  for (const m of sorted) {
    if (m.version <= from) continue;
    for (const statement of m.statements) await db.query(statement);
    await db.query(
      `INSERT INTO ${versionTable} (version, description, applied_at) VALUES (${dialect.placeholder(1)}, ${dialect.placeholder(2)}, ${dialect.placeholder(3)})`,
      [m.version, m.description, Date.now()],
    );
  }
  return { from, to: Math.max(from, newest) };
}
