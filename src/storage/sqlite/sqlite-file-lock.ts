import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * One Skein process per SQLite file. SQLite itself lets two processes open the same file, and two Skein
 * writers would each run retention, checkpoints and their own caches over it, so a second process is
 * refused at start-up with a message naming the file (issue 15). The lock is a `<file>.lock` beside the
 * database, created exclusively, holding the owner's pid and host. A lock whose owner is gone (a crash or
 * SIGKILL leaves it behind) is taken over, so an unclean stop never needs a manual clean-up.
 */
export class SqliteFileInUseError extends Error {
  constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {
    super(
      `${path} is in use by another Skein process (pid ${owner.pid} on ${owner.host}, since ${owner.since}). ` +
        `Stop that process, or set SQLITE_PATH to another file. If no Skein process uses it, delete ${path}.lock.`,
    );
    this.name = 'SqliteFileInUseError';
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** Takes the lock for `dbPath`, or throws SqliteFileInUseError. Returns the function that releases it. */
export function lockSqliteFile(dbPath: string): () => void {
  const lockPath = `${dbPath}.lock`;
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = readOwner(lockPath);
      if (owner && ownerIsAlive(owner)) throw new SqliteFileInUseError(dbPath, owner);
      // Stale (its process is gone) or unreadable (a crash mid-write): take it over once.
      unlinkQuietly(lockPath);
      continue;
    }
    writeSync(fd, JSON.stringify(me));
    closeSync(fd);
    return () => {
      // Only our own lock is removed: a lock another process took over after ours went stale stays.
      const current = readOwner(lockPath);
      if (current?.pid === me.pid && current.host === me.host && current.since === me.since)
        unlinkQuietly(lockPath);
    };
  }
  throw new Error(`could not take ${lockPath}: another process keeps recreating it`);
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const v = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string' || typeof v.since !== 'string')
      return undefined;
    return { pid: v.pid, host: v.host, since: v.since };
  } catch {
    return undefined;
  }
}

function ownerIsAlive(owner: LockOwner): boolean {
  // Another host's lock (a shared volume) cannot be checked from here, so it is trusted.
  if (owner.host !== hostname()) return true;
  // Our own pid: a restarted container where the server is pid 1 again, and the lock is the old run's.
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
