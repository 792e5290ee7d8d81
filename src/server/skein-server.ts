import { once } from 'node:events';
import { createServer as createH2Server, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { Collector } from '../collector/collector.js';
import { PrometheusCollectorMetrics, prometheusTruncationCounter } from '../collector/collector-metrics.js';
import { CollectorSampler } from '../collector/sampler.js';
import { installRawBodyParser } from '../collector/http/raw-body-parser.js';
import { registerZipkinHttpCollector } from '../collector/http/zipkin-http-collector.js';
import { registerZipkinApiV2 } from '../query/zipkin-api-v2.js';
import { registerStorageMetrics, timedSpanConsumer } from '../query/storage-metrics.js';
import { registerHealth, registerInfo, registerReady, type Readiness } from '../query/health.js';
import { createMetricsRegistry, registerMetrics } from '../query/metrics.js';
import { UI_CONFIG_CACHE_CONTROL, uiConfigJson } from '../query/ui-config.js';
import { registerUi } from '../query/ui-static.js';
import { registerJaegerQuery } from '../query/jaeger-api/jaeger-query-plugin.js';
import { registerJaegerAdmin } from '../query/jaeger-api/jaeger-admin.js';
import { SpanMetrics } from '../query/span-metrics.js';
import { gateQueries } from '../query/query-gate.js';
import type { StorageComponent } from '../storage/storage-component.js';
import type { Config } from './config.js';
import { createHttpApp } from './http-app.js';
import { rejectTraceMethod } from './reject-trace-method.js';
import { ListenError } from './listen-error.js';
import { createSharedPortServer } from './shared-port.js';
import { applyHttp1Timeouts, applyHttp2Timeouts } from './connection-guard.js';
import { openStorage } from './storage-factory.js';
import {
  http2StreamHandler,
  registerTransportRoutes,
  startQueueConsumers,
  startTransportListeners,
  type Listener,
} from './transports.js';
import type { QueueConsumer } from '../collector/queue/queue-consumer.js';
import { VERSION } from './version.js';
import { queryPortNeed } from './auth/access.js';
import { authorizeStreams } from './auth/grpc-auth.js';
import { loadTokensFile, TokenVerifier } from './auth/tokens.js';
import { TlsFront } from './tls/tls-front.js';
import { FailureLimiter, Sessions } from './auth/sessions.js';
import { registerSignIn } from './auth/sign-in.js';
import { registerOidcSignIn } from './auth/oidc-sign-in.js';

export interface RunningSkein {
  /** http://127.0.0.1:<QUERY_PORT as bound> (or LISTEN_ADDRESS when it names one) */
  url: string;
  port: number;
  /** Bound ports of the other listeners, by name (otlp-http, otlp-grpc, jaeger-udp-binary, ...). */
  listeners: Record<string, number>;
  storage: StorageComponent;
  logger: Logger;
  /** Re-reads AUTH_TOKENS_FILE and the TLS files (SIGHUP); on a file that fails, the old ones stay and it throws. */
  reload(): void;
  /** Graceful: stop accepting, finish accepted requests, flush storage, close it. */
  close(): Promise<void>;
}

/** The address a local client reaches the listeners on: loopback unless LISTEN_ADDRESS names one. */
function localHost(address: string | undefined): string {
  if (address === undefined || address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}

/** The composition root: builds every part from the config and starts listening. */
export async function startSkein(
  config: Config,
  logger: Logger = pino({ level: config.logLevel }),
): Promise<RunningSkein> {
  // Read before storage opens: a bad tokens file is a start-up error, with nothing to clean up.
  const verifier = config.auth ? new TokenVerifier(loadTokensFile(config.auth.tokensFile)) : undefined;
  // Every TLS front, so SIGHUP re-reads the certificate for all of them. The first is QUERY_PORT's.
  const tlsFronts: TlsFront[] = [];
  const tls = config.tls;
  const makeFront = tls
    ? (alpn: string[], clientCerts: boolean) => {
        const f = new TlsFront(tls, clientCerts, alpn);
        tlsFronts.push(f);
        return f;
      }
    : undefined;
  // The UI's sign-in: 12 h sessions, 10 failed attempts per address per 5 min.
  const signIn =
    verifier && config.queryEnabled
      ? {
          sessions: new Sessions(12 * 3_600_000),
          limiter: new FailureLimiter(),
          secure: tls !== null,
          oidc: config.oidc !== null,
        }
      : undefined;
  const queryFront = makeFront?.(config.collector.grpcEnabled ? ['h2', 'http/1.1'] : ['http/1.1'], false);
  const { storage, name: storageName } = await openStorage(config, logger);
  const registry = createMetricsRegistry();
  registerStorageMetrics(registry, storage);
  const maxOperations = config.jaeger.spanMetricsMaxOperations;
  const stored = timedSpanConsumer(storage.spanConsumer(), registry);
  const collector = new Collector({
    // RED span metrics on /prometheus, counted as storage accepts spans (query/span-metrics.ts).
    consumer: maxOperations > 0 ? new SpanMetrics(registry, { maxOperations }).counting(stored) : stored,
    sampler: new CollectorSampler(config.collector.sampleRate),
    metrics: new PrometheusCollectorMetrics(registry),
    logger,
    maxInFlight: config.collector.maxInFlight,
    maxBodyBytesInFlight: config.collector.maxBodyBytesInFlight,
    spanLimits: config.collector.spanLimits,
    truncated: prometheusTruncationCounter(registry),
    maxFutureUs: config.collector.maxFutureMs * 1000,
    maxEventLoopDelayMs: config.collector.maxEventLoopDelayMs,
  });
  // Set once every listener is bound, cleared when a graceful stop begins (Jaeger's admin health uptime).
  let upSince: Date | undefined;
  const ctx = {
    ...(verifier ? { verifier } : {}),
    ...(makeFront ? { tls: makeFront } : {}),
    config,
    collector,
    logger,
    registry,
    adminRoutes: (admin: FastifyInstance) =>
      registerJaegerAdmin(admin, {
        registry,
        upSince: () => upSince,
        storageUp: async () => (await storage.check()).ok,
      }),
  };

  const app = await createHttpApp(
    logger,
    config.allowedOrigins,
    verifier ? { verifier, need: queryPortNeed, ...(signIn ? { signIn } : {}) } : undefined,
  );
  rejectTraceMethod(app);
  installRawBodyParser(app, config.maxBodyBytes, collector);
  if (verifier && signIn) registerSignIn(app, verifier, signIn);
  if (signIn && config.oidc) registerOidcSignIn(app, config.oidc, signIn, logger);
  registerMetrics(app, registry);
  let consumers: QueueConsumer[] = [];
  registerHealth(app, storage, storageName, () =>
    consumers.map((c) => {
      const { transport, ...details } = c.health();
      return { name: transport, up: details.state === 'connected', details };
    }),
  );
  registerInfo(app, { version: VERSION, commit: 'unknown' });
  const readiness: Readiness = { ready: false, reason: 'starting' };
  registerReady(app, () => readiness);
  if (config.collector.httpEnabled) registerZipkinHttpCollector(app, collector);
  registerTransportRoutes(app, ctx);
  if (config.queryEnabled) {
    const apiOptions = {
      // Every query API reads through the gate: QUERY_MAX_LIMIT and QUERY_MAX_CONCURRENT.
      storage: gateQueries(storage, config.queryGate),
      defaultLookbackMs: config.queryLookbackMs,
      timeoutMs: config.queryTimeoutMs,
    };
    await app.register(async (scope) => registerZipkinApiV2(scope, apiOptions), { prefix: '/api/v2' });
    await app.register(async (scope) => registerZipkinApiV2(scope, apiOptions), { prefix: '/zipkin/api/v2' });
    const uiConfig = uiConfigJson(config.ui);
    app.get('/zipkin/config.json', async (_req, reply) =>
      reply.header('Cache-Control', UI_CONFIG_CACHE_CONTROL).send(uiConfig),
    );
    if (config.uiEnabled) await registerUi(app);
    const jaegerUi =
      config.jaeger.uiDir === '' ? undefined : { dir: config.jaeger.uiDir, injection: { version: VERSION } };
    await registerJaegerQuery(app, apiOptions, config.uiEnabled, jaegerUi);
  }
  await app.ready();

  let h2: Http2Server | undefined;
  const streams = http2StreamHandler(ctx);
  const onStream = streams && verifier ? authorizeStreams(verifier, streams) : streams;
  if (onStream) {
    h2 = createH2Server();
    h2.on('stream', onStream);
    applyHttp2Timeouts(h2, config.listeners);
  }
  applyHttp1Timeouts(app.server as HttpServer, config.listeners);
  const guard = (name: string) => ({ name, limits: config.listeners, logger });
  const bindHost = (name: string) => {
    const host = config.listenerAddresses[name] ?? config.listenAddress;
    return host === undefined ? {} : { host };
  };
  const front = createSharedPortServer(app.server as HttpServer, h2, guard('zipkin'), queryFront);
  try {
    front.listen({ port: config.queryPort, ...bindHost('zipkin') });
    await once(front, 'listening');
  } catch (e) {
    await app.close();
    await storage.close();
    throw new ListenError('the Zipkin API', 'QUERY_PORT', config.queryPort, e);
  }
  const port = (front.address() as AddressInfo).port;
  // JAEGER_QUERY_PORT: a second front door to the same app, where Jaeger UI and Grafana look for the query service.
  const jaegerQueryPort = config.queryEnabled ? config.jaeger.queryPort : null;
  const jaegerFront =
    jaegerQueryPort === null
      ? undefined
      : createSharedPortServer(app.server as HttpServer, h2, guard('jaeger-query'), queryFront);
  if (jaegerFront) {
    try {
      jaegerFront.listen({ port: jaegerQueryPort, ...bindHost('jaeger-query') });
      await once(jaegerFront, 'listening');
    } catch (e) {
      front.close();
      await app.close();
      await storage.close();
      throw new ListenError('the Jaeger query API', 'JAEGER_QUERY_PORT', jaegerQueryPort!, e);
    }
  }
  const jaegerListener: Record<string, number> = jaegerFront
    ? { 'jaeger-query': (jaegerFront.address() as AddressInfo).port }
    : {};

  let others: Listener[];
  try {
    others = await startTransportListeners(ctx);
  } catch (e) {
    jaegerFront?.close();
    front.close();
    await app.close();
    await storage.close();
    throw e;
  }
  consumers = await startQueueConsumers(ctx);
  const listeners = { ...Object.fromEntries(others.map((l) => [l.name, l.port])), ...jaegerListener };
  readiness.ready = true;
  upSince = new Date();
  logger.info(
    { port, storage: storageName, listeners },
    `Skein ${VERSION} serving on :${port} (UI at /zipkin/)`,
  );

  let closing: Promise<void> | undefined;
  return {
    url: `${tls ? 'https' : 'http'}://${localHost(config.listenerAddresses['zipkin'] ?? config.listenAddress)}:${port}`,
    port,
    listeners,
    storage,
    logger,
    reload: () => {
      // Read everything first: a file that fails leaves every part as it was.
      const tokens = config.auth ? loadTokensFile(config.auth.tokensFile) : undefined;
      for (const f of tlsFronts) f.reload();
      if (tokens && verifier) {
        verifier.replace(tokens);
        // A UI session started with a token that is gone (or has another role now) ends with it.
        signIn?.sessions.retain((s) => s.tokenHash === undefined || verifier.holds(s.tokenHash, s.role));
      }
      logger.info({ tls: tlsFronts.length > 0, tokens: tokens !== undefined }, 'reloaded on SIGHUP');
    },
    close: () =>
      (closing ??= (async () => {
        readiness.ready = false;
        upSince = undefined;
        readiness.reason = 'shutting down';
        jaegerFront?.close();
        front.close();
        await Promise.allSettled(others.map((l) => l.close()));
        // Before storage closes: each consumer acks (or requeues) what it is handling, then disconnects.
        await Promise.allSettled(consumers.map((c) => c.close()));
        // Waits for in-flight requests (each awaits its storage write) before resolving.
        const idle = app.server as HttpServer;
        idle.closeIdleConnections();
        await app.close();
        h2?.close();
        await collector.drain();
        await storage.close();
      })()),
  };
}
