import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { generateLargeTrace } from '../../src/demo/trace-generator.js';
import { checkoutTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

const ID = '463ac35c9f6413ad48485a3953bb6124';

/** The small UI fixes of issue 14, each seen in a screenshot first. */
describe('issue 14 small fixes', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  let largeId: string;

  beforeAll(async () => {
    server = await startUiServer();
    browser = await launchBrowser();
    await server.post(checkoutTrace(Date.now() * 1000 - 60_000_000, ID));
    const large = generateLargeTrace(5_001, { seed: 9 });
    largeId = large[0]!.traceId;
    await server.post(large);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('an invalid query says what is wrong and offers no useless "Try again"', async () => {
    await page.goto(`${server.url}/zipkin/?serviceName=frontend&lookback=range`);
    await page.waitForSelector('[data-testid=state-error]');
    const text = (await page.locator('[data-testid=state-error]').textContent()) ?? '';
    expect(text).toContain('lookback=range needs startTs');
    expect(text).not.toContain('Unknown lookback');
    expect(await page.locator('[data-testid=state-error] button').count()).toBe(0);
    await page.goto(`${server.url}/zipkin/?serviceName=frontend&minDuration=abc`);
    await page.waitForSelector('[data-testid=state-error]');
    expect(await page.locator('[data-testid=state-error] button').count()).toBe(0);
    // A server failure still offers it.
    await page.route('**/zipkin/api/v2/traces**', (r) => r.fulfill({ status: 500, body: 'boom' }));
    await page.goto(`${server.url}/zipkin/?serviceName=frontend&lookback=1h`);
    await page.waitForSelector('[data-testid=state-error]');
    expect(await page.locator('[data-testid=state-error] button').textContent()).toBe('Try again');
    await page.unroute('**/zipkin/api/v2/traces**');
  });

  it('"Reset zoom" does not cover the axis labels', async () => {
    await page.goto(`${server.url}/zipkin/traces/${ID}`);
    const box = (await page.locator('[data-testid=minimap]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + 20, { steps: 4 });
    await page.mouse.up();
    const reset = (await page.locator('[data-testid=reset-zoom]').boundingBox())!;
    const labels = await page.locator('.minimap-ticks span').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
    expect(labels.length).toBeGreaterThan(1);
    for (const l of labels) {
      const overlap = reset.x < l.right && reset.x + reset.width > l.left && reset.y < l.bottom && reset.y + reset.height > l.top;
      expect(overlap).toBe(false);
    }
  });

  it('at 420px span names stay readable and the span details open on screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 420, height: 800 } });
    await phone.goto(`${server.url}/zipkin/traces/${ID}`);
    await phone.waitForSelector('[data-testid=span-row]');
    // Every name fits uncut ("select cards" at depth 3 is the tightest: it used to shrink to a letter or two).
    const cut = await phone.locator('[data-testid=span-row] .span-name').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent));
    expect(cut).toEqual([]);
    await phone.locator('[data-testid=span-row][data-row="3"]').click();
    const d = (await phone.locator('[data-testid=span-detail]').boundingBox())!;
    expect(d.y).toBeGreaterThanOrEqual(0);
    expect(d.y).toBeLessThan(800 - 100);
    expect(d.x).toBeGreaterThanOrEqual(0);
    expect(d.x + d.width).toBeLessThanOrEqual(421);
    await phone.close();
  });

  it('the critical path of a 5,001-span trace is marked on its rows, not only as thin segments', async () => {
    await page.goto(`${server.url}/zipkin/traces/${largeId}`);
    await page.waitForSelector('[data-testid=span-row]');
    await page.locator('[data-testid=critical-toggle]').check({ force: true });
    await page.waitForSelector('[data-testid=span-row].on-critical');
    const onPath = await page.locator('[data-testid=span-row].on-critical').evaluateAll((els) => els.map((e) => e.getAttribute('data-row')));
    expect(onPath).toContain('0');
    const segs = await page.locator('[data-testid=span-row].on-critical [data-testid=critical-segment]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    expect(Math.min(...segs)).toBeGreaterThanOrEqual(3);
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
  });
});
