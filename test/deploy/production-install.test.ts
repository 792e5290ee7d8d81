import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, waitFor } from '../support/wait.js';
import { startSkeinProcess, stopGracefully, type SkeinProcess } from '../support/skein-process.js';

// A production install: the packed tarball installed with --omit=dev into an empty folder, so no
// TypeScript, tsx, vite or other dev tool is there. It must start and ingest. `npm ci --omit=dev` used to
// fail in prepare with "tsc: not found", and a plain `npm pack` shipped sources and tests without dist/.

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM_TIMEOUT_MS = 600_000;

let work: string | undefined;
let server: SkeinProcess | undefined;

afterAll(async () => {
  if (server) await stopGracefully(server);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('production install from the packed tarball', () => {
  it(
    'installs without dev dependencies, starts, and stores a span',
    { timeout: NPM_TIMEOUT_MS + 60_000 },
    async () => {
      const builtFiles = ['dist/server/main.js', 'ui/dist/index.html'];
      for (const f of builtFiles) {
        expect(existsSync(join(ROOT, f)), `${f} is missing: run \`npm run build\` (npm ci runs it)`).toBe(
          true,
        );
      }
      work = await mkdtemp(join(tmpdir(), 'skein-prod-'));
      await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {
        cwd: ROOT,
        timeout: NPM_TIMEOUT_MS,
      });
      const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
      expect(tarball, 'npm pack wrote no tarball').toBeDefined();

      const app = join(work, 'app');
      await run('mkdir', [app]);
      // The two native/generated dependencies need their install scripts (npm 11 asks for approval).
      await writeFile(
        join(app, 'package.json'),
        JSON.stringify({
          name: 'app',
          private: true,
          allowScripts: { 'better-sqlite3': true, protobufjs: true },
        }),
      );
      await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', join(work, tarball!)], {
        cwd: app,
        timeout: NPM_TIMEOUT_MS,
      });

      const installed = join(app, 'node_modules');
      for (const devTool of ['typescript', 'tsx', 'vite', 'vitest']) {
        expect(existsSync(join(installed, devTool)), `${devTool} was installed by --omit=dev`).toBe(false);
      }
      const shipped = await readdir(join(installed, 'skein'));
      expect(shipped).not.toContain('src');
      expect(shipped).not.toContain('test');

      server = await startSkeinProcess(
        { STORAGE_TYPE: 'sqlite', SQLITE_PATH: join(work, 'skein.sqlite') },
        { args: [join(installed, 'skein', 'dist', 'server', 'main.js')], cwd: app },
      );
      const span = {
        traceId: 'a1b2c3d4e5f60718',
        id: 'a1b2c3d4e5f60718',
        name: 'deploy-check',
        timestamp: 1_700_000_000_000_000,
        duration: 10,
        localEndpoint: { serviceName: 'prod-install' },
      };
      const post = await fetch(`${server.baseUrl}/api/v2/spans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([span]),
      });
      expect(post.status, server.output()).toBe(202);
      const base = server.baseUrl;
      const trace = await waitFor(
        () => getJson<{ name: string }[]>(`${base}/api/v2/trace/${span.traceId}`),
        'the posted span to be readable from the installed server',
      );
      expect(trace.map((s) => s.name)).toEqual(['deploy-check']);
      const ui = await fetch(`${server.baseUrl}/zipkin/`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('<div id="root">');
    },
  );
});
