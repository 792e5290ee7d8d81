import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeStorageConformance } from '../conformance/index.js';
import { openSqliteStorage, type SqliteStorage } from './sqlite-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'skein-sqlite-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeStorageConformance({
  name: 'sqlite',
  create: (options) =>
    openSqliteStorage({
      ...options,
      path: join(dir, `conformance-${++n}.sqlite`),
      // The suite's fixtures are dated around today; keep them all.
      retentionMs: 365 * 86_400_000,
      retentionMaxBytes: 1024 ** 3,
    }),
  clear: (storage) => (storage as SqliteStorage).clear(),
});
