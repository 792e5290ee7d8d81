/**
 * Screenshots of the pages the QA fixes touched (narrow layout, traces without timestamps, long
 * dependency edges, Lens links, OTLP files), for a human to look at (not a test):
 *   npx tsx test/ui/take-qa-screenshots.ts [outDir]
 */
import { generateTraces } from '../../src/demo/trace-generator.js';
import type { Span } from '../../src/model/span.js';
import { checkoutTrace } from './fixtures.js';
import { launchBrowser, startUiServer, watchPage } from './ui-harness.js';

const out = process.argv[2] ?? '/tmp/ui-shots2';
const server = await startUiServer({ AUTOCOMPLETE_KEYS: 'http.method' });
const browser = await launchBrowser();
try {
  const now = Date.now() * 1000;
  for (const t of generateTraces({ traces: 60, seed: 7 })) await server.post(t);
  const checkout = checkoutTrace(now - 60_000_000);
  await server.post(checkout);
  const untimed: Span[] = [
    { traceId: 'abcabcabcabcabc1', id: '0000000000000001', name: 'get /untimed', kind: 'SERVER', localEndpoint: { serviceName: 'legacy' } },
    { traceId: 'abcabcabcabcabc1', parentId: '0000000000000001', id: '0000000000000002', name: 'query', kind: 'CLIENT', duration: 300, localEndpoint: { serviceName: 'legacy' } },
  ];
  const otlp = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otel-cart' } }] },
        scopeSpans: [
          {
            spans: [
              { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'GET /cart', kind: 2, startTimeUnixNano: `${now}000`, endTimeUnixNano: `${now + 150_000}000` },
              { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b175', parentSpanId: 'eee19b7ec3c1b174', name: 'SELECT', kind: 3, startTimeUnixNano: `${now + 20_000}000`, endTimeUnixNano: `${now + 90_000}000`, attributes: [{ key: 'db.name', value: { stringValue: 'carts' } }] },
            ],
          },
        ],
      },
    ],
  };

  for (const [w, h, theme] of [[1440, 900, 'light'], [420, 860, 'light'], [420, 860, 'dark']] as const) {
    const ctx = await browser.newContext({ viewport: { width: w, height: h }, colorScheme: theme });
    const page = await ctx.newPage();
    const seen = watchPage(page);
    const shot = async (name: string): Promise<void> => {
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${out}/${name}-${w}${theme === 'dark' ? '-dark' : ''}.png` });
    };
    await page.goto(`${server.url}/zipkin/?serviceName=frontend&lookback=30m&endTs=${Date.now()}&limit=5`);
    await page.waitForSelector('[data-testid=result-row], [data-testid=state-error], [data-testid=state-empty]');
    await shot('search-lens-30m');
    await page.locator('[data-testid=trace-jump]').fill('xyz-not-hex');
    await page.locator('[data-testid=trace-jump]').press('Enter');
    await shot('trace-jump-error');
    await page.goto(`${server.url}/zipkin/traces/${checkout[0]!.traceId}`);
    await page.waitForSelector('[data-testid=span-row]');
    await shot('trace');
    await page.goto(`${server.url}/zipkin/dependency?startTime=${Date.now() - 86_400_000}&endTime=${Date.now()}`);
    await page.waitForSelector('[data-testid=dep-node]');
    await shot('dependencies-lens');
    await page.goto(`${server.url}/zipkin/traceViewer`);
    await page.locator('[data-testid=trace-file]').setInputFiles({ name: 'untimed.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(untimed)) });
    await page.waitForSelector('[data-testid=span-row]');
    await shot('trace-untimed');
    await page.locator('[data-testid=trace-file]').setInputFiles({ name: 'otlp.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(otlp)) });
    await page.waitForSelector('[data-testid=span-row]');
    await shot('trace-viewer-otlp');
    if (seen.errors.length) console.error('page errors:', seen.errors);
    await ctx.close();
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.close();
}
