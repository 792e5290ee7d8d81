import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/**
 * Jaeger's admin port (14269 on the v1 all-in-one and collector; jaeger v1.50.0 cmd/internal/flags/admin.go):
 * `/` answers the health check JSON and `/metrics` the Prometheus text of the process's metrics, so ops
 * tooling written for a Jaeger deployment (probes, scrape configs) keeps working when Skein replaces it.
 */
export interface JaegerAdminOptions {
  /** The registry /prometheus on QUERY_PORT serves; /metrics here serves the same text. */
  registry: Registry;
  /**
   * When the server became available (every listener bound), or undefined while it is starting or
   * stopping. Jaeger reports "Server not available" then.
   */
  upSince: () => Date | undefined;
  /** Whether storage answers its check; a server whose storage is down is not available. */
  storageUp: () => Promise<boolean>;
  /** Now, for the uptime; tests pass a fixed clock. */
  now?: () => Date;
}

/** jaeger pkg/healthcheck/handler.go: the body Jaeger sends while the server is unavailable. */
const UNAVAILABLE = { status: 'Server not available', upSince: '0001-01-01T00:00:00Z', uptime: '' };

export function registerJaegerAdmin(app: FastifyInstance, opts: JaegerAdminOptions): void {
  const now = opts.now ?? (() => new Date());
  app.get('/', async (_req, reply) => {
    const since = opts.upSince();
    const up = since !== undefined && (await opts.storageUp());
    const body = up
      ? {
          status: 'Server available',
          upSince: goTime(since),
          uptime: formatGoDuration((now().getTime() - since.getTime()) * 1e6),
        }
      : UNAVAILABLE;
    return reply
      .code(up ? 200 : 503)
      .type('application/json')
      .send(JSON.stringify(body));
  });
  app.get('/metrics', async (_req, reply) =>
    reply.type(opts.registry.contentType).send(await opts.registry.metrics()),
  );
}

/** Go's time.Time JSON form (RFC 3339 with the fraction's trailing zeros dropped): 2026-08-20T10:00:00Z. */
function goTime(d: Date): string {
  return d.toISOString().replace(/\.?0+Z$/, 'Z');
}

/**
 * Go's time.Duration.String() for a number of nanoseconds: "1h2m3.5s", "1.5ms", "250ns", "0s". Jaeger
 * writes uptimes and clock-skew deltas this way, and scripts parse them with time.ParseDuration.
 */
export function formatGoDuration(ns: number): string {
  const n = Math.round(Math.abs(ns));
  const sign = ns < 0 && n !== 0 ? '-' : '';
  if (n === 0) return '0s';
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${trimFraction(n / 1e3)}µs`;
  if (n < 1e9) return `${sign}${trimFraction(n / 1e6)}ms`;
  const h = Math.floor(n / 3600e9);
  const m = Math.floor((n % 3600e9) / 60e9);
  const s = (n % 60e9) / 1e9;
  const sec = `${trimFraction(s)}s`;
  if (h > 0) return `${sign}${h}h${m}m${sec}`;
  if (m > 0) return `${sign}${m}m${sec}`;
  return `${sign}${sec}`;
}

/** Up to nine decimals (Go prints every significant digit of the nanoseconds), no trailing zeros. */
function trimFraction(x: number): string {
  return x.toFixed(9).replace(/\.?0+$/, '');
}
