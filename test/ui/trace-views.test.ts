import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { generateLargeTrace } from '../../src/demo/trace-generator.js';
import type { Span } from '../../src/model/span.js';
import { checkoutTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

const ID = '463ac35c9f6413ad48485a3953bb6124';
/** The timeline's own bound (trace.test.ts): fewer than 120 rows in the DOM whatever the trace size. */
const MAX_ROWS = 120;
/** Elements under one view: the timeline of the 10,000-span trace stays under this too (checked). */
const MAX_ELEMENTS = 2500;

describe('trace page views: statistics, graph, flame graph', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  let large: Span[];

  beforeAll(async () => {
    server = await startUiServer();
    browser = await launchBrowser();
    await server.post(checkoutTrace(Date.now() * 1000 - 60_000_000, ID));
    large = generateLargeTrace(10_000, { seed: 5 });
    await server.post(large);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const cells = async (): Promise<string[][]> =>
    page.locator('[data-testid=stats-row]').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));
  const elementsUnder = (sel: string): Promise<number> => page.locator(sel).evaluate((el) => el.querySelectorAll('*').length);

  it('the statistics table has count, total, self time and errors per service and operation, sortable', async () => {
    await page.goto(`${server.url}/zipkin/traces/${ID}?view=stats`);
    await page.waitForSelector('[data-testid=stats-row]');
    // Self times by hand: checkout 100 - (10..60 ∪ 70..90) = 30ms; client pay 50 - 40 = 10ms; server pay 40 - 20 = 20ms.
    expect(await cells()).toEqual([
      ['frontend', 'get /checkout', '1', '100ms', '100ms', '100ms', '30ms', '0'],
      ['frontend', 'render', '1', '20ms', '20ms', '20ms', '20ms', '0'],
      ['payment', 'post /pay', '1', '40ms', '40ms', '40ms', '20ms', '0'],
      ['payment', 'select cards', '1', '20ms', '20ms', '20ms', '20ms', '1'],
      ['frontend', 'post /pay', '1', '50ms', '50ms', '50ms', '10ms', '0'],
    ]);
    await page.click('[data-testid=stats-sort-errors]');
    expect((await cells())[0]![1]).toBe('select cards');
    await page.click('[data-testid=stats-sort-total]');
    expect((await cells()).map((c) => c[3])).toEqual(['100ms', '50ms', '40ms', '20ms', '20ms']);
    await page.click('[data-testid=stats-sort-total]');
    expect((await cells()).map((c) => c[3])).toEqual(['20ms', '20ms', '40ms', '50ms', '100ms']);
    // A row leads to those spans in the timeline.
    await page.locator('[data-testid=stats-row]', { hasText: 'select cards' }).click();
    await page.waitForSelector('[data-testid=span-row].match');
    expect(await page.locator('[data-testid=find]').inputValue()).toBe('select cards');
    expect(new URL(page.url()).searchParams.get('view')).toBeNull();
  });

  it('the graph collapses the call tree by service and operation with counts and time', async () => {
    await page.goto(`${server.url}/zipkin/traces/${ID}`);
    await page.click('[data-testid=view-tab-graph]');
    await page.waitForSelector('[data-testid=graph-node]');
    expect(new URL(page.url()).searchParams.get('view')).toBe('graph');
    expect(await page.locator('[data-testid=graph-node] .graph-name').allTextContents()).toEqual(['get /checkout', 'post /pay', 'post /pay', 'select cards', 'render']);
    expect(await page.locator('[data-testid=graph-time]').first().textContent()).toBe('100ms · self 30ms');
    await page.locator('[data-testid=graph-node][data-node="1"] [data-testid=graph-toggle]').click();
    expect(await page.locator('[data-testid=graph-node]').count()).toBe(3);
    // Back returns to the timeline: each view is a history entry.
    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.has('view'));
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('[data-testid=view-tab-timeline]').getAttribute('aria-selected')).toBe('true');
    await page.goForward();
    await page.waitForSelector('[data-testid=graph-node]');
  });

  it('the flame graph draws the call stack by time and focuses a box on click', async () => {
    await page.goto(`${server.url}/zipkin/traces/${ID}?view=flame`);
    await page.waitForSelector('[data-testid=flame-box]');
    expect(await page.locator('[data-testid=flame-box]').count()).toBe(5);
    const width = async (node: number): Promise<number> =>
      Number(await page.locator(`[data-testid=flame-box][data-node="${node}"] rect`).getAttribute('width'));
    const root = await width(0);
    // post /pay (50ms) is half the root (100ms); render (20ms) a fifth (each box is drawn 1px narrower).
    expect((await width(1)) + 1).toBeCloseTo((root + 1) / 2, 0);
    expect((await width(4)) + 1).toBeCloseTo((root + 1) / 5, 0);
    await page.locator('[data-testid=flame-box][data-node="1"]').click({ position: { x: 5, y: 5 } });
    await page.waitForSelector('[data-testid=flame-reset]');
    expect(await page.locator('[data-testid=flame-box]').count()).toBe(3);
    expect(await width(1)).toBeCloseTo(root, 0);
    await page.click('[data-testid=flame-reset]');
    expect(await page.locator('[data-testid=flame-box]').count()).toBe(5);
  });

  it('a shared link opens exactly the view and the span it names', async () => {
    await page.goto(`${server.url}/zipkin/traces/${ID}`);
    await page.waitForSelector('[data-testid=span-row]');
    await page.locator('[data-testid=span-row][data-row="2"]').click();
    await page.waitForURL((u) => u.searchParams.get('span') === '0000000000000002.2');
    const shared = page.url();
    const other = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await other.goto(shared);
    await other.waitForSelector('[data-testid=span-detail]');
    expect(await other.locator('[data-testid=span-row][aria-selected=true]').getAttribute('data-row')).toBe('2');
    expect(await other.locator('[data-testid=span-detail] .detail-badges').textContent()).toContain('SERVER');
    // A span inside a collapsed subtree of the large trace: opened, revealed and scrolled into view.
    const last = [...large].sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0))[0]!;
    await other.goto(`${server.url}/zipkin/traces/${large[0]!.traceId}?span=${last.id}`);
    await other.waitForSelector('[data-testid=span-detail]');
    expect(await other.locator('[data-testid=span-row][aria-selected=true] .span-name').textContent()).toBe(last.name);
    await other.close();
  });

  it('keeps every view of a 10,000-span trace within the timeline DOM bounds, with the right counts', async () => {
    const id = large[0]!.traceId;
    await page.goto(`${server.url}/zipkin/traces/${id}`);
    await page.waitForSelector('[data-testid=span-row]');
    expect(await elementsUnder('[data-testid=trace-view]')).toBeLessThan(MAX_ELEMENTS);

    await page.click('[data-testid=view-tab-stats]');
    await page.waitForSelector('[data-testid=stats-row]');
    expect(await page.locator('[data-testid=stats-row]').count()).toBeLessThan(MAX_ROWS);
    expect(await elementsUnder('[data-testid=trace-view]')).toBeLessThan(MAX_ELEMENTS);
    // Counted here from the raw spans (merging zipkin's shared client+server halves is the model's job:
    // this trace has none, so every span is one row).
    const byOp = new Map<string, { count: number; errors: number }>();
    for (const s of large) {
      const k = `${s.localEndpoint?.serviceName}\u0000${s.name}`;
      const e = byOp.get(k) ?? { count: 0, errors: 0 };
      e.count++;
      if (s.tags?.error !== undefined) e.errors++;
      byOp.set(k, e);
    }
    await page.click('[data-testid=stats-sort-count]');
    const top = (await cells())[0]!;
    const want = [...byOp.entries()].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]))[0]!;
    expect(`${top[0]}\u0000${top[1]}`).toBe(want[0]);
    expect(Number(top[2])).toBe(want[1].count);
    expect(Number(top[7])).toBe(want[1].errors);
    expect(await page.locator('.view-foot').textContent()).toContain(`${byOp.size} operations`);

    await page.click('[data-testid=view-tab-graph]');
    await page.waitForSelector('[data-testid=graph-node]');
    expect(await page.locator('[data-testid=graph-node]').count()).toBeLessThan(MAX_ROWS);
    expect(await elementsUnder('[data-testid=trace-view]')).toBeLessThan(MAX_ELEMENTS);
    await page.locator('.graph-scroll-list').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      el.dispatchEvent(new Event('scroll'));
    });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=graph-node]:last-child')?.getAttribute('data-node')) > 100);
    expect(await page.locator('[data-testid=graph-node]').count()).toBeLessThan(MAX_ROWS);
    expect(await page.locator('[data-testid=graph-node][data-node="0"] [data-testid=graph-count]').count()).toBe(0);

    await page.click('[data-testid=view-tab-flame]');
    await page.waitForSelector('[data-testid=flame-box]');
    expect(await elementsUnder('[data-testid=trace-view]')).toBeLessThan(MAX_ELEMENTS);
    expect(await page.locator('[data-testid=flame-box][data-node="0"] title').textContent()).toMatch(/^[^\n]+\n1 spans · total /);
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });
});
