import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkoutTrace, singleSpanTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

const NOW = Date.now() * 1000;

/** A zipkin v1 RPC: one span id carrying both the client (frontend) and server (backend) sides. */
const V1_TRACE = [
  {
    traceId: '5af7183fb1d4cf5f',
    id: '6b221d5bc9e6496c',
    name: 'get /users',
    timestamp: NOW,
    duration: 20_000,
    annotations: [
      { timestamp: NOW, value: 'cs', endpoint: { serviceName: 'frontend', ipv4: '10.1.0.1' } },
      { timestamp: NOW + 2_000, value: 'sr', endpoint: { serviceName: 'backend', ipv4: '10.1.0.2' } },
      { timestamp: NOW + 17_000, value: 'ss', endpoint: { serviceName: 'backend', ipv4: '10.1.0.2' } },
      { timestamp: NOW + 20_000, value: 'cr', endpoint: { serviceName: 'frontend', ipv4: '10.1.0.1' } },
    ],
    binaryAnnotations: [{ key: 'http.path', value: '/users', endpoint: { serviceName: 'backend', ipv4: '10.1.0.2' } }],
  },
];

describe('trace viewer', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  const posts: string[] = [];

  beforeAll(async () => {
    server = await startUiServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
    page.on('request', (r) => {
      if (r.method() !== 'GET') posts.push(`${r.method()} ${r.url()}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const upload = async (name: string, content: unknown): Promise<void> => {
    await page.goto(`${server.url}/zipkin/traceViewer`);
    await page.locator('[data-testid=trace-file]').setInputFiles({
      name,
      mimeType: 'application/json',
      buffer: Buffer.from(typeof content === 'string' ? content : JSON.stringify(content)),
    });
  };
  const rows = () => page.locator('[data-testid=span-row]');

  it('opens a Zipkin v2 file without sending it anywhere', async () => {
    await upload('checkout.json', checkoutTrace(NOW, '463ac35c9f6413ad48485a3953bb6124'));
    await page.waitForSelector('[data-testid=span-row]');
    expect(await page.locator('[data-testid=span-count]').textContent()).toBe('5');
    expect(await rows().locator('.span-name').allTextContents()).toEqual(['get /checkout', 'post /pay', 'post /pay', 'select cards', 'render']);
    expect(await page.locator('.dropzone-title').textContent()).toBe('Viewing checkout.json');
    // The same trace tools work on a file: skew correction is on and marks the payment host.
    expect(await page.locator('[data-testid=skew-mark]').count()).toBe(2);
    expect(posts).toEqual([]);
    // Nothing was stored on the server either.
    const stored = (await (await fetch(`${server.url}/api/v2/services`)).json()) as string[];
    expect(stored).toEqual([]);
  });

  it('converts a Zipkin v1 file: the client and server sides of one span id become two spans', async () => {
    await upload('v1.json', V1_TRACE);
    await page.waitForSelector('[data-testid=span-row]');
    expect(await rows().locator('.svc-tag').allTextContents()).toEqual(['frontend', 'backend']);
    await rows().nth(1).click();
    const detail = page.locator('[data-testid=span-detail]');
    expect(await detail.locator('.detail-badges').textContent()).toContain('SERVER');
    expect(await detail.locator('.detail-badges').textContent()).toContain('shared');
    expect(await detail.locator('[data-testid=tags] tr').allTextContents()).toEqual(['http.path/users']);
    expect(await detail.locator('.kv dd').nth(1).textContent()).toBe('15ms');
  });

  it('lists the traces of a multi-trace file and opens the chosen one', async () => {
    await upload('two.json', [singleSpanTrace(NOW, 'aaaa00000000000000000000000000a1', 'alpha', 'one', 1000), singleSpanTrace(NOW, 'bbbb00000000000000000000000000b2', 'beta', 'two', 2000)]);
    await page.waitForSelector('.trace-chooser');
    expect(await page.locator('.trace-chooser li').count()).toBe(2);
    await page.locator('.trace-chooser button', { hasText: 'beta' }).click();
    await page.waitForSelector('[data-testid=span-row]');
    expect(await rows().locator('.svc-tag').allTextContents()).toEqual(['beta']);
  });

  it('explains a file it cannot read', async () => {
    await upload('broken.json', '{"not": "a list"');
    await page.waitForSelector('[data-testid=state-error]');
    expect(await page.locator('[data-testid=state-error] h2').textContent()).toBe('Could not read this file');
    expect(await page.locator('[data-testid=state-error] p').textContent()).toContain('This file is not JSON');
    await upload('object.json', { spans: [] });
    await page.waitForSelector('[data-testid=state-error]');
    expect(await page.locator('[data-testid=state-error] p').textContent()).toContain('Expected a JSON array of spans');
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });
});
