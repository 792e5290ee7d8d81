import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { checkoutTrace } from '../ui/fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from '../ui/ui-harness.js';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from '../support/server.js';
import { inlineScriptHashes } from '../../src/query/security-headers.js';

const TRACE = '463ac35c9f6413ad48485a3953bb6124';

/**
 * Security headers (issue 15 section 3) on the UI, the query APIs and the collectors, and the built UI
 * working in Chromium under its Content-Security-Policy with no violation reported.
 */
describe('security headers', () => {
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let violations: string[];
  let seen: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    server = await startUiServer();
    await server.post(checkoutTrace(Date.now() * 1000 - 60_000_000, TRACE));
    browser = await launchBrowser();
    page = await browser.newPage();
    seen = watchPage(page);
    violations = [];
    // Both the DOM event and Chromium's console line, so a blocked script or fetch cannot pass unseen.
    await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { reportViolation(v: string): void }).reportViolation(
          `${e.violatedDirective} ${e.blockedURI}`,
        );
      });
    });
    page.on('console', (m) => {
      if (m.text().includes('Content Security Policy')) violations.push(m.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each([
    ['GET', '/zipkin/'],
    ['GET', '/zipkin/traces/' + TRACE],
    ['GET', '/api/v2/services'],
    ['GET', '/api/v2/trace/' + TRACE],
    ['GET', '/prometheus'],
    ['POST', '/api/v2/spans'],
    ['POST', '/v1/traces'],
  ])('%s %s carries the headers', async (method, path) => {
    const init: RequestInit = { method };
    if (method === 'POST') Object.assign(init, { body: '[]', headers: { 'content-type': 'application/json' } });
    const res = await fetch(`${server.url}${path}`, init);
    expect(res.status).toBeLessThan(500);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('CORS keeps zipkin\'s default of any origin', async () => {
    const res = await fetch(`${server.url}/api/v2/services`, { headers: { origin: 'https://example.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('the built UI runs under its CSP: search, trace page, dependencies, no violation', async () => {
    await page.goto(`${server.url}/zipkin/?serviceName=frontend&lookback=1h`);
    await page.waitForSelector('[data-testid=result-row]');
    await page.goto(`${server.url}/zipkin/traces/${TRACE}`);
    await page.getByText('frontend').first().waitFor();
    await page.goto(`${server.url}/zipkin/dependency`);
    await page.waitForLoadState('networkidle');
    expect(violations).toEqual([]);
    expect(seen.errors).toEqual([]);
  });

  it('an inline script is refused by the policy (the check can fail)', async () => {
    const blocked = await browser.newPage();
    const msgs: string[] = [];
    blocked.on('console', (m) => msgs.push(m.text()));
    await blocked.goto(`${server.url}/zipkin/`);
    const ran = await blocked.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    await blocked.close();
  });

  it('hashes inline scripts for pages that need one', () => {
    const html = '<script src="/a.js"></script><script>var a = 1;</script>';
    const want = createHash('sha256').update('var a = 1;').digest('base64');
    expect(inlineScriptHashes(html)).toEqual([`sha256-${want}`]);
  });
});

describe('the Jaeger UI (JAEGER_UI_DIR) under the CSP', () => {
  it('runs its inline configuration script, allowed by hash, and nothing else inline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skein-jaeger-ui-'));
    mkdirSync(join(dir, 'static'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><html><head><script>window.__configRan = true;</script></head><body>jaeger</body></html>',
    );
    const server = await startTestServer({ JAEGER_UI_DIR: dir });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const res = await page.goto(`http://127.0.0.1:${server.listeners['jaeger-query']}/search`);
      expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
      expect(await page.evaluate(() => (window as unknown as { __configRan?: boolean }).__configRan)).toBe(true);
      const injected = await page.evaluate(async () => {
        const s = document.createElement('script');
        s.textContent = 'window.__other = true';
        document.head.appendChild(s);
        await new Promise((r) => setTimeout(r, 50));
        return (window as unknown as { __other?: boolean }).__other === true;
      });
      expect(injected).toBe(false);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
