import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  killHard,
  runSkeinProcessToExit,
  startSkeinProcess,
  stopGracefully,
  type SkeinProcess,
} from '../support/skein-process.js';

// Two Skein processes on one SQLite file used to be accepted silently, and both wrote (issue 15).

let dir: string | undefined;
const started: SkeinProcess[] = [];

afterAll(async () => {
  for (const p of started) await stopGracefully(p);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('one Skein process per SQLite file', () => {
  it(
    'refuses a second process with a message naming the file, and takes over after the first is killed',
    { timeout: 120_000 },
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'skein-lock-'));
      const file = join(dir, 'traces.sqlite');
      const env = { STORAGE_TYPE: 'sqlite', SQLITE_PATH: file };
      const first = await startSkeinProcess(env);
      started.push(first);

      const second = await runSkeinProcessToExit(env);
      expect(second.code, second.output).not.toBe(0);
      expect(second.output).toContain(`${file} is in use by another Skein process (pid ${first.child.pid}`);
      expect(second.output).not.toContain('serving on');

      // The first still serves; the refused start changed nothing.
      expect((await fetch(`${first.baseUrl}/health`)).status).toBe(200);

      // SIGKILL leaves the lock file behind; its owner is gone, so the next start takes it over.
      await killHard(first);
      const third = await startSkeinProcess(env);
      started.push(third);
      expect((await fetch(`${third.baseUrl}/health`)).status).toBe(200);
    },
  );
});
