import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Span } from '../../src/model/span.js';
import { singleSpanTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

describe('search results beyond the limit', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  const ids: string[] = [];

  beforeAll(async () => {
    server = await startUiServer();
    browser = await launchBrowser();
    const now = Date.now() * 1000;
    const spans: Span[] = [];
    // Seven traces, newest first in `ids`.
    for (let i = 1; i <= 7; i++) {
      const id = `e${String(i).padStart(31, '0')}`;
      ids.push(id);
      spans.push(...singleSpanTrace(now - i * 10_000_000, id, 'shop', 'get /item', 1000 * i));
    }
    await server.post(spans);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const shown = (): Promise<string[]> => page.locator('[data-testid=result-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id') ?? ''));

  it('says when more traces matched than the limit shows, and loads more', async () => {
    await page.goto(`${server.url}/zipkin/?serviceName=shop&lookback=1h&limit=3`);
    await page.waitForSelector('[data-testid=result-row]');
    expect(await page.locator('[data-testid=more-matched]').textContent()).toContain('More than 3 traces matched; these are the newest 3.');
    expect(await shown()).toEqual(ids.slice(0, 3));
    await page.click('[data-testid=load-more]');
    await page.waitForURL((u) => u.searchParams.get('limit') === '6');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=result-row]').length === 6);
    expect(await shown()).toEqual(ids.slice(0, 6));
    await page.click('[data-testid=load-more]');
    await page.waitForURL((u) => u.searchParams.get('limit') === '12');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=result-row]').length === 7);
    // Everything that matched is shown: no claim of more.
    expect(await page.locator('[data-testid=more-matched]').count()).toBe(0);
    expect(await page.locator('.results-header h2').textContent()).toBe('7 traces');
  });

  it('says nothing when exactly the limit matched', async () => {
    await page.goto(`${server.url}/zipkin/?serviceName=shop&lookback=1h&limit=7`);
    await page.waitForSelector('[data-testid=result-row]');
    expect(await shown()).toEqual(ids);
    expect(await page.locator('[data-testid=more-matched]').count()).toBe(0);
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
  });
});
