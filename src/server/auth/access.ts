import type { Role, TokenVerifier } from './tokens.js';
import { grants } from './tokens.js';

/** What a request needs: nothing (health, CORS preflight) or a token granting a role. */
export type Need = 'open' | Role;

/** Paths every listener leaves open, so load balancers and orchestrators can probe without a token. */
const OPEN_PATHS = new Set(['/health', '/info', '/ready', '/zipkin/favicon.svg']);
/** The UI's sign-in form and sign-out (sign-in.ts), on the query ports only. */
const SIGN_IN_PATHS = new Set(['/zipkin/signin', '/zipkin/signout', '/zipkin/signin/oidc', '/zipkin/signin/oidc/callback']);
/** The collector routes served on QUERY_PORT (and on the OTLP/Jaeger HTTP ports). */
const INGEST_POSTS = new Set(['/api/v1/spans', '/api/v2/spans', '/v1/traces', '/api/traces']);

/**
 * The role a request on QUERY_PORT or JAEGER_QUERY_PORT needs. Unknown paths need `read` (deny by
 * default): a new query route cannot be left open by forgetting to list it here.
 */
export function queryPortNeed(method: string, path: string): Need {
  if (method === 'OPTIONS') return 'open'; // CORS preflights carry no credentials by design
  if (OPEN_PATHS.has(path) || SIGN_IN_PATHS.has(path)) return 'open';
  if (method === 'POST' && INGEST_POSTS.has(path)) return 'ingest';
  return 'read';
}

/** The own-port listeners: collectors and sampling need `ingest`, the Jaeger admin port `read`, but for health. */
export function listenerNeed(listener: string): (method: string, path: string) => Need {
  if (listener === 'jaeger-admin') return (method, path) => (method === 'OPTIONS' || path === '/' || OPEN_PATHS.has(path) ? 'open' : 'read');
  return (method, path) => (method === 'OPTIONS' || OPEN_PATHS.has(path) ? 'open' : 'ingest');
}

/** The outcome of checking one request: let it through, or why not (401 / 403, gRPC 16 / 7). */
export type Decision = { ok: true } | { ok: false; status: 401 | 403; message: string };

const WHAT: Record<Role, string> = { ingest: 'send spans', read: 'read traces', admin: 'administer' };

/** Decides a request from its Authorization header value and what it needs. The message names no token. */
export function decide(verifier: TokenVerifier, authorization: string | undefined, need: Need): Decision {
  if (need === 'open') return { ok: true };
  const auth = verifier.verifyHeader(authorization);
  if (auth.kind === 'missing')
    return {
      ok: false,
      status: 401,
      message: `authentication required to ${WHAT[need]}: send Authorization: Bearer <token> (a token with role ${need})`,
    };
  if (auth.kind === 'invalid') return { ok: false, status: 401, message: 'the token is not valid (not in AUTH_TOKENS_FILE)' };
  if (!grants(auth.role, need))
    return {
      ok: false,
      status: 403,
      message: `token "${auth.name}" has role ${auth.role}, which cannot ${WHAT[need]}: that needs role ${need}`,
    };
  return { ok: true };
}
