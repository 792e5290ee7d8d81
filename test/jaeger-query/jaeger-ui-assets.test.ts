import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { injectJaegerUiConfig } from '../../src/query/jaeger-api/jaeger-ui-assets.js';
import { ConfigError } from '../../src/server/config.js';
import { startTestServer } from '../support/server.js';

/**
 * JAEGER_UI_DIR: a Jaeger UI build is served on JAEGER_QUERY_PORT as Jaeger serves it, with the
 * capabilities placeholders replaced so the UI offers "all services" search and the Monitor tab. The build
 * here is written by the test with the script block Jaeger UI's index.html has (packages/jaeger-ui/index.html).
 */
const INDEX = `<!doctype html><html><head><base href="/" data-inject-target="BASE_URL" />
<script>
  // Jaeger UI config data is embedded by the query-service via search-replace.
  var JAEGER_CONFIG = DEFAULT_CONFIG;
  var JAEGER_BACKEND_CAPABILITIES = DEFAULT_BACKEND_CAPABILITIES;
  var JAEGER_STORAGE_CAPABILITIES = DEFAULT_STORAGE_CAPABILITIES;
  var JAEGER_VERSION = DEFAULT_VERSION;
</script><script type="module" src="./static/index-abc.js"></script></head><body><div id="jaeger-ui-root"></div></body></html>`;

function injected(html: string, name: string): unknown {
  const m = new RegExp(`var ${name} = (.*);`).exec(html);
  if (!m) throw new Error(`${name} not in ${html}`);
  return JSON.parse(m[1]!) as unknown;
}

let dir: string;
let server: RunningSkein;
const base = () => `http://127.0.0.1:${server.listeners['jaeger-query']}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-jaeger-ui-'));
  await mkdir(join(dir, 'static'));
  await writeFile(join(dir, 'index.html'), INDEX);
  await writeFile(join(dir, 'static', 'index-abc.js'), 'console.log("jaeger ui");');
  server = await startTestServer({ JAEGER_UI_DIR: dir });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('JAEGER_UI_DIR', () => {
  it.each(['/search', '/search?service=x&uiFind=y', '/trace/abc123', '/dependencies', '/monitor'])(
    '%s answers the processed index.html with Skein capabilities',
    async (path) => {
      const res = await fetch(`${base()}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(injected(html, 'JAEGER_BACKEND_CAPABILITIES')).toEqual({
        archiveStorage: false,
        metricsStorage: true,
        searchWithoutServiceName: true,
        aiAssistant: false,
      });
      expect(injected(html, 'JAEGER_STORAGE_CAPABILITIES')).toEqual({ archiveStorage: false, metricsStorage: true });
      expect(injected(html, 'JAEGER_VERSION')).toMatchObject({ gitVersion: expect.stringMatching(/^skein-/) });
      // Without a UI config the build keeps its defaults.
      expect(html).toContain('var JAEGER_CONFIG = DEFAULT_CONFIG;');
    },
  );

  it('serves the build static files and leaves the API and Skein UI routes alone', async () => {
    const js = await fetch(`${base()}/static/index-abc.js`);
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('jaeger ui');
    expect((await fetch(`${base()}/static/missing.js`)).status).toBe(404);
    const services = await fetch(`${base()}/api/services`);
    expect(await services.json()).toMatchObject({ data: [], errors: null });
    const root = await fetch(`${base()}/`, { redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/zipkin/');
  });

  it('is refused at start-up when the folder has no index.html, naming the setting', async () => {
    await expect(startTestServer({ JAEGER_UI_DIR: join(dir, 'static') })).rejects.toThrow(ConfigError);
    await expect(startTestServer({ JAEGER_UI_DIR: join(dir, 'static') })).rejects.toThrow(
      /^JAEGER_UI_DIR: .*index\.html does not exist/,
    );
  });

  it('without it, the Jaeger UI routes redirect to the Skein UI', async () => {
    const s = await startTestServer();
    try {
      const res = await fetch(`http://127.0.0.1:${s.listeners['jaeger-query']}/search`, { redirect: 'manual' });
      expect(res.status).toBe(302);
    } finally {
      await s.close();
    }
  });
});

describe('injectJaegerUiConfig', () => {
  it('puts a UI config in JAEGER_CONFIG as JSON that cannot end the script element', () => {
    const html = injectJaegerUiConfig(INDEX, {
      version: '1',
      uiConfig: { menu: [{ label: '</script><script>alert(1)</script>', url: 'x' }] },
    });
    expect(html).not.toContain('</script><script>alert(1)');
    expect(injected(html, 'JAEGER_CONFIG')).toEqual({
      menu: [{ label: '</script><script>alert(1)</script>', url: 'x' }],
    });
  });
});
