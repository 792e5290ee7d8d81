import { escapeNul } from './sql-text.js';

/**
 * What differs between the SQL stores in the statements the shared layer builds. Values never enter SQL
 * text: the dialect only says how to write a placeholder, so every value travels as a bound parameter
 * (span data is attacker-controlled).
 */
export interface SqlDialect {
  /** The placeholder of the n-th parameter (1-based): `$1` in PostgreSQL, `?` in MySQL and SQLite. */
  placeholder(n: number): string;
  /** A quoted identifier (table, schema): configuration only, never span data. */
  identifier(name: string): string;
  /** `INSERT ... ` that leaves an existing row with the same key alone. */
  insertIgnore(table: string, columns: readonly string[], values: string, key: readonly string[]): string;
  /**
   * How a span-derived string is stored in a text column when the database cannot hold every string as
   * it is (PostgreSQL: no NUL, see sql-text.ts). MUST be injective, so equality lookups stay exact; the
   * writer and every lookup apply it alike. Absent: stored as it is.
   */
  encodeText?(value: string): string;
}

export const postgresDialect: SqlDialect = {
  placeholder: (n) => `$${n}`,
  identifier: (name) => `"${name.replaceAll('"', '""')}"`,
  insertIgnore: (table, columns, values, key) =>
    `INSERT INTO ${table} (${columns.join(', ')}) ${values} ON CONFLICT (${key.join(', ')}) DO NOTHING`,
  encodeText: escapeNul,
};

export const mysqlDialect: SqlDialect = {
  placeholder: () => '?',
  identifier: (name) => `\`${name.replaceAll('`', '``')}\``,
  insertIgnore: (table, columns, values) => `INSERT IGNORE INTO ${table} (${columns.join(', ')}) ${values}`,
};

/** Collects bound parameters while a statement is built, so the SQL text holds only placeholders. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: SqlDialect) {}

  /** Binds `value` and returns its placeholder. */
  bind(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }

  /** Binds a span-derived string as the dialect stores it (encodeText) and returns its placeholder. */
  bindText(value: string): string {
    return this.bind(this.dialect.encodeText?.(value) ?? value);
  }
}
