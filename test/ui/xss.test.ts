import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Span } from '../../src/model/span.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

/**
 * Span data is attacker-controlled. Each payload, if it ever ran, would set a window flag or open a
 * dialog; the UI must show all of them as inert text.
 */
const SCRIPT = '<script>window.__xss_script=1</script>';
const IMG = '<img src=x onerror="window.__xss_img=1;alert(1)">';
const JS_URL = 'javascript:window.__xss_url=1;alert(2)';
const SVG = '"><svg onload="window.__xss_svg=1">';

const TRACE_ID = '1234567890abcdef1234567890abcdef';

function hostileTrace(nowUs: number): Span[] {
  const t = nowUs - 30_000_000;
  return [
    {
      traceId: TRACE_ID,
      id: '1000000000000001',
      kind: 'SERVER',
      name: SCRIPT,
      timestamp: t,
      duration: 50_000,
      localEndpoint: { serviceName: IMG.toLowerCase(), ipv4: '10.0.0.1' },
      tags: { [SCRIPT]: IMG, [IMG]: JS_URL, 'http.url': JS_URL, error: SVG },
      annotations: [
        { timestamp: t + 10, value: SCRIPT },
        { timestamp: t + 20, value: IMG },
        { timestamp: t + 30, value: JS_URL },
      ],
    },
    {
      traceId: TRACE_ID,
      parentId: '1000000000000001',
      id: '1000000000000002',
      kind: 'CLIENT',
      name: JS_URL,
      timestamp: t + 1000,
      duration: 20_000,
      localEndpoint: { serviceName: IMG.toLowerCase(), ipv4: '10.0.0.1' },
      remoteEndpoint: { serviceName: SVG.toLowerCase() },
      tags: { 'http.path': SCRIPT, link: JS_URL },
      annotations: [{ timestamp: t + 1500, value: SVG }],
    },
    {
      traceId: TRACE_ID,
      parentId: '1000000000000002',
      id: '1000000000000003',
      kind: 'SERVER',
      name: SVG,
      timestamp: t + 2000,
      duration: 10_000,
      localEndpoint: { serviceName: JS_URL.toLowerCase(), ipv4: '10.0.0.2' },
    },
  ];
}

describe('hostile span data', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    server = await startUiServer({ AUTOCOMPLETE_KEYS: 'http.path' });
    browser = await launchBrowser();
    await server.post(hostileTrace(Date.now() * 1000));
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Nothing ran, and nothing that could run later is in the DOM. */
  const assertInert = async (): Promise<void> => {
    const state = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const all = [...document.querySelectorAll('*')];
      return {
        flags: ['__xss_script', '__xss_img', '__xss_url', '__xss_svg'].filter((k) => w[k] !== undefined),
        imgs: document.querySelectorAll('img').length,
        scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src') ?? 'inline'),
        handlers: all.flatMap((e) => [...e.attributes].filter((a) => a.name.toLowerCase().startsWith('on')).map((a) => `${e.tagName}.${a.name}`)),
        badLinks: [...document.querySelectorAll('[href],[src],[action],[formaction],[xlink\\:href]')]
          .flatMap((e) => ['href', 'src', 'action', 'formaction', 'xlink:href'].map((n) => e.getAttribute(n) ?? ''))
          .filter((v) => /^\s*(javascript|data|vbscript):/i.test(v)),
      };
    });
    expect(state.flags).toEqual([]);
    expect(state.imgs).toBe(0);
    expect(state.scripts.every((s) => s.startsWith('/zipkin/assets/'))).toBe(true);
    expect(state.handlers).toEqual([]);
    expect(state.badLinks).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    expect(seen.errors).toEqual([]);
  };

  it('search results show the payloads as text', async () => {
    await page.goto(`${server.url}/zipkin/?lookback=1h`);
    await page.waitForSelector('[data-testid=result-row]');
    expect(await page.locator('.result-name').first().textContent()).toBe(SCRIPT.toLowerCase());
    expect(await page.locator('.result-service').first().textContent()).toBe(IMG.toLowerCase());
    // The row links to the trace by its (validated) id only.
    expect(await page.locator('[data-testid=result-row]').first().getAttribute('href')).toBe(`/zipkin/traces/${TRACE_ID}`);
    await page.hover('.dot');
    await assertInert();
  });

  it('the trace view, every detail panel and the find box show the payloads as text', async () => {
    await page.goto(`${server.url}/zipkin/traces/${TRACE_ID}`);
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('[data-testid=span-row] .span-name').allTextContents()).toEqual([SCRIPT.toLowerCase(), JS_URL.toLowerCase(), SVG.toLowerCase()]);
    for (let i = 0; i < 3; i++) {
      await page.locator(`[data-testid=span-row][data-row="${i}"]`).click();
      await page.waitForSelector('[data-testid=span-detail]');
      await assertInert();
    }
    await page.locator('[data-testid=span-row][data-row="0"]').click();
    const tags = await page.locator('[data-testid=tags] tr').allTextContents();
    expect(tags).toContain(`${SCRIPT}${IMG}`);
    expect(tags).toContain(`${IMG}${JS_URL}`);
    expect(await page.locator('[data-testid=annotations] td.wrap').allTextContents()).toEqual([SCRIPT, IMG, JS_URL]);
    await page.fill('[data-testid=find]', '<img');
    await page.locator('[data-testid=critical-toggle]').check({ force: true });
    // Annotation marks carry the value as a tooltip: an attribute value, never markup.
    expect(await page.locator('[data-row="0"] .ann-mark').evaluateAll((els) => els.map((e) => e.getAttribute('title')))).toEqual([SCRIPT, IMG, JS_URL]);
    await assertInert();
  });

  it('the statistics, graph and flame graph views show the payloads as text', async () => {
    for (const view of ['stats', 'graph', 'flame']) {
      await page.goto(`${server.url}/zipkin/traces/${TRACE_ID}?view=${view}&span=1000000000000002`);
      await page.waitForSelector(`[data-testid=${view}-view]`);
      await assertInert();
    }
    await page.goto(`${server.url}/zipkin/traces/${TRACE_ID}?view=stats`);
    await page.waitForSelector('[data-testid=stats-row]');
    expect(await page.locator('[data-testid=stats-row] .stats-td:nth-child(2)').allTextContents()).toEqual(
      expect.arrayContaining([SCRIPT.toLowerCase(), JS_URL.toLowerCase(), SVG.toLowerCase()]),
    );
    await page.goto(`${server.url}/zipkin/traces/${TRACE_ID}?view=flame`);
    await page.waitForSelector('[data-testid=flame-box]');
    expect(await page.locator('[data-testid=flame-box] title').first().textContent()).toContain(SCRIPT.toLowerCase());
    await page.locator('[data-testid=flame-box]').first().click();
    await assertInert();
    // A hostile span key in the URL selects nothing and stays text.
    await page.goto(`${server.url}/zipkin/traces/${TRACE_ID}?span=${encodeURIComponent(SCRIPT)}&view=${encodeURIComponent(IMG)}`);
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('[data-testid=span-detail]').count()).toBe(0);
    await assertInert();
  });

  it('the Services page shows hostile service and operation names as text', async () => {
    await page.goto(`${server.url}/zipkin/services?service=${encodeURIComponent(IMG.toLowerCase())}&lookback=1h`);
    await page.waitForSelector(`[data-testid=ops-row][data-op="${SCRIPT.toLowerCase().replace(/"/g, '\\"')}"]`);
    await page.locator('[data-testid=ops-row] button').nth(1).click();
    await page.waitForSelector('[data-testid=chart-rate] circle');
    expect(await page.locator('[data-testid=chart-scope]').textContent()).toContain(SCRIPT.toLowerCase());
    await assertInert();
  });

  it('the compare view shows hostile names as text', async () => {
    await page.goto(`${server.url}/zipkin/compare?a=${TRACE_ID}&b=${TRACE_ID}`);
    await page.waitForSelector('[data-testid=diff-row]');
    expect(await page.locator('[data-testid=diff-row] .graph-name').allTextContents()).toEqual([SCRIPT.toLowerCase(), JS_URL.toLowerCase(), SVG.toLowerCase()]);
    await assertInert();
  });

  it('autocomplete suggestions show hostile tag values as text', async () => {
    await page.goto(`${server.url}/zipkin/`);
    await page.click('[data-testid=tag-query]');
    await page.keyboard.type('http.path=');
    await page.waitForSelector('[data-testid=tag-suggestions] li');
    expect(await page.locator('[data-testid=tag-suggestions] li').allTextContents()).toContain(SCRIPT);
    await assertInert();
  });

  it('the dependency graph shows hostile service names as text', async () => {
    await page.goto(`${server.url}/zipkin/dependency?lookback=1h`);
    await page.waitForSelector('[data-testid=dep-node]');
    const labels = await page.locator('.node-label').allTextContents();
    expect(labels).toContain(IMG.toLowerCase());
    expect(labels.every((l) => [IMG, SVG, JS_URL].map((x) => x.toLowerCase()).includes(l))).toBe(true);
    await page.locator('[data-testid=dep-node]').first().click();
    await page.waitForSelector('[data-testid=service-panel]');
    await assertInert();
  });

  it('a hostile file in the trace viewer is shown as text', async () => {
    await page.goto(`${server.url}/zipkin/traceViewer`);
    const spans = hostileTrace(Date.now() * 1000);
    await page.locator('[data-testid=trace-file]').setInputFiles({
      name: SCRIPT,
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(spans)),
    });
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('.dropzone-title').textContent()).toBe(`Viewing ${SCRIPT}`);
    await page.locator('[data-testid=span-row][data-row="0"]').click();
    await assertInert();
  });

  it('a hostile trace id in the URL is only ever text', async () => {
    await page.goto(`${server.url}/zipkin/traces/${encodeURIComponent(SCRIPT)}`);
    await page.waitForSelector('[data-testid=state-error]');
    await assertInert();
  });
});
