import type { FastifyInstance } from 'fastify';
import { decide, type Need } from './access.js';
import { grants, type TokenVerifier } from './tokens.js';
import { crossSite, sessionOf, signInRedirect, type SignIn } from './sign-in.js';

export interface HttpAuth {
  verifier: TokenVerifier;
  need(method: string, path: string): Need;
  /** The UI's sign-in (QUERY_PORT and JAEGER_QUERY_PORT): session cookies count as credentials. */
  signIn?: SignIn;
}

/**
 * Checks every request of an app before its body is read (onRequest): 401 with a WWW-Authenticate
 * challenge for Bearer and Basic when there is no valid token, 403 when the token's role does not allow
 * it. Registered before the routes, so it covers routes added later by any plugin.
 */
export function registerHttpAuth(app: FastifyInstance, auth: HttpAuth): void {
  app.addHook('onRequest', async (req, reply) => {
    const q = req.url.indexOf('?');
    const path = q === -1 ? req.url : req.url.slice(0, q);
    const need = auth.need(req.method, path);
    const signIn = auth.signIn;
    const session = signIn && need !== 'open' && !req.headers.authorization ? sessionOf(req, signIn) : undefined;
    if (session && need !== 'open') {
      // A cookie is sent by the browser on its own: anything but a read from another site is CSRF.
      const reads = req.method === 'GET' || req.method === 'HEAD';
      if (!reads && crossSite(req)) return reply.code(403).type('text/plain; charset=utf-8').send('cross-site request refused\n');
      if (grants(session.role, need)) return;
    }
    const d = session
      ? ({ ok: false, status: 403, message: `signed in as "${session.name}" with role ${session.role}: that needs role ${need}` } as const)
      : decide(auth.verifier, req.headers.authorization, need);
    if (d.ok) return;
    // A browser opening a page without credentials is sent to the sign-in form instead of a bare 401.
    if (d.status === 401 && signIn && req.method === 'GET' && !req.headers.authorization && (req.headers.accept ?? '').includes('text/html'))
      return reply.redirect(signInRedirect(req.url), 302);
    // Only Bearer is challenged: a Basic challenge makes browsers pop their own password dialog on every
    // 401 the UI's fetches get. Basic credentials sent unasked are accepted all the same.
    if (d.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="skein"');
    // The body was not read: close the connection rather than leave the unread body in its stream.
    if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)
      reply.header('Connection', 'close');
    await reply.code(d.status).type('text/plain; charset=utf-8').send(`${d.message}\n`);
  });
}
