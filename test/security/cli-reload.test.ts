import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startSkeinProcess, type SkeinProcess } from '../support/skein-process.js';
import { waitFor } from '../support/wait.js';

/**
 * The real CLI: `skein token create` prints a token and stores its hash; a running server re-reads
 * AUTH_TOKENS_FILE on SIGHUP, so a token made after start works without a restart, and the token is never
 * in the server's output.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'skein-cli-'));
const file = join(dir, 'tokens');
let skein: SkeinProcess | undefined;

const cli = async (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/server/main.ts', ...args], { cwd: ROOT, env: { ...process.env, AUTH_TOKENS_FILE: file } });

afterAll(() => {
  skein?.child.kill('SIGTERM');
});

describe('skein token create and SIGHUP', () => {
  it('creates tokens from the CLI and a running server takes a new one on SIGHUP', async () => {
    const first = (await cli('token', 'create', '--role', 'read', '--name', 'first')).stdout.trim();
    expect(first).toMatch(/^skein_[A-Za-z0-9_-]{43}$/);
    expect(readFileSync(file, 'utf8')).not.toContain(first);
    await expect(cli('token', 'create', '--role', 'root')).rejects.toMatchObject({ stderr: expect.stringMatching(/--role must be one of ingest, read, admin/) });

    skein = await startSkeinProcess({ AUTH_TOKENS_FILE: file, STORAGE_TYPE: 'mem' });
    const services = (token: string) =>
      fetch(`${skein!.baseUrl}/api/v2/services`, { headers: { authorization: `Bearer ${token}` } });
    expect((await services(first)).status).toBe(200);

    const second = (await cli('token', 'create', '--role', 'read', '--name', 'second')).stdout.trim();
    expect((await services(second)).status).toBe(401);
    skein.child.kill('SIGHUP');
    await waitFor(async () => ((await services(second)).status === 200 ? true : undefined), 'the new token accepted after SIGHUP');
    expect((await services(first)).status).toBe(200);
    expect(skein.output()).toMatch(/reloaded on SIGHUP/);
    expect(skein.output()).not.toContain(first);
    expect(skein.output()).not.toContain(second);
  });
});
