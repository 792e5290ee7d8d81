import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Span } from '../../src/model/span.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from './ui-harness.js';

/** One trace: `from` serves a request and calls `to` (an uninstrumented remote), failing when `error`. */
function call(n: number, from: string, to: string, error: boolean, nowUs: number): Span[] {
  const traceId = `${(0xa000 + n).toString(16)}000000000000${(0xb000 + n).toString(16)}`;
  const client: Span = {
    traceId,
    parentId: '00000000000000a1',
    id: '00000000000000b2',
    kind: 'CLIENT',
    name: `call ${to}`,
    timestamp: nowUs - 60_000_000 + n,
    duration: 1000,
    localEndpoint: { serviceName: from },
    remoteEndpoint: { serviceName: to },
  };
  if (error) client.tags = { error: 'boom' };
  return [
    { traceId, id: '00000000000000a1', kind: 'SERVER', name: 'serve', timestamp: nowUs - 60_000_000 + n, duration: 5000, localEndpoint: { serviceName: from } },
    client,
  ];
}

describe('dependencies page', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    // Explicit thresholds, so the colours below follow config.json and not a hard-coded default.
    server = await startUiServer({ ZIPKIN_UI_DEPENDENCY_LOW_ERROR_RATE: '0.4', ZIPKIN_UI_DEPENDENCY_HIGH_ERROR_RATE: '0.7' });
    browser = await launchBrowser();
    const now = Date.now() * 1000;
    let n = 0;
    // frontend -> backend: 4 calls, 3 errors (75%: high); frontend -> auth: 2 calls, 1 error (50%: low);
    // backend -> mysql: 2 calls, no errors.
    for (const e of [true, true, true, false]) await server.post(call(n++, 'frontend', 'backend', e, now));
    for (const e of [true, false]) await server.post(call(n++, 'frontend', 'auth', e, now));
    for (const e of [false, false]) await server.post(call(n++, 'backend', 'mysql', e, now));
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const edges = async (): Promise<Record<string, string>> => {
    const list = await page
      .locator('[data-testid=dep-edge]')
      .evaluateAll((els) => els.map((e) => [e.querySelector('title')?.textContent ?? '', e.getAttribute('data-rate') ?? '']));
    return Object.fromEntries(list);
  };

  it('draws every service and link with call counts and error-rate colours from config', async () => {
    await page.goto(`${server.url}/zipkin/dependency`);
    await page.waitForSelector('[data-testid=dep-node]');
    const names = await page.locator('[data-testid=dep-node]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    expect(new Set(names)).toEqual(new Set(['frontend', 'backend', 'auth', 'mysql']));
    expect(await edges()).toEqual({
      'frontend → backend: 4 calls, 3 errors': 'high',
      'frontend → auth: 2 calls, 1 errors': 'low',
      'backend → mysql: 2 calls, 0 errors': 'ok',
    });
    // Callers are laid out left of their callees.
    const x = async (name: string): Promise<number> => (await page.locator(`[data-testid=dep-node][data-name="${name}"]`).boundingBox())!.x;
    expect(await x('frontend')).toBeLessThan(await x('backend'));
    expect(await x('backend')).toBeLessThan(await x('mysql'));
  });

  it('shows callers and callees of a clicked service', async () => {
    await page.goto(`${server.url}/zipkin/dependency`);
    await page.locator('[data-testid=dep-node][data-name=backend]').click();
    const panel = page.locator('[data-testid=service-panel]');
    await panel.waitFor();
    expect(await panel.locator('.detail-name').textContent()).toBe('backend');
    expect(await panel.locator('[data-testid=callers] tbody tr').allTextContents()).toEqual(['frontend43 (75%)']);
    expect(await panel.locator('[data-testid=callees] tbody tr').allTextContents()).toEqual(['mysql20']);
    // Unrelated nodes fade; a caller in the panel selects that service.
    expect(await page.locator('[data-testid=dep-node][data-name=auth]').getAttribute('class')).toContain('faded');
    await panel.locator('[data-testid=callers] button').click();
    expect(await panel.locator('.detail-name').textContent()).toBe('frontend');
    // Keyboard: Enter on a focused node selects it too.
    await page.locator('[data-testid=dep-node][data-name=mysql]').focus();
    await page.keyboard.press('Enter');
    expect(await panel.locator('.detail-name').textContent()).toBe('mysql');
  });

  it('reloads for another time range and says when it is empty', async () => {
    await page.goto(`${server.url}/zipkin/dependency?lookback=1h`);
    await page.waitForSelector('[data-testid=dep-node]');
    expect(await page.locator('#dep-lookback').inputValue()).toBe('1h');
    // A window ending a day ago holds none of the traces just sent.
    const dayAgo = Date.now() - 86_400_000;
    await page.goto(`${server.url}/zipkin/dependency?lookback=1h&endTs=${dayAgo}`);
    await page.waitForSelector('[data-testid=state-empty]');
    expect(await page.locator('[data-testid=state-empty] h2').textContent()).toBe('No dependencies in this window');
    // Back to a window ending now, with a longer range.
    await page.selectOption('#dep-lookback', '2d');
    await page.getByRole('button', { name: 'Now' }).click();
    await page.waitForSelector('[data-testid=dep-node]');
    expect(new URL(page.url()).searchParams.get('lookback')).toBe('2d');
    expect(new URL(page.url()).searchParams.get('endTs')).toBeNull();
  });

  it('raised no page errors', () => {
    expect(seen.errors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });
});
