import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkoutTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

const A = '463ac35c9f6413ad48485a3953bb6124';
const B = '5000000000000000000000000000bbbb';
const XSS = '<img src=x onerror="window.__xss=1">';

describe('span links and FOLLOWS_FROM on the trace page', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    server = await startUiServer();
    browser = await launchBrowser();
    const now = Date.now() * 1000;
    await server.post(checkoutTrace(now - 60_000_000, A));
    const ep = { serviceName: 'mailer' };
    // Zipkin JSON v2 with Skein's links extension (what OTLP links and Jaeger FOLLOWS_FROM become).
    const body = [
      { traceId: B, id: '000000000000000a', kind: 'CONSUMER', name: 'send receipt', timestamp: now - 50_000_000, duration: 5_000, localEndpoint: ep,
        links: [{ traceId: A, spanId: '0000000000000003', type: 'FOLLOWS_FROM', tags: { why: XSS } }] },
      { traceId: B, parentId: '000000000000000a', id: '000000000000000b', name: 'render mail', timestamp: now - 49_000_000, duration: 1_000, localEndpoint: ep,
        links: [{ traceId: B, spanId: '000000000000000a', type: 'link' }] },
    ];
    const res = await fetch(`${server.url}/api/v2/spans`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(202);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('marks linked spans, lists the links with their type and tags, and follows them', async () => {
    await page.goto(`${server.url}/zipkin/traces/${B}`);
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('[data-testid=link-mark]').allTextContents()).toEqual(['↪1', '↪1']);
    // Inside the same trace: the linked span is selected in place.
    await page.locator('[data-testid=span-row][data-row="1"]').click();
    expect(await page.locator('[data-testid=span-link] th').textContent()).toBe('link');
    await page.click('[data-testid=span-link-target]');
    expect(await page.locator('[data-testid=span-row][data-row="0"]').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('[data-testid=span-link] th').textContent()).toBe('follows from');
    expect(await page.locator('[data-testid=span-link] .link-tag').textContent()).toBe(`why=${XSS}`);
    // To another trace: opened at the linked span.
    expect(await page.locator('[data-testid=span-link-target]').getAttribute('href')).toBe(`/zipkin/traces/${A}?span=0000000000000003`);
    await page.click('[data-testid=span-link-target]');
    await page.waitForURL((u) => u.pathname.endsWith(A));
    await page.waitForSelector('[data-testid=span-detail]');
    expect(await page.locator('[data-testid=span-detail] .detail-name').textContent()).toBe('select cards');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.goBack();
    await page.waitForURL((u) => u.pathname.endsWith(B));
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });
});
