import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunningSkein } from '../../src/server/skein-server.js';
import { startTestServer } from '../support/server.js';
import { checkoutTrace } from '../ui/fixtures.js';
import { ensureUiBuilt, launchBrowser, watchPage } from '../ui/ui-harness.js';

/**
 * A real chromium opens Skein's UI from JAEGER_QUERY_PORT through the links a Jaeger user has bookmarked
 * or that Grafana builds (Jaeger UI routes /search, /trace/{id}, /dependencies), and lands on the matching
 * Skein page showing the stored trace. Everything, assets included, is loaded from the Jaeger port.
 */
const ID = '463ac35c9f6413ad48485a3953bb6124';
const START_US = Date.now() * 1000 - 60_000_000;
/** A consumer trace whose span links (OTLP) to span 3 of the checkout trace, as a queue consumer does. */
const LINKED = '5000000000000000000000000000cccc';

function otlpLinkedTrace(): unknown {
  const ns = (us: number) => String(BigInt(us) * 1000n);
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'mailer' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: LINKED,
                spanId: '000000000000000a',
                name: 'send receipt',
                kind: 5,
                startTimeUnixNano: ns(START_US + 10_000_000),
                endTimeUnixNano: ns(START_US + 10_005_000),
                links: [
                  {
                    traceId: ID,
                    spanId: '0000000000000003',
                    attributes: [{ key: 'link.reason', value: { stringValue: 'receipt for order' } }],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('Jaeger UI deep links on JAEGER_QUERY_PORT', () => {
  let server: RunningSkein;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;
  let jaeger: string;

  beforeAll(async () => {
    await ensureUiBuilt();
    server = await startTestServer();
    jaeger = `http://127.0.0.1:${server.listeners['jaeger-query']}`;
    const res = await fetch(`${server.url}/api/v2/spans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(checkoutTrace(START_US, ID)),
    });
    expect(res.status).toBe(202);
    const otlp = await fetch(`http://127.0.0.1:${server.listeners['otlp-http']}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(otlpLinkedTrace()),
    });
    expect(otlp.status).toBe(200);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    seen = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const loadedFrom = () => {
    const u = new URL(page.url());
    return `${u.protocol}//${u.host}`;
  };

  it('/search with Jaeger search parameters opens the search page with the results', async () => {
    const start = START_US - 600_000_000;
    const end = START_US + 600_000_000;
    await page.goto(`${jaeger}/search?service=payment&start=${start}&end=${end}&limit=20&lookback=custom`);
    await page.waitForSelector('[data-testid=result-row]');
    expect(loadedFrom()).toBe(jaeger);
    expect(new URL(page.url()).pathname).toBe('/zipkin/');
    expect(new URL(page.url()).searchParams.get('serviceName')).toBe('payment');
    const ids = await page
      .locator('[data-testid=result-row]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-trace-id')));
    expect(ids).toEqual([ID]);
  });

  it('/trace/{id} (any case, with uiFind) opens the trace with its spans', async () => {
    await page.goto(`${jaeger}/trace/${ID.toUpperCase()}?uiFind=pay`);
    await page.waitForSelector('[data-testid=span-row]');
    expect(loadedFrom()).toBe(jaeger);
    expect(new URL(page.url()).pathname).toBe(`/zipkin/traces/${ID}`);
    expect(await page.locator('[data-testid=span-count]').textContent()).toBe('5');
    expect(await page.locator('[data-testid=span-row] .svc-tag').allTextContents()).toEqual(
      expect.arrayContaining(['frontend', 'payment']),
    );
  });

  it('/trace/{id} of a trace with an OTLP span link shows the link and follows it', async () => {
    await page.goto(`${jaeger}/trace/${LINKED}`);
    await page.waitForSelector('[data-testid=span-row]');
    expect(loadedFrom()).toBe(jaeger);
    expect(await page.locator('[data-testid=link-mark]').allTextContents()).toEqual(['↪1']);
    await page.locator('[data-testid=span-row][data-row="0"]').click();
    expect(await page.locator('[data-testid=span-link] th').textContent()).toBe('link');
    expect(await page.locator('[data-testid=span-link] .link-tag').textContent()).toBe('link.reason=receipt for order');
    expect(await page.locator('[data-testid=span-link-target]').getAttribute('href')).toBe(
      `/zipkin/traces/${ID}?span=0000000000000003`,
    );
    await page.click('[data-testid=span-link-target]');
    await page.waitForURL((u) => u.pathname.endsWith(ID));
    expect(loadedFrom()).toBe(jaeger);
    await page.waitForSelector('[data-testid=span-detail]');
    expect(await page.locator('[data-testid=span-detail] .detail-name').textContent()).toBe('select cards');
  });

  it('/dependencies opens the dependency graph with the services of the stored trace', async () => {
    await page.goto(`${jaeger}/dependencies`);
    await page.waitForSelector('[data-testid=dep-node]');
    expect(loadedFrom()).toBe(jaeger);
    expect(new URL(page.url()).pathname).toBe('/zipkin/dependency');
    const nodes = await page
      .locator('[data-testid=dep-node]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    // The same links Jaeger's /api/dependencies gives for the stored trace (frontend -> payment -> mysql).
    const deps = (await (
      await fetch(`${jaeger}/api/dependencies?endTs=${Date.now()}&lookback=86400000`)
    ).json()) as {
      data: Array<{ parent: string; child: string }>;
    };
    expect(deps.data.length).toBeGreaterThan(0);
    expect(nodes.sort()).toEqual([...new Set(deps.data.flatMap((d) => [d.parent, d.child]))].sort());
    expect(nodes).toEqual(expect.arrayContaining(['frontend', 'payment']));
    expect(await page.locator('[data-testid=dep-edge]').count()).toBe(deps.data.length);
  });

  it('raised no page errors or dialogs', () => {
    expect(seen.errors).toEqual([]);
    expect(seen.dialogs).toEqual([]);
  });
});
