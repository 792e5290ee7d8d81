import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Span } from '../../src/model/span.js';
import { checkoutTrace, singleSpanTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

const CHECKOUT = '463ac35c9f6413ad48485a3953bb6124';
/** Root returns after 10ms; its async child runs until 250ms: the trace lasts 250ms (Lens getMaxDuration). */
const ASYNC = '3000000000000000000000000000aaaa';
/** One 200ms span: longer than ASYNC's root, shorter than ASYNC. */
const SINGLE = '4000000000000000000000000000cccc';

function asyncTrace(startUs: number): Span[] {
  const ep = { serviceName: 'mailer' };
  return [
    { traceId: ASYNC, id: '000000000000000a', kind: 'SERVER', name: 'post /send', timestamp: startUs, duration: 10_000, localEndpoint: ep },
    { traceId: ASYNC, parentId: '000000000000000a', id: '000000000000000b', kind: 'PRODUCER', name: 'deliver', timestamp: startUs + 5_000, duration: 245_000, localEndpoint: ep },
  ];
}

describe('QA fixes in the browser', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  const nowMs = Date.now();

  beforeAll(async () => {
    server = await startUiServer({ AUTOCOMPLETE_KEYS: 'http.method,http.path' });
    browser = await launchBrowser();
    const now = nowMs * 1000;
    await server.post(checkoutTrace(now - 60_000_000, CHECKOUT));
    await server.post(asyncTrace(now - 90_000_000));
    await server.post(singleSpanTrace(now - 80_000_000, SINGLE, 'mailer', 'get /status', 200_000, { 'http.method': 'GET' }));
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const rowIds = async (): Promise<string[]> =>
    page.locator('[data-testid=result-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id') ?? ''));
  const selectedText = async (sel: string): Promise<string> =>
    page.locator(sel).evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent ?? '');

  it('runs a Lens link with lookback=30m and shows "Last 30 minutes"', async () => {
    await page.goto(`${server.url}/zipkin/?serviceName=frontend&lookback=30m&endTs=${Date.now()}&limit=5`);
    await page.waitForSelector('[data-testid=result-row], [data-testid=state-error]');
    expect(await rowIds()).toEqual([CHECKOUT]);
    expect(await page.locator('#lookback').inputValue()).toBe('30m');
    expect(await selectedText('#lookback')).toBe('Last 30 minutes');
  });

  it('runs Lens links with lookback=millis and lookback=range', async () => {
    await page.goto(`${server.url}/zipkin/?serviceName=frontend&lookback=millis&millis=5400000&endTs=${Date.now()}`);
    await page.waitForSelector('[data-testid=result-row], [data-testid=state-error]');
    expect(await rowIds()).toEqual([CHECKOUT]);
    expect(await selectedText('#lookback')).toBe('Last 90 minutes');

    // A range that ends before the checkout trace finds nothing; one around it finds it.
    const before = nowMs - 30 * 60_000;
    await page.goto(`${server.url}/zipkin/?serviceName=frontend&lookback=range&startTs=${before - 3_600_000}&endTs=${before}`);
    await page.waitForSelector('[data-testid=state-empty], [data-testid=result-row], [data-testid=state-error]');
    expect(await rowIds()).toEqual([]);
    expect(await page.locator('#lookback').inputValue()).toBe('range');
    expect(await page.locator('#startTs').count()).toBe(1);
    await page.goto(`${server.url}/zipkin/?serviceName=frontend&lookback=range&startTs=${nowMs - 3_600_000}&endTs=${Date.now()}`);
    await page.waitForSelector('[data-testid=result-row]');
    expect(await rowIds()).toEqual([CHECKOUT]);
  });

  it('opens a Lens dependency link (startTime/endTime)', async () => {
    const end = Date.now();
    await page.goto(`${server.url}/zipkin/dependency?startTime=${end - 7_200_000}&endTime=${end}`);
    await page.waitForSelector('[data-testid=dep-node]');
    expect(new Set(await page.locator('[data-testid=dep-node]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name'))))).toEqual(
      new Set(['frontend', 'payment', 'mysql']),
    );
    expect(await page.locator('#dep-lookback').inputValue()).toBe('2h');
    // A window that ends before the traces has no links.
    await page.goto(`${server.url}/zipkin/dependency?startTime=${end - 7_200_000}&endTime=${end - 3_600_000}`);
    await page.waitForSelector('[data-testid=state-empty]');
  });

  it('uses the covered interval as the trace duration: header, results and longest-first sort', async () => {
    await page.goto(`${server.url}/zipkin/?serviceName=mailer&lookback=1h`);
    await page.waitForSelector('[data-testid=result-row]');
    await page.selectOption('[data-testid=sort]', 'longest');
    expect(await rowIds()).toEqual([ASYNC, SINGLE]);
    expect(await page.locator('[data-testid=result-row]').first().locator('[data-testid=result-duration]').textContent()).toBe('250ms');
    await page.goto(`${server.url}/zipkin/traces/${ASYNC}`);
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('[data-testid=trace-duration]').textContent()).toBe('250ms');
  });

  it('says start and duration are unknown for a trace without timestamps, and draws no bars', async () => {
    const untimed = [
      { traceId: 'abcabcabcabcabc1', id: '0000000000000001', name: 'get /old', kind: 'SERVER', localEndpoint: { serviceName: 'legacy' } },
      { traceId: 'abcabcabcabcabc1', parentId: '0000000000000001', id: '0000000000000002', name: 'query', duration: 300, localEndpoint: { serviceName: 'legacy' } },
    ];
    await page.goto(`${server.url}/zipkin/traceViewer`);
    await page.locator('[data-testid=trace-file]').setInputFiles({ name: 'old.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(untimed)) });
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('[data-testid=trace-started]').textContent()).toBe('unknown');
    expect(await page.locator('[data-testid=trace-duration]').textContent()).toBe('unknown');
    expect(await page.locator('[data-testid=no-timing]').count()).toBe(1);
    expect(await page.locator('.span-bar').count()).toBe(0);
    expect(await page.locator('.ruler-tick').count()).toBe(0);
    expect(await page.locator('.trace-view').textContent()).not.toContain('1970');
    expect(await page.locator('[data-testid=span-row]').nth(1).textContent()).toContain('no timestamp · 300μs');
  });

  it('opens OTLP/JSON and Jaeger JSON files in the trace viewer', async () => {
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otel-cart' } }] },
          scopeSpans: [
            {
              spans: [
                { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'GET /cart', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000150000000' },
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b175',
                  parentSpanId: 'eee19b7ec3c1b174',
                  name: 'SELECT',
                  kind: 3,
                  startTimeUnixNano: '1700000000020000000',
                  endTimeUnixNano: '1700000000090000000',
                  attributes: [{ key: 'db.name', value: { stringValue: 'carts' } }],
                },
              ],
            },
          ],
        },
      ],
    };
    await page.goto(`${server.url}/zipkin/traceViewer`);
    await page.locator('[data-testid=trace-file]').setInputFiles({ name: 'otlp.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(otlp)) });
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('.span-name').allTextContents()).toEqual(['get /cart', 'select']);
    expect(await page.locator('[data-testid=trace-duration]').textContent()).toBe('150ms');
    await page.locator('[data-testid=span-row]').nth(1).click();
    expect(await page.locator('.span-detail').textContent()).toContain('carts');

    const jaeger = {
      data: [
        {
          traceID: 'd269b633813fc60c',
          spans: [
            { traceID: 'd269b633813fc60c', spanID: '1a2b3c4d5e6f7081', operationName: 'HTTP GET', references: [], startTime: 1_700_000_000_000_000, duration: 20_000, tags: [{ key: 'span.kind', type: 'string', value: 'server' }], logs: [], processID: 'p1' },
            {
              traceID: 'd269b633813fc60c',
              spanID: '2a2b3c4d5e6f7081',
              operationName: 'redis GET',
              references: [{ refType: 'CHILD_OF', traceID: 'd269b633813fc60c', spanID: '1a2b3c4d5e6f7081' }],
              startTime: 1_700_000_000_002_000,
              duration: 5_000,
              tags: [{ key: 'error', type: 'bool', value: true }],
              logs: [],
              processID: 'p2',
            },
          ],
          processes: { p1: { serviceName: 'web', tags: [] }, p2: { serviceName: 'cache', tags: [] } },
        },
      ],
    };
    await page.locator('[data-testid=trace-file]').setInputFiles({ name: 'jaeger.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(jaeger)) });
    await page.waitForFunction(() => document.querySelectorAll('.span-name')[0]?.textContent === 'http get');
    expect(await page.locator('.svc-tag').allTextContents()).toEqual(['web', 'cache']);
    expect(await page.locator('[data-testid=span-row]').nth(1).getAttribute('aria-level')).toBe('2');
    expect(await page.locator('[data-testid=span-row].error').count()).toBe(1);
  });

  it('shows markup in converted OTLP and Jaeger files as text', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: evil } }] },
          scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: '<script>alert(2)</script>', kind: 3, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000', attributes: [{ key: 'peer.service', value: { stringValue: evil } }] }] }],
        },
      ],
    };
    await page.goto(`${server.url}/zipkin/traceViewer`);
    await page.locator('[data-testid=trace-file]').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(otlp)) });
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('.svc-tag').allTextContents()).toEqual([evil]);
    expect(await page.locator('.span-name').allTextContents()).toEqual(['<script>alert(2)</script>']);
    await page.locator('[data-testid=span-row]').first().click();
    expect(await page.locator('.span-detail').textContent()).toContain(evil);
    expect(await page.locator('main img, main script').count()).toBe(0);
  });

  it('Tab leaves the tags box without taking a suggestion; Enter and → take one', async () => {
    await page.goto(`${server.url}/zipkin/`);
    await page.click('[data-testid=tag-query]');
    await page.keyboard.type('http.m');
    await page.waitForSelector('[data-testid=tag-suggestions]');
    await page.keyboard.press('Tab');
    expect(await page.locator('[data-testid=tag-query]').inputValue()).toBe('http.m');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('minDuration');

    await page.click('[data-testid=tag-query]');
    await page.waitForSelector('[data-testid=tag-suggestions]');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('[data-testid=tag-query]').inputValue()).toBe('http.method=');
    await page.keyboard.type('G');
    await page.waitForSelector('[data-testid=tag-suggestions] li:text-is("GET")');
    await page.keyboard.press('Enter');
    expect(await page.locator('[data-testid=tag-query]').inputValue()).toBe('http.method=GET');
  });

  it('says why a trace id is refused', async () => {
    await page.goto(`${server.url}/zipkin/`);
    await page.fill('[data-testid=trace-jump]', 'xyz123');
    await page.press('[data-testid=trace-jump]', 'Enter');
    expect(await page.locator('[data-testid=trace-jump-error]').textContent()).toContain('"x" is not a hex digit');
    expect(new URL(page.url()).pathname).toBe('/zipkin/');
    await page.fill('[data-testid=trace-jump]', 'a'.repeat(40));
    expect(await page.locator('[data-testid=trace-jump-error]').count()).toBe(0);
    await page.press('[data-testid=trace-jump]', 'Enter');
    expect(await page.locator('[data-testid=trace-jump-error]').textContent()).toContain('at most 32');
  });

  it('fits a 420px screen: header controls visible, timeline labels apart', async () => {
    const narrow = await browser.newPage({ viewport: { width: 420, height: 860 } });
    const narrowSeen = watchPage(narrow);
    try {
      await narrow.goto(`${server.url}/zipkin/traces/${CHECKOUT}`);
      await narrow.waitForSelector('[data-testid=span-row]');
      for (const sel of ['[data-testid=trace-jump]', '[data-testid=theme-toggle]', '.app-nav a:last-child']) {
        const box = (await narrow.locator(sel).boundingBox())!;
        expect(box.x, sel).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, sel).toBeLessThanOrEqual(420);
      }
      const boxes = await narrow.locator('.ruler-tick, .minimap-ticks span').evaluateAll((els) =>
        els.map((e) => {
          const r = e.getBoundingClientRect();
          return { l: r.left, r: r.right, t: Math.round(r.top), parent: e.parentElement?.className ?? '' };
        }),
      );
      expect(boxes.length).toBeGreaterThanOrEqual(4);
      for (const a of boxes) {
        expect(a.r).toBeLessThanOrEqual(420);
        for (const b of boxes) if (a !== b && a.parent === b.parent) expect(a.r <= b.l || b.r <= a.l, `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(true);
      }
      // Duration labels stay out of the span-name column.
      const nameRight = await narrow.locator('.span-name-cell').first().evaluate((e) => e.getBoundingClientRect().right);
      for (const l of await narrow.locator('.bar-label').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().left))) {
        expect(l).toBeGreaterThanOrEqual(nameRight);
      }
      expect(narrowSeen.errors).toEqual([]);
    } finally {
      await narrow.close();
    }
  });

  it('serves a production build of the UI (the tests build ui/dist under NODE_ENV=test)', () => {
    const assets = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'ui', 'dist', 'assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(js.length).toBeGreaterThan(0);
    // A message only React's development build carries.
    for (const f of js) expect(readFileSync(join(assets, f), 'utf8').includes('Check the render method of'), `${f} is a development build`).toBe(false);
  });

  it('raised no page errors or dialogs', () => {
    expect(seen.errors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });
});
