import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Provider from 'oidc-provider';
import type { Browser } from 'playwright-core';
import { createToken } from '../../src/server/auth/tokens.js';
import { launchBrowser, startUiServer, watchPage, type UiServer } from '../ui/ui-harness.js';

/**
 * OpenID Connect sign-in in Chromium against a real provider (oidc-provider, run here with its
 * development login pages): Skein's sign-in page links to it, the code flow with PKCE comes back to
 * OIDC_REDIRECT_URL, and the session cookie then opens the UI. A callback not started in this browser is
 * refused.
 */
const dir = mkdtempSync(join(tmpdir(), 'skein-oidc-'));
const file = join(dir, 'tokens');
let idp: Server;
let skein: UiServer;
let browser: Browser;
let issuer: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  createToken(file, 'ingest', 'collector');
  const skeinPort = await freePort();
  const redirect = `http://127.0.0.1:${skeinPort}/zipkin/signin/oidc/callback`;
  idp = createServer();
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'skein', client_secret: 'skein-secret', redirect_uris: [redirect], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email'] },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: `${sub}@example.com` }) }),
  });
  idp.on('request', provider.callback());
  skein = await startUiServer({
    QUERY_PORT: String(skeinPort),
    AUTH_TOKENS_FILE: file,
    OIDC_ISSUER_URL: issuer,
    OIDC_CLIENT_ID: 'skein',
    OIDC_CLIENT_SECRET: 'skein-secret',
    OIDC_REDIRECT_URL: redirect,
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await skein?.close();
  idp?.close();
});

describe('OIDC sign-in', () => {
  it('signs in through the provider and opens the UI with a read session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(`${skein.url}/zipkin/dependency`);
    expect(new URL(page.url()).pathname).toBe('/zipkin/signin');
    await page.click('#oidc');
    await page.waitForURL(`${issuer}/**`);
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'anything');
    await page.click('button[type=submit]');
    // The development consent page, when the provider shows one.
    const consent = page.locator('button[type=submit]');
    await page.waitForURL((u) => u.href.startsWith(skein.url) || u.pathname.includes('interaction'));
    if (!page.url().startsWith(skein.url)) await consent.click();
    await page.waitForURL(`${skein.url}/zipkin/dependency`);
    const cookies = await context.cookies(skein.url);
    const session = cookies.find((c) => c.name === 'skein_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const api = await page.request.get(`${skein.url}/api/v2/services`);
    expect(api.status()).toBe(200);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('refuses a callback this browser did not start (login CSRF)', async () => {
    const res = await fetch(`${skein.url}/zipkin/signin/oidc/callback?code=stolen&state=forged`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/not started in this browser/);
  });
});
