import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { walAllowance } from './sqlite-retention.js';
import { migrate, SqliteSchemaError } from './sqlite-schema.js';

/** The SQLite error codes that mean "this file is not a database we can read". */
const UNREADABLE = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CANTOPEN']);

function describeOpenError(path: string, e: unknown): Error {
  if (e instanceof SqliteSchemaError) return e;
  const code = (e as { code?: unknown }).code;
  const msg = e instanceof Error ? e.message : String(e);
  if (typeof code === 'string' && UNREADABLE.has(code)) {
    return new SqliteSchemaError(`cannot open ${path} as a Skein database: ${msg} (${code})`);
  }
  return new Error(`cannot open ${path}: ${msg}`);
}

/**
 * Opens the one write connection and migrates the schema.
 *
 * Durability: WAL with synchronous=NORMAL. A commit appends to the WAL with write(2) before accept()
 * resolves, so once a span is acknowledged it is in the operating system's page cache and survives the
 * process dying at any moment (SIGKILL, crash, OOM kill) — the guarantee Skein promises for a 202. Only a
 * power loss or kernel crash can lose the last commits before a checkpoint; synchronous=FULL would cover
 * that at the price of an fsync per commit. The database itself is never corrupted in either case.
 */
export function openWriteConnection(path: string, maxBytes: number): Db {
  let db: Db | undefined;
  try {
    db = new Database(path);
    db.pragma('busy_timeout = 5000');
    migrate(db, path);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, WAL is required`);
    db.pragma('synchronous = NORMAL');
    const wal = walAllowance(maxBytes);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.pragma(`journal_size_limit = ${wal}`);
    db.pragma(`wal_autocheckpoint = ${Math.max(16, Math.floor(wal / 2 / pageSize))}`);
    // 64 MiB: the search index takes its inserts all over its B-tree (sqlite-terms.ts), so each of a
    // commit's ~2 term rows per span reads a page back from the OS unless the index's pages stay cached.
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    return db;
  } catch (e) {
    db?.close();
    throw describeOpenError(path, e);
  }
}

/**
 * A read-only connection for queries, opened after the writer created and migrated the file. In WAL mode
 * readers see the last commit and never wait for the writer, nor it for them.
 */
export function openReadConnection(path: string): Db {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -16384');
    return db;
  } catch (e) {
    throw describeOpenError(path, e);
  }
}

/**
 * The dependency reader's connection: it reads like any reader and also writes trace_links, the cache of
 * per-trace dependency links (sqlite-dependency-links.ts). Opened after the writer created and migrated
 * the file; it never touches spans or the schema.
 */
export function openLinksConnection(path: string): Db {
  try {
    const db = new Database(path, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -16384');
    return db;
  } catch (e) {
    throw describeOpenError(path, e);
  }
}
