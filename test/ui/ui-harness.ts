import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Span } from '../../src/model/span.js';
import { startTestServer } from '../support/server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const UI = join(ROOT, 'ui');
// Inside this checkout, not the shared system temp folder: two clones building at once must not share it.
const LOCK = join(ROOT, 'node_modules', '.cache', 'skein-ui-build.lock');

/** Debian's chromium (apt-get install chromium); the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(path)) max = Math.max(max, newestMtime(join(path, e)));
  return max;
}

function isBuilt(): boolean {
  const index = join(UI, 'dist', 'index.html');
  if (!existsSync(index)) return false;
  const built = statSync(index).mtimeMs;
  const sources = Math.max(
    newestMtime(join(UI, 'src')),
    statSync(join(UI, 'index.html')).mtimeMs,
    statSync(join(UI, 'vite.config.ts')).mtimeMs,
    newestMtime(join(ROOT, 'src', 'model')),
  );
  return built >= sources;
}

/**
 * Builds ui/dist when any UI source is newer than the last build. Browser test files run in parallel
 * workers, so a directory lock makes exactly one of them build while the others wait.
 */
export async function ensureUiBuilt(): Promise<void> {
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (isBuilt()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after 300 s waiting for the UI build (lock ${LOCK})`);
    try {
      mkdirSync(LOCK);
    } catch {
      // Someone else is building; a lock older than 3 minutes is from a crashed run.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 180_000)
        rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      if (!isBuilt()) {
        await promisify(execFile)(
          process.execPath,
          [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'ui', '--logLevel', 'error'],
          {
            cwd: ROOT,
            // vitest sets NODE_ENV=test, which makes vite bundle React's development build (~75% larger and
            // slower); ui/dist outlives the test run and is what the server ships, so build for production.
            env: { ...process.env, NODE_ENV: 'production' },
          },
        );
      }
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
    return;
  }
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`No chromium at ${CHROMIUM}: install it with apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface UiServer {
  url: string;
  post(spans: Span[]): Promise<void>;
  close(): Promise<void>;
}

/** A real Skein on an ephemeral port, serving the built UI. */
export async function startUiServer(env: Partial<Record<string, string>> = {}): Promise<UiServer> {
  await ensureUiBuilt();
  const server = await startTestServer(env);
  return {
    url: server.url,
    async post(spans) {
      // Normalized Spans are canonical Zipkin v2 JSON already.
      const res = await fetch(`${server.url}/api/v2/spans`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(spans),
      });
      if (res.status !== 202) throw new Error(`POST /api/v2/spans: ${res.status} ${await res.text()}`);
    },
    close: () => server.close(),
  };
}

/** Collects what must never happen on a page: uncaught errors and dialogs (alert/confirm/prompt). */
export function watchPage(page: Page): { errors: string[]; dialogs: string[] } {
  const seen = { errors: [] as string[], dialogs: [] as string[] };
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('dialog', (d) => {
    seen.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return seen;
}
