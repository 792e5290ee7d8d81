import type { FastifyInstance } from 'fastify';
import { decide, type Need } from './access.js';
import type { TokenVerifier } from './tokens.js';

export interface HttpAuth {
  verifier: TokenVerifier;
  need(method: string, path: string): Need;
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
    const d = decide(auth.verifier, req.headers.authorization, auth.need(req.method, path));
    if (d.ok) return;
    if (d.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="skein", Basic realm="skein"');
    // The body was not read: close the connection rather than leave the unread body in its stream.
    if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined)
      reply.header('Connection', 'close');
    await reply.code(d.status).type('text/plain; charset=utf-8').send(`${d.message}\n`);
  });
}
