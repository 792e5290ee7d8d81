import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkoutTrace, singleSpanTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

const CHECKOUT = '463ac35c9f6413ad48485a3953bb6124';
const SLOW = '1000000000000000000000000000bbbb';
const FAST = '2000000000000000000000000000ffff';

describe('search page', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    server = await startUiServer({ AUTOCOMPLETE_KEYS: 'http.method,http.path' });
    browser = await launchBrowser();
    const now = Date.now() * 1000;
    await server.post(checkoutTrace(now - 60_000_000, CHECKOUT));
    await server.post(singleSpanTrace(now - 120_000_000, SLOW, 'inventory', 'get /stock', 900_000, { 'http.method': 'POST' }));
    await server.post(singleSpanTrace(now - 30_000_000, FAST, 'inventory', 'get /health', 2_000));
    page = await browser.newPage();
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const rowIds = async (): Promise<string[]> =>
    page.locator('[data-testid=result-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id') ?? ''));

  it('runs a Lens deep link on load and fills the form from the URL', async () => {
    await page.goto(`${server.url}/zipkin/?serviceName=inventory&lookback=1h&limit=10`);
    await page.waitForSelector('[data-testid=result-row]');
    expect(new Set(await rowIds())).toEqual(new Set([SLOW, FAST]));
    expect(await page.locator('#serviceName').inputValue()).toBe('inventory');
    expect(await page.locator('#lookback').inputValue()).toBe('1h');
    expect(await page.locator('#limit').inputValue()).toBe('10');
    // Newest first by default.
    expect(await rowIds()).toEqual([FAST, SLOW]);
  });

  it('honours minDuration (μs, as Lens writes it) and a millisecond lookback', async () => {
    await page.goto(`${server.url}/zipkin/?serviceName=inventory&minDuration=100000&lookback=3600000`);
    await page.waitForSelector('[data-testid=result-row]');
    expect(await rowIds()).toEqual([SLOW]);
    expect(await page.locator('#minDuration').inputValue()).toBe('100ms');
  });

  it('filters by annotationQuery and marks traces with errors', async () => {
    await page.goto(`${server.url}/zipkin/?annotationQuery=error&lookback=1h`);
    await page.waitForSelector('[data-testid=result-row]');
    expect(await rowIds()).toEqual([CHECKOUT]);
    const row = page.locator('[data-testid=result-row]').first();
    expect(await row.locator('[data-testid=error-badge]').textContent()).toBe('1 error');
    // Span counts per service.
    expect(await row.locator('.chip').allTextContents()).toEqual(['frontend3', 'payment2']);
  });

  it('sorts results by duration and span count', async () => {
    await page.goto(`${server.url}/zipkin/?lookback=1h`);
    await page.waitForSelector('[data-testid=result-row]');
    await page.selectOption('[data-testid=sort]', 'longest');
    expect(await rowIds()).toEqual([SLOW, CHECKOUT, FAST]);
    await page.selectOption('[data-testid=sort]', 'most-spans');
    expect((await rowIds())[0]).toBe(CHECKOUT);
    await page.selectOption('[data-testid=sort]', 'oldest');
    expect(await rowIds()).toEqual([SLOW, CHECKOUT, FAST]);
  });

  it('submitting the form writes the criteria into the URL', async () => {
    await page.goto(`${server.url}/zipkin/`);
    await page.waitForSelector('[data-testid=search-intro] .chip');
    await page.selectOption('#serviceName', 'frontend');
    await page.fill('#minDuration', '50ms');
    await page.selectOption('#lookback', '2h');
    await page.click('[data-testid=run-query]');
    await page.waitForSelector('[data-testid=result-row]');
    const url = new URL(page.url());
    expect(url.searchParams.get('serviceName')).toBe('frontend');
    expect(url.searchParams.get('minDuration')).toBe('50000');
    expect(url.searchParams.get('lookback')).toBe('2h');
    expect(await rowIds()).toEqual([CHECKOUT]);
  });

  it('suggests tag keys and values from the autocomplete API', async () => {
    await page.goto(`${server.url}/zipkin/`);
    await page.click('[data-testid=tag-query]');
    await page.keyboard.type('http.m');
    await page.waitForSelector('[data-testid=tag-suggestions]');
    expect(await page.locator('[data-testid=tag-suggestions] li').allTextContents()).toEqual(['http.method']);
    await page.keyboard.press('Enter');
    expect(await page.locator('[data-testid=tag-query]').inputValue()).toBe('http.method=');
    await page.waitForSelector('[data-testid=tag-suggestions] li');
    expect(new Set(await page.locator('[data-testid=tag-suggestions] li').allTextContents())).toEqual(new Set(['GET', 'POST']));
    await page.keyboard.type('P');
    await page.keyboard.press('Enter');
    expect(await page.locator('[data-testid=tag-query]').inputValue()).toBe('http.method=POST');
    await page.click('[data-testid=run-query]');
    await page.waitForSelector('[data-testid=result-row]');
    expect(await rowIds()).toEqual([SLOW]);
    expect(new URL(page.url()).searchParams.get('annotationQuery')).toBe('http.method=POST');
  });

  it('jumps to a trace from the trace id box', async () => {
    await page.goto(`${server.url}/zipkin/`);
    await page.waitForSelector('[data-testid=search-intro]');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('trace-jump');
    await page.keyboard.type(CHECKOUT.toUpperCase());
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=trace-view]');
    expect(new URL(page.url()).pathname).toBe(`/zipkin/traces/${CHECKOUT}`);
  });

  it('explains a bad lookback and an unreachable server', async () => {
    await page.goto(`${server.url}/zipkin/?lookback=soon`);
    await page.waitForSelector('[data-testid=state-error]');
    expect(await page.locator('[data-testid=state-error]').textContent()).toContain('Unknown lookback "soon"');

    await page.route('**/zipkin/api/v2/traces**', (route) => route.abort('connectionrefused'));
    await page.goto(`${server.url}/zipkin/?serviceName=frontend`);
    await page.waitForSelector('[data-testid=state-error]');
    expect(await page.locator('[data-testid=state-error] h2').textContent()).toBe('Server unreachable');
    await page.unroute('**/zipkin/api/v2/traces**');
    await page.click('[data-testid=state-error] button');
    await page.waitForSelector('[data-testid=result-row]');
  });

  it('switches between light and dark themes and remembers the choice', async () => {
    await page.goto(`${server.url}/zipkin/`);
    await page.waitForSelector('[data-testid=search-intro]');
    const theme = async (): Promise<string | null> => page.evaluate(() => document.documentElement.getAttribute('data-theme'));
    const before = await theme();
    expect(['light', 'dark']).toContain(before);
    await page.click('[data-testid=theme-toggle]');
    const after = await theme();
    expect(after).toBe(before === 'dark' ? 'light' : 'dark');
    const bg = async (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const afterBg = await bg();
    await page.reload();
    await page.waitForSelector('[data-testid=search-intro]');
    expect(await theme()).toBe(after);
    expect(await bg()).toBe(afterBg);
    await page.click('[data-testid=theme-toggle]');
    expect(await theme()).toBe(before);
    expect(await bg()).not.toBe(afterBg);
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });
});
