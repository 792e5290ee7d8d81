import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Span } from '../../src/model/span.js';
import { singleSpanTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

/** Nearest rank, computed here without Skein's code. */
function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(q * s.length)) - 1]!;
}

describe('Services page (RED metrics)', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  const a: Array<{ ms: number; error: boolean; id: string }> = [];
  const b: number[] = [5, 5, 5];

  beforeAll(async () => {
    server = await startUiServer();
    browser = await launchBrowser();
    const now = Date.now() * 1000;
    const spans: Span[] = [];
    for (let i = 1; i <= 10; i++) {
      const id = `a${String(i).padStart(31, '0')}`;
      a.push({ ms: i * 10, error: i === 3 || i === 7, id });
      spans.push(...singleSpanTrace(now - i * 60_000_000, id, 'api', 'get /a', i * 10_000, i === 3 || i === 7 ? { error: 'boom' } : undefined));
    }
    b.forEach((d, i) => spans.push(...singleSpanTrace(now - (i + 1) * 30_000_000, `b${String(i + 1).padStart(31, '0')}`, 'api', 'get /b', d * 1000)));
    // Client spans of another service are not this service's requests.
    spans.push(...singleSpanTrace(now - 5_000_000, `c${'0'.repeat(30)}1`, 'worker', 'poll', 1_000));
    await server.post(spans);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const rowCells = (op: string): Promise<string[]> => page.locator(`[data-testid=ops-row][data-op="${op}"] td`).allTextContents();
  const fmtMs = (v: number): string => `${v}ms`;

  it('shows requests, error rate and p50/p95/p99 per operation, matching values computed here', async () => {
    await page.goto(`${server.url}/zipkin/services?service=api&lookback=1h`);
    await page.waitForSelector('[data-testid=ops-row][data-op="get /a"]');
    const durA = a.map((x) => x.ms);
    const errA = a.filter((x) => x.error).length / a.length;
    const cellsA = await rowCells('get /a');
    expect(cellsA[1]).toMatch(/^10 \(/);
    expect(cellsA[2]).toBe(`${(errA * 100).toFixed(1)}%`);
    expect(cellsA.slice(3, 6)).toEqual([fmtMs(quantile(durA, 0.5)), fmtMs(quantile(durA, 0.95)), fmtMs(quantile(durA, 0.99))]);
    const cellsB = await rowCells('get /b');
    expect(cellsB.slice(1, 6)).toEqual([expect.stringMatching(/^3 \(/), '0.0%', '5ms', '5ms', '5ms']);
    const all = [...durA, ...b];
    const cellsAll = await rowCells('');
    expect(cellsAll[1]).toMatch(/^13 \(/);
    expect(cellsAll[2]).toBe(`${((2 / 13) * 100).toFixed(1)}%`);
    expect(cellsAll.slice(3, 6)).toEqual([fmtMs(quantile(all, 0.5)), fmtMs(quantile(all, 0.95)), fmtMs(quantile(all, 0.99))]);
  });

  it('charts rate, errors and latency over the range, for the service or one operation', async () => {
    await page.goto(`${server.url}/zipkin/services?service=api&lookback=1h`);
    await page.waitForSelector('[data-testid=chart-latency] [data-testid=chart-line] circle');
    // Each point is calls/s over the 2-minute step before it (1h / 30): the points add up to every span.
    const rates = await page.locator('[data-testid=chart-rate] circle').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(rates.reduce((x, y) => x + y, 0) * 120).toBeCloseTo(13, 6);
    expect(await page.locator('[data-testid=chart-latency] [data-testid=chart-line]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')))).toEqual(['p50', 'p95', 'p99']);
    await page.locator('[data-testid=ops-row][data-op="get /b"] button').click();
    await page.waitForURL((u) => u.searchParams.get('operation') === 'get /b');
    expect(await page.locator('[data-testid=chart-scope]').textContent()).toContain('get /b');
    // get /b's three spans, 30 s apart: the chart now adds up to 3 calls, none failed.
    await page.waitForFunction(
      () => Math.abs([...document.querySelectorAll('[data-testid=chart-rate] circle')].reduce((x, e) => x + Number(e.getAttribute('data-value')) * 120, 0) - 3) < 1e-6,
    );
    const errs = await page.locator('[data-testid=chart-errors] circle').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(errs.length).toBeGreaterThan(0);
    expect(errs.every((e) => e === 0)).toBe(true);
  });

  it('clicks through from an operation to its slowest and its failing traces', async () => {
    await page.goto(`${server.url}/zipkin/services?service=api&lookback=1h`);
    await page.waitForSelector('[data-testid=ops-row][data-op="get /a"]');
    await page.locator('[data-testid=ops-row][data-op="get /a"] [data-testid=slowest-link]').click();
    await page.waitForSelector('[data-testid=result-row]');
    expect(await page.locator('[data-testid=sort]').inputValue()).toBe('longest');
    const slowest = [...a].sort((x, y) => y.ms - x.ms).filter((x) => x.ms >= quantile(a.map((v) => v.ms), 0.95));
    expect(await page.locator('[data-testid=result-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id')))).toEqual(slowest.map((x) => x.id));

    await page.goBack();
    await page.waitForSelector('[data-testid=ops-row][data-op="get /a"]');
    await page.locator('[data-testid=ops-row][data-op="get /a"] [data-testid=failing-link]').click();
    await page.waitForSelector('[data-testid=result-row]');
    const failing = (await page.locator('[data-testid=result-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id')))).sort();
    expect(failing).toEqual(a.filter((x) => x.error).map((x) => x.id).sort());
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
  });
});
