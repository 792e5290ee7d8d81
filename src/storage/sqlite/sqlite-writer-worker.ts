/**
 * Entry point of the writer worker thread. It owns the single write connection, so commits (and their
 * write(2) calls) and retention never run on the thread that answers HTTP requests and queries.
 *
 * Group commit: accept messages that arrive while a transaction runs queue up; the next flush writes all
 * of them in one transaction and acknowledges them together. Under load this turns N commits into one
 * without adding a timer delay when the load is light.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Database as Db } from 'better-sqlite3';
import type { Span } from '../../model/span.js';
import { BackgroundCheckpoints } from './sqlite-checkpoints.js';
import { openWriteConnection } from './sqlite-connection.js';
import { SqliteRetention } from './sqlite-retention.js';
import type { FromWriter, ToWriter, WriterInit } from './sqlite-writer-protocol.js';
import { SqliteWriter } from './sqlite-writer.js';

const port = parentPort!;
const init = workerData as WriterInit;
const post = (m: FromWriter) => port.postMessage(m);

function open(): { db: Db; writer: SqliteWriter; retention: SqliteRetention } | undefined {
  try {
    const db = openWriteConnection(init.path, init.retentionMaxBytes);
    const writer = new SqliteWriter(db, {
      searchEnabled: init.searchEnabled,
      autocompleteKeys: init.autocompleteKeys,
    });
    const retention = new SqliteRetention(db, writer, init.path, {
      retentionMs: init.retentionMs,
      retentionMaxBytes: init.retentionMaxBytes,
      batchTraces: init.retentionBatchTraces,
    });
    return { db, writer, retention };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'fatal', name: err.name, message: err.message });
    // Closing the port lets the thread end once the message is delivered.
    port.close();
    return undefined;
  }
}

const opened = open();
if (opened) run(opened.db, opened.writer, opened.retention);

function run(db: Db, writer: SqliteWriter, retention: SqliteRetention): void {
  interface Pending {
    id: number;
    spans: readonly Span[];
  }
  let queue: Pending[] = [];
  let flushScheduled = false;
  let closing = false;
  let commits = 0;
  let batches = 0;
  const checkpoints = new BackgroundCheckpoints(
    db,
    init.path,
    () => commits,
    scheduleFlush,
    (msg, err) => post({ type: 'log', level: 'warn', obj: { err }, msg }),
  );

  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flush);
  }

  function flush(): void {
    flushScheduled = false;
    // Held back while the WAL starts over; the checkpointer schedules the flush again (and closing flushes).
    if (!closing && !checkpoints.mayCommit()) return;
    let count = 0;
    let n = 0;
    while (n < queue.length && (n === 0 || count + queue[n]!.spans.length <= init.maxSpansPerCommit)) {
      count += queue[n]!.spans.length;
      n++;
    }
    const group = queue.slice(0, n);
    queue = queue.slice(n);
    if (queue.length > 0) scheduleFlush();
    if (group.length === 0) return;
    try {
      writer.write(group.map((p) => p.spans));
      commits++;
      batches += group.length;
      post({ type: 'ack', ids: group.map((p) => p.id) });
    } catch {
      // One bad batch must not fail the others that shared its transaction: retry each on its own.
      const ok: number[] = [];
      for (const p of group) {
        try {
          writer.write([p.spans]);
          commits++;
          batches++;
          ok.push(p.id);
        } catch (e) {
          post({ type: 'nack', id: p.id, message: e instanceof Error ? e.message : String(e) });
        }
      }
      if (ok.length > 0) post({ type: 'ack', ids: ok });
    }
    checkpoints.afterCommit();
    retentionSoon();
  }

  // Retention: checked at most every RETENTION_CHECK_MS after writes, and on an idle timer. Each step is
  // small and the next one is queued behind pending writes (setImmediate), so ingest never waits long.
  const RETENTION_CHECK_MS = 100;
  let lastRetentionCheck = 0;
  let retentionRunning = false;
  let deletedSinceLog = 0;
  /** Every trace retention deleted since start, for /prometheus. */
  let deletedTotal = 0;
  let lastLog = 0;

  function retentionSoon(): void {
    const now = Date.now();
    if (retentionRunning || now - lastRetentionCheck < RETENTION_CHECK_MS) return;
    lastRetentionCheck = now;
    retentionRunning = true;
    setImmediate(retentionStep);
  }

  function retentionStep(): void {
    if (closing) {
      retentionRunning = false;
      return;
    }
    try {
      const r = retention.step();
      noteDeleted(r.deletedTraces, r.reason);
      if (r.more) {
        setImmediate(retentionStep);
        return;
      }
    } catch (e) {
      post({ type: 'log', level: 'warn', obj: { err: String(e) }, msg: 'sqlite retention step failed' });
    }
    retentionRunning = false;
  }

  function noteDeleted(n: number, reason: string | undefined): void {
    if (n === 0) return;
    deletedTotal += n;
    deletedSinceLog += n;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      post({
        type: 'log',
        level: 'info',
        obj: { deletedTraces: deletedSinceLog, reason, ...retention.size() },
        msg: 'sqlite retention deleted oldest traces',
      });
      deletedSinceLog = 0;
    }
  }

  const timer = setInterval(retentionSoon, init.retentionIntervalMs);

  /** Runs retention to completion now (tests and tools); ingest queued meanwhile is flushed in between. */
  function retainNow(id: number, nowMs: number | undefined): void {
    let deletedTraces = 0;
    let size = retention.size();
    const loop = () => {
      if (closing) {
        post({ type: 'retained', id, result: { deletedTraces, size } });
        return;
      }
      try {
        const r = retention.step(nowMs);
        deletedTraces += r.deletedTraces;
        deletedTotal += r.deletedTraces;
        if (r.more) {
          setImmediate(loop);
          return;
        }
        size = retention.size();
        post({ type: 'retained', id, result: { deletedTraces, size } });
      } catch (e) {
        post({ type: 'log', level: 'warn', obj: { err: String(e) }, msg: 'sqlite retention step failed' });
        post({ type: 'retained', id, result: { deletedTraces, size } });
      }
    };
    loop();
  }

  port.on('message', (m: ToWriter) => {
    switch (m.type) {
      case 'accept':
        queue.push({ id: m.id, spans: m.spans });
        scheduleFlush();
        break;
      case 'retain':
        retainNow(m.id, m.nowMs);
        break;
      case 'stats':
        post({ type: 'stats', id: m.id, stats: { size: retention.size(), commits, batches, deletedTraces: deletedTotal } });
        break;
      case 'clear':
        // Tests reuse one file per suite: writes accepted before the clear are committed, then dropped.
        while (queue.length > 0) flush();
        db.transaction(() => {
          for (const table of ['trace_links', 'terms', 'names', 'spans', 'traces'])
            db.prepare(`DELETE FROM ${table}`).run();
        })();
        post({ type: 'cleared', id: m.id });
        break;
      case 'close':
        closing = true;
        clearInterval(timer);
        while (queue.length > 0) flush();
        void checkpoints.close().finally(() => {
          try {
            db.pragma('optimize');
            db.close();
          } finally {
            post({ type: 'closed' });
            port.close();
          }
        });
        break;
    }
  });

  post({ type: 'ready' });
}
