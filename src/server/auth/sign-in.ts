import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { grants, type TokenVerifier } from './tokens.js';
import type { FailureLimiter, Sessions, Session } from './sessions.js';

export const SESSION_COOKIE = 'skein_session';
export const SIGN_IN_PATH = '/zipkin/signin';
export const SIGN_OUT_PATH = '/zipkin/signout';

export interface SignIn {
  sessions: Sessions;
  limiter: FailureLimiter;
  /** Under TLS the cookie is Secure. */
  secure: boolean;
  /** When OIDC_ISSUER_URL is set: the sign-in page links to the provider. */
  oidc?: boolean;
}

/** The Set-Cookie value starting session `id`. */
export function sessionCookie(id: string, signIn: SignIn): string {
  const maxAge = Math.floor(signIn.sessions.ttlMs / 1000);
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${signIn.secure ? '; Secure' : ''}`;
}

/** The session a request's cookie names, if it is live. */
export function sessionOf(req: FastifyRequest, signIn: SignIn): Session | undefined {
  return signIn.sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));
}

/**
 * A request a browser sent from another site, by the Fetch Metadata and Origin headers browsers set.
 * Cookie-authenticated requests that change something are refused when so (CSRF), on top of
 * SameSite=Strict, which already keeps the cookie off cross-site requests.
 */
export function crossSite(req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/**
 * The UI's sign-in: GET shows a form (no script, so it works under the CSP), POST takes a token with the
 * read (or admin) role and sets an HttpOnly, SameSite=Strict session cookie (Secure under TLS). Failed
 * attempts are limited per client address (429 with Retry-After); a cross-site POST is refused (login CSRF).
 */
export function registerSignIn(app: FastifyInstance, verifier: TokenVerifier, signIn: SignIn): void {
  app.get(SIGN_IN_PATH, async (req, reply) => page(reply, 200, nextOf(req.query as Record<string, string>), undefined, signIn.oidc));
  app.post(SIGN_IN_PATH, async (req, reply) => {
    const form = new URLSearchParams(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
    const next = safeNext(form.get('next'));
    if (crossSite(req)) return reply.code(403).type('text/plain; charset=utf-8').send('sign-in from another site refused\n');
    const wait = signIn.limiter.retryAfter(req.ip);
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      return page(reply, 429, next, `Too many failed sign-ins from your address: try again in ${wait} s.`);
    }
    const auth = verifier.verifyToken(form.get('token')?.trim() ?? '');
    if (auth.kind !== 'token' || !grants(auth.role, 'read')) {
      signIn.limiter.fail(req.ip);
      const why = auth.kind === 'token' ? `token "${auth.name}" has role ${auth.role}; the UI needs read` : 'That token is not valid.';
      return page(reply, 401, next, why, signIn.oidc);
    }
    const id = signIn.sessions.create(auth.role, auth.name, auth.hash);
    return reply.header('Set-Cookie', sessionCookie(id, signIn)).redirect(next, 303);
  });
  app.post(SIGN_OUT_PATH, async (req, reply) => {
    if (crossSite(req)) return reply.code(403).send();
    signIn.sessions.end(cookieValue(req.headers.cookie, SESSION_COOKIE));
    return reply
      .header('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${signIn.secure ? '; Secure' : ''}`)
      .redirect(SIGN_IN_PATH, 303);
  });
}

/** Where a browser asking for a page without a session is sent. */
export function signInRedirect(url: string): string {
  return `${SIGN_IN_PATH}?next=${encodeURIComponent(safeNext(url))}`;
}

/** Only a path on this site: an open redirect would let a link sign someone in and send them elsewhere. */
function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/zipkin/';
  return next;
}

function nextOf(query: Record<string, string>): string {
  return safeNext(query['next']);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(reply: FastifyReply, status: number, next: string, error?: string, oidc = false): FastifyReply {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>Sign in · Skein</title>
<style>body{font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh}
form{display:grid;gap:.6rem;min-width:22rem}input{padding:.4rem;font:inherit}.error{color:#c0392b}</style></head>
<body><form method="post" action="${SIGN_IN_PATH}"><h1>Skein</h1>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<label for="token">Access token (role read or admin)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escape(next)}">
<button type="submit">Sign in</button>
${oidc ? `<p><a id="oidc" href="/zipkin/signin/oidc?next=${encodeURIComponent(next)}">Sign in with OpenID Connect</a></p>` : ''}</form></body></html>
`;
  return reply.code(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(html);
}
