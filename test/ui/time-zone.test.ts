import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkoutTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

const ID = '463ac35c9f6413ad48485a3953bb6124';
/** 2026-03-01 12:34:56 UTC, 21:34:56 in Tokyo (UTC+9, no daylight saving). */
const START_MS = Date.UTC(2026, 2, 1, 12, 34, 56);

describe('UTC or local time', () => {
  let server: UiServer;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    server = await startUiServer();
    browser = await launchBrowser();
    await server.post(checkoutTrace(START_MS * 1000, ID));
    ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, timezoneId: 'Asia/Tokyo', locale: 'en-US' });
    page = await ctx.newPage();
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const started = () => page.locator('[data-testid=trace-started]').textContent();

  it('shows local time with its zone, switches to UTC, and remembers the choice', async () => {
    await page.goto(`${server.url}/zipkin/traces/${ID}`);
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('[data-testid=zone-switch]').textContent()).toBe('Local · Asia/Tokyo');
    expect(await started()).toMatch(/09:34:56 PM GMT\+9$/);
    await page.click('[data-testid=zone-switch]');
    expect(await page.locator('[data-testid=zone-switch]').textContent()).toBe('UTC');
    expect(await started()).toMatch(/12:34:56 PM UTC$/);
    await page.locator('[data-testid=span-row][data-row="0"]').click();
    expect(await page.locator('[data-testid=span-detail] .kv dd').first().textContent()).toMatch(/12:34:56 PM UTC$/);
    // A new page load (and a new tab of the same profile) keeps UTC.
    const other = await ctx.newPage();
    await other.goto(`${server.url}/zipkin/traces/${ID}`);
    await other.waitForSelector('[data-testid=span-row]');
    expect(await other.locator('[data-testid=trace-started]').textContent()).toMatch(/12:34:56 PM UTC$/);
    await other.close();
    // The custom range form reads and writes its times in the zone shown.
    await page.goto(`${server.url}/zipkin/?lookback=range&startTs=${START_MS - 60_000}&endTs=${START_MS + 60_000}`);
    await page.waitForSelector('[data-testid=result-row]');
    expect(await page.locator('label[for=startTs]').textContent()).toBe('From (UTC)');
    expect(await page.locator('#startTs').inputValue()).toBe('2026-03-01T12:33');
    await page.click('[data-testid=zone-switch]');
    expect(await page.locator('#startTs').inputValue()).toBe('2026-03-01T21:33');
    expect(await page.locator('label[for=startTs]').textContent()).toBe('From (Asia/Tokyo)');
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
  });
});
