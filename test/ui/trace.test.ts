import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { generateLargeTrace } from '../../src/demo/trace-generator.js';
import { checkoutTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

const ID = '463ac35c9f6413ad48485a3953bb6124';

describe('trace page', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  let largeId: string;
  let lastSpanId: string;
  let lastSpanName: string;

  beforeAll(async () => {
    server = await startUiServer();
    browser = await launchBrowser();
    await server.post(checkoutTrace(Date.now() * 1000 - 60_000_000, ID));
    const large = generateLargeTrace(10_000, { seed: 5 });
    largeId = large[0]!.traceId;
    const last = [...large].sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0))[0]!;
    lastSpanId = last.id;
    lastSpanName = last.name ?? '';
    await server.post(large);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const rows = () => page.locator('[data-testid=span-row]');
  const row = (i: number) => page.locator(`[data-testid=span-row][data-row="${i}"]`);
  const open = async (): Promise<void> => {
    await page.goto(`${server.url}/zipkin/traces/${ID}`);
    await page.waitForSelector('[data-testid=span-row]');
  };

  it('draws the span tree in order with services, errors and annotation marks', async () => {
    await open();
    expect(await page.locator('[data-testid=span-count]').textContent()).toBe('5');
    expect(await rows().locator('.span-name').allTextContents()).toEqual(['get /checkout', 'post /pay', 'post /pay', 'select cards', 'render']);
    expect(await rows().locator('.svc-tag').allTextContents()).toEqual(['frontend', 'frontend', 'payment', 'payment', 'frontend']);
    expect(await row(3).getAttribute('class')).toContain('error');
    expect(await row(0).getAttribute('class')).not.toContain('error');
    expect(await row(1).locator('.ann-mark').count()).toBe(1);
    expect(await row(1).locator('.ann-mark').getAttribute('title')).toBe('wire send');
  });

  it('collapses and expands subtrees', async () => {
    await open();
    await row(1).locator('[data-testid=toggle]').click();
    expect(await rows().count()).toBe(3);
    expect(await row(1).locator('.hidden-count').textContent()).toBe('+2');
    await row(1).locator('[data-testid=toggle]').click();
    expect(await rows().count()).toBe(5);
    await page.click('[data-testid=collapse-all]');
    expect(await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-row')))).toEqual(['0', '1', '4']);
    await page.click('[data-testid=expand-all]');
    expect(await rows().count()).toBe(5);
  });

  it('shows tags, annotations, endpoints, ids, kind and shared in the detail panel', async () => {
    await open();
    await row(2).click();
    const detail = page.locator('[data-testid=span-detail]');
    await detail.waitFor();
    expect(await detail.locator('.detail-badges').textContent()).toContain('SERVER');
    expect(await detail.locator('.detail-badges').textContent()).toContain('shared');
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('Span ID0000000000000002');
    expect(text).toContain('Parent ID0000000000000001');
    expect(text).toContain(`Trace ID${ID}`);
    expect(await detail.locator('.endpoint').first().textContent()).toBe('LocalServicepaymentIPv410.0.0.2Port9000');

    await row(3).click();
    expect(await detail.locator('[data-testid=tags] tr').allTextContents()).toEqual(['db.statementselect * from cards', 'errortimeout']);
    expect(await detail.locator('.endpoint').nth(1).textContent()).toBe('RemoteServicemysqlIPv410.0.0.9Port3306');
    expect(await detail.locator('.detail-badges').textContent()).toContain('error');

    await row(1).click();
    expect(await detail.locator('[data-testid=annotations] td').nth(1).textContent()).toBe('wire send');
    await page.keyboard.press('Escape');
    expect(await detail.count()).toBe(0);
  });

  it("corrects clock skew by zipkin's rule, marks it, and can switch it off", async () => {
    await open();
    const toggle = page.locator('[data-testid=skew-toggle]');
    expect(await toggle.isChecked()).toBe(true);
    // The payment host (server + its child) is shifted; frontend spans are not.
    expect(await page.locator('[data-testid=span-row]:has([data-testid=skew-mark])').evaluateAll((els) => els.map((e) => e.getAttribute('data-row')))).toEqual(['2', '3']);
    await row(2).click();
    const start = page.locator('[data-testid=span-detail] .kv dd').first();
    // latency = (50ms - 40ms) / 2, so the server starts 5ms after its client, which starts at +10ms.
    expect(await start.textContent()).toMatch(/^\+15ms · /);
    const barLeft = async (): Promise<string> => row(2).locator('.span-bar').evaluate((e) => (e as HTMLElement).style.left);
    const corrected = await barLeft();

    await toggle.uncheck({ force: true });
    expect(await page.locator('[data-testid=skew-mark]').count()).toBe(0);
    // Uncorrected, the server is the earliest span: 5s before the root.
    expect(await start.textContent()).toMatch(/^\+0μs · /);
    expect(await barLeft()).not.toBe(corrected);
    expect(await barLeft()).toBe('0%');
  });

  it('highlights spans matching the find box and walks through them', async () => {
    await open();
    await page.keyboard.press('/');
    await page.keyboard.type('mysql');
    expect(await page.locator('[data-testid=find-count]').textContent()).toBe('1 match');
    expect(await page.locator('[data-testid=span-row].match').evaluateAll((els) => els.map((e) => e.getAttribute('data-row')))).toEqual(['3']);
    expect(await page.locator('[data-testid=span-row].dim').count()).toBe(4);
    await page.keyboard.press('Enter');
    expect(await page.locator('[data-testid=find-count]').textContent()).toBe('1 of 1 match');
    expect(await row(3).getAttribute('aria-selected')).toBe('true');

    await page.fill('[data-testid=find]', 'frontend');
    expect(await page.locator('[data-testid=span-row].match').evaluateAll((els) => els.map((e) => e.getAttribute('data-row')))).toEqual(['0', '1', '4']);
    // A match inside a collapsed subtree is revealed when reached.
    await page.click('[data-testid=collapse-all]');
    await page.fill('[data-testid=find]', 'timeout');
    await page.locator('[data-testid=find]').press('Enter');
    expect(await row(3).getAttribute('aria-selected')).toBe('true');
  });

  it('highlights the critical path', async () => {
    await open();
    expect(await page.locator('[data-testid=critical-segment]').count()).toBe(0);
    await page.locator('[data-testid=critical-toggle]').check({ force: true });
    // The root's own time: before the payment call, between it and render, and after render.
    expect(await row(0).locator('[data-testid=critical-segment]').count()).toBe(3);
    expect(await row(4).locator('[data-testid=critical-segment]').count()).toBe(1);
    await page.locator('[data-testid=critical-toggle]').uncheck({ force: true });
    expect(await page.locator('[data-testid=critical-segment]').count()).toBe(0);
  });

  it('downloads the trace as JSON', async () => {
    await open();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
    expect(download.suggestedFilename()).toBe(`trace-${ID}.json`);
    const spans = JSON.parse(await readFile((await download.path())!, 'utf8')) as Array<{ id: string; traceId: string }>;
    expect(spans).toHaveLength(5);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([ID]));
  });

  it('navigates the tree with the keyboard', async () => {
    await open();
    await page.locator('[data-testid=timeline]').focus();
    await page.keyboard.press('ArrowDown');
    expect(await row(0).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('j');
    expect(await row(1).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    expect(await rows().count()).toBe(3);
    await page.keyboard.press('ArrowRight');
    expect(await rows().count()).toBe(5);
    await page.keyboard.press('ArrowRight');
    expect(await row(2).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await row(1).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid=span-detail]').count()).toBe(0);
  });

  it('zooms the timeline to a range dragged on the mini-map', async () => {
    await open();
    const box = (await page.locator('[data-testid=minimap]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + 20, { steps: 4 });
    await page.mouse.up();
    await page.waitForSelector('[data-testid=reset-zoom]');
    expect(await page.locator('.ruler-tick').first().textContent()).not.toBe('0μs');
    await page.click('[data-testid=reset-zoom]');
    expect(await page.locator('[data-testid=reset-zoom]').count()).toBe(0);
    expect(await page.locator('.ruler-tick').first().textContent()).toBe('0μs');
  });

  it('says when a trace does not exist', async () => {
    await page.goto(`${server.url}/zipkin/traces/00000000000000000000000000abcdef`);
    await page.waitForSelector('[data-testid=state-error]');
    expect(await page.locator('[data-testid=state-error] h2').textContent()).toBe('Trace not found');
  });

  it('keeps a 10,000-span trace to a window of DOM rows (virtualized)', async () => {
    await page.goto(`${server.url}/zipkin/traces/${largeId}`);
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('[data-testid=span-count]').textContent()).toBe('10000');
    expect(await rows().count()).toBeLessThan(120);
    await page.locator('[data-testid=timeline]').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      el.dispatchEvent(new Event('scroll'));
    });
    await page.waitForSelector('[data-testid=span-row][data-row="9999"]');
    expect(await rows().count()).toBeLessThan(120);
    await page.click('[data-testid=collapse-all]');
    const collapsed = await rows().count();
    expect(collapsed).toBeLessThan(120);
    await page.click('[data-testid=expand-all]');
    await page.locator('[data-testid=timeline]').evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    await page.waitForSelector('[data-testid=span-row][data-row="0"]');
    // The last span is far below the fold; finding it scrolls it into the DOM window.
    await page.fill('[data-testid=find]', lastSpanId);
    await page.locator('[data-testid=find]').press('Enter');
    expect(await page.locator('[data-testid=find-count]').textContent()).toMatch(/^1 of \d+ match/);
    expect(await page.locator('[data-testid=span-row][aria-selected=true] .span-name').textContent()).toBe(lastSpanName);
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });
});
