import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Span } from '../../src/model/span.js';
import { buildCallGraph } from '../../ui/src/model/call-graph.js';
import { compareGraphs, diffKind, flattenDiff } from '../../ui/src/model/compare-traces.js';
import { buildTraceModel, computeTiming } from '../../ui/src/model/trace-model.js';
import { checkoutTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

const A = '463ac35c9f6413ad48485a3953bb6124';
const B = '7000000000000000000000000000bbbb';

/** The checkout trace without "render", with an extra "audit" and a slower "select cards" (20 -> 35ms). */
function variant(startUs: number): Span[] {
  const spans = checkoutTrace(startUs, B).filter((s) => s.name !== 'render');
  for (const s of spans) if (s.name === 'select cards') s.duration = 35_000;
  spans.push({ traceId: B, parentId: '0000000000000001', id: '0000000000000009', name: 'audit', timestamp: startUs + 80_000, duration: 5_000, localEndpoint: { serviceName: 'frontend' } });
  return spans;
}

function graph(spans: Span[]) {
  const m = buildTraceModel(spans);
  return buildCallGraph(m, computeTiming(m, true));
}

describe('trace compare model', () => {
  it('matches nodes by service+operation path: only in A, only in B, and time changes', () => {
    const T = 1_700_000_000_000_000;
    const rows = flattenDiff(compareGraphs(graph(checkoutTrace(T, A)), graph(variant(T))));
    expect(rows.map((n) => [n.depth, n.service, n.name, diffKind(n), n.a?.total, n.b?.total])).toEqual([
      [0, 'frontend', 'get /checkout', 'both', 100_000, 100_000],
      [1, 'frontend', 'post /pay', 'both', 50_000, 50_000],
      [2, 'payment', 'post /pay', 'both', 40_000, 40_000],
      [3, 'payment', 'select cards', 'both', 20_000, 35_000],
      [1, 'frontend', 'render', 'only-a', 20_000, undefined],
      [1, 'frontend', 'audit', 'only-b', undefined, 5_000],
    ]);
  });
});

describe('trace compare page', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    server = await startUiServer();
    browser = await launchBrowser();
    const now = Date.now() * 1000;
    await server.post(checkoutTrace(now - 60_000_000, A));
    await server.post(variant(now - 30_000_000));
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows both trees merged with what is only in A, only in B and the duration change per node', async () => {
    await page.goto(`${server.url}/zipkin/traces/${A}`);
    await page.click('[data-testid=compare-with]');
    await page.waitForSelector('[data-testid=compare-a]');
    expect(await page.locator('[data-testid=compare-a]').inputValue()).toBe(A);
    await page.fill('[data-testid=compare-b]', B.toUpperCase());
    await page.click('[data-testid=compare-run]');
    await page.waitForSelector('[data-testid=diff-row]');
    expect(new URL(page.url()).searchParams.get('b')).toBe(B);
    const rows = await page.locator('[data-testid=diff-row]').evaluateAll((els) =>
      els.map((e) => [e.getAttribute('data-kind'), e.querySelector('.graph-name')?.textContent, e.querySelector('[data-testid=diff-delta]')?.textContent ?? '']),
    );
    expect(rows).toEqual([
      ['both', 'get /checkout', '±0μs (+0%)'],
      ['both', 'post /pay', '±0μs (+0%)'],
      ['both', 'post /pay', '±0μs (+0%)'],
      ['both', 'select cards', '+15ms (+75%)'],
      ['only-a', 'render', ''],
      ['only-b', 'audit', ''],
    ]);
    expect(await page.locator('[data-testid=diff-row][data-kind=only-a] [data-testid=diff-sides]').textContent()).toBe('A ×1 20ms · not in B');
  });

  it('refuses ids that are not trace ids, without a request', async () => {
    await page.goto(`${server.url}/zipkin/compare?a=${A}&b=${encodeURIComponent('<script>')}`);
    await page.waitForSelector('[data-testid=state-empty]');
    expect(await page.locator('[data-testid=diff-row]').count()).toBe(0);
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
  });
});
