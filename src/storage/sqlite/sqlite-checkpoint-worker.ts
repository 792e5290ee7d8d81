/**
 * Entry point of the checkpoint thread, started by the writer worker. It copies committed WAL pages into
 * the database file (PRAGMA wal_checkpoint(PASSIVE)) on its own connection, so the writer does not spend
 * its time on the copy and the two fsyncs of every checkpoint: with the checkpoint inside the writer's
 * commits (SQLite's auto-checkpoint) the writer sustained about two thirds of the spans per second it
 * does without it (src/storage/sqlite/PERF-NOTES.md).
 *
 * A PASSIVE checkpoint never blocks the writer or readers, and never makes a commit less durable: it only
 * copies pages that are already committed to the WAL.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointInit, FromCheckpointer, ToCheckpointer } from './sqlite-checkpoint-protocol.js';

const port = parentPort!;
const init = workerData as CheckpointInit;
const post = (m: FromCheckpointer) => port.postMessage(m);

const db = new Database(init.path, { fileMustExist: true });
// This connection never writes pages itself; it must not start checkpoints of its own either.
db.pragma('wal_autocheckpoint = 0');

port.on('message', (m: ToCheckpointer) => {
  if (m.type === 'close') {
    db.close();
    post({ type: 'closed' });
    port.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    post({ type: 'checkpointed', id: m.id, log: r!.log, checkpointed: r!.checkpointed });
  } catch (e) {
    post({ type: 'failed', id: m.id, message: e instanceof Error ? e.message : String(e) });
  }
});
post({ type: 'ready' });
