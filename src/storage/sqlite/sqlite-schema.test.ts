import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { APPLICATION_ID, migrate, MIGRATIONS, SCHEMA_VERSION, SqliteSchemaError } from './sqlite-schema.js';
import { openSqliteStorage } from './sqlite-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-sqlite-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = {
  strictTraceId: true,
  searchEnabled: true,
  autocompleteKeys: [],
  retentionMs: 86_400_000,
  retentionMaxBytes: 1024 ** 3,
};

describe('sqlite schema versioning', () => {
  it('creates a new file at the current version, tagged as a Skein file, in WAL mode', async () => {
    const path = join(dir, 'nested', 'folder', 'new.sqlite');
    const storage = await openSqliteStorage({ ...options, path });
    await storage.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // 2 = INCREMENTAL: retention can return free pages to the file system.
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    db.close();
  });

  it('migrates an older file step by step and keeps its data', () => {
    const path = join(dir, 'older.sqlite');
    const v1 = (db: Database.Database) => db.exec('CREATE TABLE t (a TEXT)');
    const v2 = (db: Database.Database) => db.exec('ALTER TABLE t ADD COLUMN b TEXT');
    const db = new Database(path);
    migrate(db, path, [v1]);
    db.prepare("INSERT INTO t (a) VALUES ('kept')").run();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    migrate(db, path, [v1, v2]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 'kept', b: null }]);
    db.close();
  });

  it('leaves the file at its old version when a migration step fails', () => {
    const path = join(dir, 'failed-step.sqlite');
    const db = new Database(path);
    migrate(db, path, [(d) => d.exec('CREATE TABLE t (a TEXT)')]);
    const broken = [
      (d: Database.Database) => d.exec('CREATE TABLE t (a TEXT)'),
      (d: Database.Database) => d.exec('CREATE TABLE u (a TEXT)'),
      (d: Database.Database) => d.exec('THIS IS NOT SQL'),
    ];
    expect(() => migrate(db, path, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'u'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a file written by a newer Skein, naming the file and both versions', async () => {
    const path = join(dir, 'newer.sqlite');
    const db = new Database(path);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    db.close();
    const opening = openSqliteStorage({ ...options, path });
    await expect(opening).rejects.toThrow(SqliteSchemaError);
    await expect(opening).rejects.toThrow(
      `${path} has Skein schema version ${MIGRATIONS.length + 5}, newer than this Skein understands (${SCHEMA_VERSION})`,
    );
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 5);
    after.close();
  });

  it("refuses another application's SQLite database without touching it", async () => {
    const path = join(dir, 'foreign.sqlite');
    const db = new Database(path);
    db.exec("CREATE TABLE customers (name TEXT); INSERT INTO customers VALUES ('ada')");
    db.close();
    await expect(openSqliteStorage({ ...options, path })).rejects.toThrow(
      `${path} is not a Skein database (application_id 0, user_version 0)`,
    );
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT name FROM customers').pluck().all()).toEqual(['ada']);
    expect(after.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'traces'").pluck().get()).toBe(0);
    after.close();
  });

  it('refuses a file that is not a database at all, naming it', async () => {
    const path = join(dir, 'garbage.sqlite');
    writeFileSync(path, 'this is not a database, just text that is long enough to have a header'.repeat(20));
    await expect(openSqliteStorage({ ...options, path })).rejects.toThrow(
      new RegExp(
        `cannot open ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} as a Skein database: .*SQLITE_NOTADB`,
      ),
    );
  });
});
