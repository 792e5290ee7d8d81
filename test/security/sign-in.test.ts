import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { createToken } from '../../src/server/auth/tokens.js';
import { checkoutTrace } from '../ui/fixtures.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from '../ui/ui-harness.js';

/**
 * The UI's sign-in in Chromium (issue 15 section 2): a browser without a session is sent to the form,
 * a wrong token is refused, a read token gets an HttpOnly SameSite=Strict cookie and the UI then works
 * (its API fetches carry the cookie), cross-site POSTs are refused, failed attempts are rate-limited.
 */
const dir = mkdtempSync(join(tmpdir(), 'skein-signin-'));
const file = join(dir, 'tokens');
const TRACE = '463ac35c9f6413ad48485a3953bb6124';
let server: UiServer;
let browser: Browser;
let context: BrowserContext;
let read: string;
let ingest: string;

beforeAll(async () => {
  read = createToken(file, 'read', 'viewer');
  ingest = createToken(file, 'ingest', 'collector');
  server = await startUiServer({ AUTH_TOKENS_FILE: file });
  const res = await fetch(`${server.url}/api/v2/spans`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ingest}` },
    body: JSON.stringify(checkoutTrace(Date.now() * 1000 - 60_000_000, TRACE)),
  });
  expect(res.status).toBe(202);
  browser = await launchBrowser();
  context = await browser.newContext();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const signInPost = (body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/zipkin/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
  });

describe('UI sign-in', () => {
  it('sends a browser to the form, refuses a wrong or ingest token, signs in with a read token', async () => {
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(`${server.url}/zipkin/traces/${TRACE}`);
    expect(new URL(page.url()).pathname).toBe('/zipkin/signin');
    await page.fill('#token', 'skein_not-a-token');
    await page.click('button[type=submit]');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/not valid/);
    await page.fill('#token', ingest);
    await page.click('button[type=submit]');
    expect(await page.getByRole('alert').textContent()).toMatch(/role ingest; the UI needs read/);
    await page.fill('#token', read);
    await page.click('button[type=submit]');
    await page.waitForURL(`**/zipkin/traces/${TRACE}`);
    await page.getByText('frontend').first().waitFor();
    expect(seen.errors).toEqual([]);

    const [cookie] = await context.cookies(server.url);
    expect(cookie).toMatchObject({ name: 'skein_session', httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
    expect(cookie!.value).not.toContain(read);
    // The page's own script cannot read it (HttpOnly).
    expect(await page.evaluate(() => document.cookie)).toBe('');
    // Its API calls carry it: the search page lists the services.
    await page.goto(`${server.url}/zipkin/?serviceName=frontend&lookback=1h`);
    await page.waitForSelector('[data-testid=result-row]');
  });

  it('a session cookie is refused on cross-site changes and cannot ingest', async () => {
    const [cookie] = await context.cookies(server.url);
    const header = { cookie: `skein_session=${cookie!.value}` };
    expect((await fetch(`${server.url}/api/v2/services`, { headers: header })).status).toBe(200);
    const transform = (extra: Record<string, string>) =>
      fetch(`${server.url}/api/transform`, { method: 'POST', headers: { ...header, ...extra }, body: '{}' });
    expect((await transform({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await transform({ origin: 'https://evil.example' })).status).toBe(403);
    const ingestWithCookie = await fetch(`${server.url}/api/v2/spans`, {
      method: 'POST',
      headers: { ...header, 'content-type': 'application/json' },
      body: '[]',
    });
    expect(ingestWithCookie.status).toBe(403);
  });

  it('refuses a sign-in POST from another site (login CSRF) and never redirects off-site', async () => {
    expect((await signInPost({ token: read }, { origin: 'https://evil.example' })).status).toBe(403);
    const res = await signInPost({ token: read, next: '//evil.example/' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/zipkin/');
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('rate-limits failed sign-ins per address with 429 and Retry-After', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) last = await signInPost({ token: `wrong-${i}` });
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right token waits: the limit is checked before the token.
    expect((await signInPost({ token: read })).status).toBe(429);
  });

  it('signing out ends the session', async () => {
    const page = await context.newPage();
    const [cookie] = await context.cookies(server.url);
    const res = await page.request.post(`${server.url}/zipkin/signout`, { maxRedirects: 0 });
    expect(res.status()).toBe(303);
    const after = await fetch(`${server.url}/api/v2/services`, { headers: { cookie: `skein_session=${cookie!.value}` } });
    expect(after.status).toBe(401);
  });
});
