import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of every response: scripts only from Skein's own origin (the built UI's
 * hashed bundles), no plugins, no framing by other sites. Styles keep 'unsafe-inline' because React sets
 * style attributes and charting code injects <style>; the policy is about scripts. `extraScripts` are
 * the CSP hashes of inline scripts a page needs (the Jaeger UI's injected configuration block).
 */
export function contentSecurityPolicy(extraScripts: readonly string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'self'${extraScripts.map((h) => ` '${h}'`).join('')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** sha256-<base64> of each inline <script> body in an HTML page, for its CSP script-src. */
export function inlineScriptHashes(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    out.push(`sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}`);
  }
  return out;
}

const DEFAULT_CSP = contentSecurityPolicy();

/**
 * Security headers on every response of an app (UI, query APIs, collectors): nosniff so a span value
 * served as JSON is never read as HTML or script, no Referer leaking trace ids to other sites, and the
 * CSP above unless a route set its own (a page with hashed inline scripts). X-Frame-Options duplicates
 * frame-ancestors for browsers that predate CSP 2.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('Content-Security-Policy', DEFAULT_CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    return payload;
  });
}
