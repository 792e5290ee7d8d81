/**
 * Entry point of a reader worker thread: runs queries on its own read-only connection so that no query,
 * however large its window (dependency links over a day of traces), holds up the thread that accepts
 * spans and answers HTTP.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openLinksConnection, openReadConnection } from './sqlite-connection.js';
import { SqliteDependencyLinks } from './sqlite-dependency-links.js';
import type { FromReader, ReaderInit, ToReader } from './sqlite-reader-protocol.js';
import { SqliteReader } from './sqlite-reader.js';

const port = parentPort!;
const init = workerData as ReaderInit;
const post = (m: FromReader) => port.postMessage(m);

function open(): { db: ReturnType<typeof openReadConnection>; reader: SqliteReader } | undefined {
  try {
    if (!init.dependencies) {
      const db = openReadConnection(init.path);
      return { db, reader: new SqliteReader(db, init.options) };
    }
    const db = openLinksConnection(init.path);
    return { db, reader: new SqliteReader(db, init.options, new SqliteDependencyLinks(db)) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'fatal', name: err.name, message: err.message });
    port.close();
    return undefined;
  }
}

const opened = open();
if (opened) {
  const { db, reader } = opened;
  port.on('message', (m: ToReader) => {
    if (m.type === 'close') {
      db.close();
      post({ type: 'closed' });
      port.close();
      return;
    }
    try {
      const fn = reader[m.method] as (...args: unknown[]) => unknown;
      post({ type: 'result', id: m.id, value: fn.apply(reader, m.args) });
    } catch (e) {
      post({ type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) });
    }
  });
  post({ type: 'ready' });
}
