import * as oidc from 'openid-client';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { ConfigError } from '../config-error.js';
import { cookieValue, sessionCookie, type SignIn } from './sign-in.js';
import type { Role } from './tokens.js';

/** OIDC_*: the provider, this client, where the provider sends browsers back, and the role granted. */
export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  redirectUrl: URL;
  role: Extract<Role, 'read' | 'admin'>;
}

export const OIDC_START_PATH = '/zipkin/signin/oidc';
export const OIDC_CALLBACK_PATH = '/zipkin/signin/oidc/callback';
const STATE_COOKIE = 'skein_oidc';
const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 10_000;

/** null when OIDC_ISSUER_URL is empty; otherwise every OIDC setting checked, the key named. */
export function parseOidcSettings(raw: Record<string, string>): OidcSettings | null {
  const issuer = raw['OIDC_ISSUER_URL']!.trim();
  if (issuer === '') return null;
  const url = (key: string) => {
    try {
      return new URL(raw[key]!.trim());
    } catch {
      throw new ConfigError(`${key}: expected an absolute URL, got "${raw[key]}"`);
    }
  };
  const issuerUrl = url('OIDC_ISSUER_URL');
  if (issuerUrl.protocol !== 'https:' && !isLoopback(issuerUrl.hostname))
    throw new ConfigError('OIDC_ISSUER_URL: must be https:// (plain http only for a provider on this host)');
  const redirectUrl = url('OIDC_REDIRECT_URL');
  if (redirectUrl.pathname !== OIDC_CALLBACK_PATH)
    throw new ConfigError(`OIDC_REDIRECT_URL: its path must be ${OIDC_CALLBACK_PATH}, got ${redirectUrl.pathname}`);
  const clientId = raw['OIDC_CLIENT_ID']!.trim();
  if (clientId === '') throw new ConfigError('OIDC_CLIENT_ID: needed with OIDC_ISSUER_URL');
  const role = raw['OIDC_ROLE']!.trim();
  if (role !== 'read' && role !== 'admin') throw new ConfigError(`OIDC_ROLE: read or admin, got "${role}"`);
  return { issuer: issuerUrl, clientId, clientSecret: raw['OIDC_CLIENT_SECRET']!, redirectUrl, role };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

interface Pending {
  verifier: string;
  nonce: string;
  next: string;
  expiresAt: number;
}

/**
 * OpenID Connect sign-in (authorization code flow with PKCE, state and nonce, via openid-client): the
 * sign-in page links to OIDC_START_PATH, which sends the browser to the provider; the provider sends it
 * back to OIDC_REDIRECT_URL, where the code is exchanged and the ID token checked, and a session with
 * OIDC_ROLE starts. The state is also kept in a short cookie (SameSite=Lax: the return is a cross-site
 * navigation), so an authorization response started in another browser is refused (login CSRF). The
 * provider's metadata is discovered at the first sign-in, so Skein starts while the provider is down.
 */
export function registerOidcSignIn(app: FastifyInstance, settings: OidcSettings, signIn: SignIn, logger: Logger): void {
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () =>
    (discovered ??= oidc
      .discovery(settings.issuer, settings.clientId, settings.clientSecret, undefined,
        settings.issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined)
      .catch((e: unknown) => {
        discovered = undefined; // try again at the next sign-in
        throw e;
      }));
  const pending = new Map<string, Pending>();
  const secure = signIn.secure ? '; Secure' : '';

  app.get(OIDC_START_PATH, async (req, reply) => {
    let config: oidc.Configuration;
    try {
      config = await configuration();
    } catch (e) {
      logger.warn({ issuer: settings.issuer.href, err: (e as Error).message }, 'OIDC discovery failed');
      return failed(reply, 502, 'The sign-in provider cannot be reached; try again or sign in with a token.');
    }
    const state = oidc.randomState();
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const next = (req.query as Record<string, string>)['next'] ?? '/zipkin/';
    const now = Date.now();
    for (const [k, p] of pending) if (p.expiresAt <= now || pending.size >= MAX_PENDING) pending.delete(k);
    pending.set(state, { verifier, nonce, next: next.startsWith('/') && !next.startsWith('//') ? next : '/zipkin/', expiresAt: now + PENDING_TTL_MS });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: settings.redirectUrl.href,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return reply
      .header('Set-Cookie', `${STATE_COOKIE}=${state}; Path=${OIDC_CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age=600${secure}`)
      .redirect(url.href, 302);
  });

  app.get(OIDC_CALLBACK_PATH, async (req, reply) => {
    const q = req.url.indexOf('?');
    const current = new URL(settings.redirectUrl.href);
    current.search = q === -1 ? '' : req.url.slice(q);
    const state = current.searchParams.get('state') ?? '';
    const p = pending.get(state);
    pending.delete(state);
    reply.header('Set-Cookie', `${STATE_COOKIE}=; Path=${OIDC_CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age=0${secure}`);
    if (!p || p.expiresAt <= Date.now() || cookieValue(req.headers.cookie, STATE_COOKIE) !== state)
      return failed(reply, 400, 'This sign-in was not started in this browser, or it expired: start again.');
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(await configuration(), current, {
        pkceCodeVerifier: p.verifier,
        expectedState: state,
        expectedNonce: p.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (e) {
      logger.warn({ issuer: settings.issuer.href, err: (e as Error).message }, 'OIDC sign-in refused');
      return failed(reply, 401, 'The sign-in provider did not confirm this sign-in.');
    }
    const name = String(claims?.['email'] ?? claims?.sub ?? 'oidc');
    const id = signIn.sessions.create(settings.role, `oidc:${name}`);
    // A page, not a redirect: the navigation back from the provider is cross-site, and a SameSite=Strict
    // cookie is not sent on a redirect that continues it. The refresh is a same-site navigation.
    return reply
      .header('Set-Cookie', sessionCookie(id, signIn))
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${escapeAttr(p.next)}"><title>Signed in</title><a href="${escapeAttr(p.next)}">Continue</a>\n`);
  });
}

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function failed(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><meta charset="utf-8"><title>Sign-in failed</title><p role="alert">${message}</p><p><a href="/zipkin/signin">Back to sign-in</a></p>\n`);
}
