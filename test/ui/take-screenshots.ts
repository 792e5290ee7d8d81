/**
 * Screenshots of every page with demo data, for a human to look at (not a test):
 *   npx tsx test/ui/take-screenshots.ts [outDir]
 */
import { generateLargeTrace, generateTraces } from '../../src/demo/trace-generator.js';
import { buildSpanTree } from '../../src/model/span-node.js';
import { correctClockSkew } from '../../src/model/clock-skew.js';
import { launchBrowser, startUiServer, watchPage } from './ui-harness.js';

const out = process.argv[2] ?? '/tmp/ui-shots';
const server = await startUiServer();
const browser = await launchBrowser();
try {
  const traces = generateTraces({ traces: 120, seed: 7 });
  for (const t of traces) await server.post(t);
  const large = generateLargeTrace(10_000, { seed: 3 });
  await server.post(large);
  const big = [...traces].sort((a, b) => b.length - a.length)[3]!;
  const skewed =
    traces.find((t) => t.length > 15 && t.length < 80 && t.some((s) => s.tags?.error !== undefined) && correctClockSkew(buildSpanTree(t)).adjusted.size > 0) ??
    traces.find((t) => t.length > 15 && correctClockSkew(buildSpanTree(t)).adjusted.size > 0) ??
    big;

  for (const theme of ['light', 'dark'] as const) {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
    const page = await ctx.newPage();
    const seen = watchPage(page);
    const shot = async (name: string): Promise<void> => {
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${out}/${name}-${theme}.png` });
    };
    await page.goto(`${server.url}/zipkin/`);
    await shot('search-empty');
    await page.goto(`${server.url}/zipkin/?lookback=1h&limit=25`);
    await page.waitForSelector('[data-testid=result-row]');
    await shot('search-results');
    await page.goto(`${server.url}/zipkin/traces/${skewed[0]!.traceId}`);
    await page.waitForSelector('[data-testid=span-row]');
    await page.locator('[data-testid=span-row]').nth(3).click();
    await shot('trace');
    await page.locator('[data-testid=critical-toggle]').check({ force: true });
    await page.locator('[data-testid=find]').fill('mysql');
    await shot('trace-critical-find');
    await page.goto(`${server.url}/zipkin/traces/${large[0]!.traceId}`);
    await page.waitForSelector('[data-testid=span-row]');
    await shot('trace-large');
    await page.goto(`${server.url}/zipkin/dependency?lookback=1d`);
    await page.waitForSelector('[data-testid=dep-node]');
    await shot('dependencies');
    await page.locator('[data-testid=dep-node]').nth(2).click();
    await shot('dependencies-selected');
    await page.goto(`${server.url}/zipkin/traceViewer`);
    await shot('trace-viewer');
    await page.locator('[data-testid=trace-file]').setInputFiles({ name: 'trace.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(skewed)) });
    await page.waitForSelector('[data-testid=span-row]');
    const adjusted = [...correctClockSkew(buildSpanTree(skewed)).adjusted][0] ?? '';
    await page.fill('[data-testid=find]', adjusted);
    await page.locator('[data-testid=find]').press('Enter');
    await shot('trace-viewer-loaded');
    await page.route('**/zipkin/api/v2/**', (r) => r.abort('connectionrefused'));
    await page.goto(`${server.url}/zipkin/?serviceName=frontend`);
    await page.waitForSelector('[data-testid=state-error]');
    await shot('server-down');
    await page.unroute('**/zipkin/api/v2/**');
    await page.goto(`${server.url}/zipkin/traces/ffffffffffffffff`);
    await page.waitForSelector('[data-testid=state-error]');
    await shot('trace-not-found');
    if (seen.errors.length) console.error('page errors:', seen.errors);
    await ctx.close();
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.close();
}
