import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { BackgroundCheckpoints } from './sqlite-checkpoints.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-sqlite-checkpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

describe('background checkpoints', () => {
  it('copies the WAL on another thread and makes the writer start the WAL over once it is big', async () => {
    const path = join(dir, 'ckpt.sqlite');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    db.pragma('wal_autocheckpoint = 1024'); // 4 MiB of 4 KiB pages: the least that uses the thread
    let commits = 0;
    let drained = 0;
    const warnings: string[] = [];
    const ckpt = new BackgroundCheckpoints(
      db,
      path,
      () => commits,
      () => drained++,
      (msg) => warnings.push(msg),
    );
    try {
      // Once the thread is up the writer's own auto-checkpoint moves to twice the size: a safety net.
      expect(await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 2048)).toBe(true);
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
      const big = 'x'.repeat(3000);
      const writeSome = db.transaction(() => {
        for (let i = 0; i < 100; i++) insert.run(big);
      });
      const walFrames = () => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
      // About 100 pages per commit, 30 commits: three times the 1024 frames at which the writer drains.
      // A fixed count, not "until it drained": whether the writer had to drain or the thread kept up on
      // its own depends on machine load, and the test must not.
      for (let i = 0; i < 30; i++) {
        expect(await until(() => ckpt.mayCommit()), 'the checkpointer let the writer commit again').toBe(
          true,
        );
        writeSome();
        commits++;
        ckpt.afterCommit();
        // Steady ingest: the next transaction begins right away, before a pass can catch up.
        await new Promise((r) => setImmediate(r));
      }
      // The WAL started over at least once (the writer is held back at 1024 frames until it can), so it
      // holds fewer frames than the 3,000 and more that were written.
      expect(walFrames()).toBeLessThan(commits * 100);
      // The file keeps its high-water mark, which includes frames written while a pass was still copying
      // (more of them on a loaded machine); bounded means within twice the writer's safety net.
      expect(statSync(`${path}-wal`).size).toBeLessThan(2 * 2048 * 4200);
      expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: commits * 100 });
      expect(warnings).toEqual([]);
    } finally {
      await ckpt.close();
      db.close();
    }
  });
});
