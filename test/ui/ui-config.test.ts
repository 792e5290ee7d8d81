import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkoutTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

const ID = '463ac35c9f6413ad48485a3953bb6124';

describe('UI driven by /zipkin/config.json', () => {
  let locked: UiServer;
  let tuned: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    locked = await startUiServer({
      ZIPKIN_UI_SEARCH_ENABLED: 'false',
      ZIPKIN_UI_DEPENDENCY_ENABLED: 'false',
      ZIPKIN_UI_ENVIRONMENT: 'staging',
      ZIPKIN_UI_LOGS_URL: 'https://logs.example.com/search?q={traceId}',
      // An operator typo (or worse) must not become a script link.
      ZIPKIN_UI_SUPPORT_URL: 'javascript:alert(1)',
    });
    tuned = await startUiServer({
      ZIPKIN_UI_QUERY_LIMIT: '3',
      ZIPKIN_UI_DEFAULT_LOOKBACK: '3600000',
      // Archive to this same server: it accepts the trace as Zipkin v2 JSON.
      ZIPKIN_UI_ARCHIVE_POST_URL: '/api/v2/spans',
      ZIPKIN_UI_ARCHIVE_URL: '/zipkin/traces/{traceId}',
    });
    const now = Date.now() * 1000;
    await locked.post(checkoutTrace(now - 10_000_000, ID));
    await tuned.post(checkoutTrace(now - 10_000_000, ID));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await locked?.close();
    await tuned?.close();
  });

  it('hides search and dependencies when disabled, and shows the environment', async () => {
    await page.goto(`${locked.url}/zipkin/?serviceName=frontend`);
    await page.waitForSelector('[data-testid=state-empty]');
    expect(await page.locator('[data-testid=state-empty] h2').textContent()).toBe('Search is disabled on this server');
    expect(await page.locator('.app-nav a').allTextContents()).toEqual(['Search', 'Trace viewer']);
    expect(await page.locator('.env-badge').textContent()).toBe('staging');
    expect(await page.locator('.header-link').count()).toBe(0);
    await page.goto(`${locked.url}/zipkin/dependency`);
    await page.waitForSelector('[data-testid=state-error]');
    expect(await page.locator('[data-testid=state-error] h2').textContent()).toBe('Dependencies are disabled');
  });

  it('links a trace to its logs through the configured template', async () => {
    await page.goto(`${locked.url}/zipkin/traces/${ID}`);
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.getByRole('link', { name: 'Logs' }).getAttribute('href')).toBe(`https://logs.example.com/search?q=${ID}`);
  });

  it('uses the configured default limit and lookback', async () => {
    await page.goto(`${tuned.url}/zipkin/`);
    await page.waitForSelector('[data-testid=search-intro]');
    expect(await page.locator('#lookback').inputValue()).toBe('1h');
    expect(await page.locator('#limit').getAttribute('placeholder')).toBe('3');
  });

  it('archives a trace to the configured URL and links to the archived copy', async () => {
    await page.goto(`${tuned.url}/zipkin/traces/${ID}`);
    await page.waitForSelector('[data-testid=span-row]');
    await page.getByRole('button', { name: 'Archive' }).click();
    const link = page.getByRole('link', { name: 'Open archived' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`${tuned.url}/zipkin/traces/${ID}`);
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });
});
