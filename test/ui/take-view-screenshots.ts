/**
 * Screenshots of the trace views, Services, compare and search-more in light, dark and at 420 px, for a
 * human to look at (not a test):   npx tsx test/ui/take-view-screenshots.ts [outDir]
 */
import { generateLargeTrace, generateTraces } from '../../src/demo/trace-generator.js';
import { launchBrowser, startUiServer, watchPage } from './ui-harness.js';

const out = process.argv[2] ?? '/tmp/ui-view-shots';
const server = await startUiServer();
const browser = await launchBrowser();
try {
  const traces = generateTraces({ traces: 150, seed: 11 });
  for (const t of traces) await server.post(t);
  const large = generateLargeTrace(10_000, { seed: 3 });
  await server.post(large);
  const mid = [...traces].sort((a, b) => b.length - a.length)[5]!;
  const sameRoot = traces.filter((t) => t[0]!.name === mid[0]!.name && t !== mid);
  const other = sameRoot[0] ?? traces[1]!;
  const service = mid[0]!.localEndpoint?.serviceName ?? '';
  const modes = [
    { name: 'light', colorScheme: 'light' as const, width: 1440, height: 900 },
    { name: 'dark', colorScheme: 'dark' as const, width: 1440, height: 900 },
    { name: '420', colorScheme: 'light' as const, width: 420, height: 860 },
  ];
  for (const m of modes) {
    const ctx = await browser.newContext({ viewport: { width: m.width, height: m.height }, colorScheme: m.colorScheme });
    const page = await ctx.newPage();
    const seen = watchPage(page);
    const shot = async (name: string, sel: string): Promise<void> => {
      await page.waitForSelector(sel);
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${out}/${name}-${m.name}.png` });
    };
    const t = `${server.url}/zipkin/traces/${mid[0]!.traceId}`;
    await page.goto(`${t}?view=stats`);
    await shot('trace-stats', '[data-testid=stats-row]');
    await page.goto(`${t}?view=graph`);
    await shot('trace-graph', '[data-testid=graph-node]');
    await page.goto(`${t}?view=flame`);
    await shot('trace-flame', '[data-testid=flame-box]');
    await page.goto(`${server.url}/zipkin/traces/${large[0]!.traceId}?view=flame`);
    await shot('trace-flame-large', '[data-testid=flame-box]');
    await page.goto(`${t}?span=${mid[3]!.id}`);
    await shot('trace-span-link', '[data-testid=span-detail]');
    await page.goto(`${server.url}/zipkin/traces/${large[0]!.traceId}`);
    await page.waitForSelector('[data-testid=span-row]');
    await page.locator('[data-testid=critical-toggle]').check({ force: true });
    await shot('trace-large-critical', '[data-testid=span-row].on-critical');
    await page.goto(`${server.url}/zipkin/services?service=${encodeURIComponent(service)}&lookback=1h`);
    await shot('services', '[data-testid=ops-row]');
    await page.goto(`${server.url}/zipkin/compare?a=${mid[0]!.traceId}&b=${other[0]!.traceId}`);
    await shot('compare', '[data-testid=diff-row]');
    await page.goto(`${server.url}/zipkin/?lookback=1h&limit=5`);
    await shot('search-more', '[data-testid=more-matched]');
    await page.goto(`${server.url}/zipkin/?lookback=range`);
    await shot('search-invalid', '[data-testid=state-error]');
    if (seen.errors.length) console.error('page errors:', seen.errors);
    await ctx.close();
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.close();
}
