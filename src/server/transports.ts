import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { registerUdpMetrics } from '../collector/jaeger-udp/udp-metrics.js';
import type { Collector } from '../collector/collector.js';
import { installRawBodyParser } from '../collector/http/raw-body-parser.js';
import { jaegerPostSpansMethod } from '../collector/jaeger-grpc/jaeger-grpc-service.js';
import { jaegerHttpPlugin } from '../collector/jaeger-http/jaeger-http-routes.js';
import { registerSamplingRoutes } from '../collector/jaeger-sampling/sampling-routes.js';
import {
  SamplingStrategies,
  SamplingStrategiesError,
} from '../collector/jaeger-sampling/sampling-strategies.js';
import { startJaegerUdpListener } from '../collector/jaeger-udp/jaeger-udp-listener.js';
import { startGrpcListener } from '../collector/otlp-grpc/grpc-unary-server.js';
import { otlpTraceExportMethod } from '../collector/otlp-grpc/otlp-grpc-service.js';
import { otlpHttpPlugin } from '../collector/otlp-http/otlp-http-routes.js';
import { zipkinGrpcStreamHandler } from '../collector/zipkin-grpc/zipkin-grpc-stream.js';
import { QueueConsumer } from '../collector/queue/queue-consumer.js';
import { RabbitMqTransport } from '../collector/rabbitmq/rabbitmq-transport.js';
import { KafkaTransport } from '../collector/kafka/kafka-transport.js';
import { ActiveMqTransport } from '../collector/activemq/activemq-transport.js';
import { startScribeListener } from '../collector/scribe/scribe-listener.js';
import { ConfigError, type Config } from './config.js';
import { createHttpApp } from './http-app.js';
import { ListenError } from './listen-error.js';
import {
  applyHttp1Timeouts,
  guardHttpServer,
  guardRawListener,
  type ListenerGuard,
} from './connection-guard.js';
import type { SettingKey } from './settings.js';
import { listenerNeed } from './auth/access.js';
import { grpcIngestCheck } from './auth/grpc-auth.js';
import type { TokenVerifier } from './auth/tokens.js';
import type { TlsFront } from './tls/tls-front.js';

/**
 * The non-Zipkin-HTTP transports (OTLP, Jaeger, Zipkin gRPC) and how the composition root starts them.
 * The composition root calls these three functions; everything a transport needs comes in the context.
 */
export interface TransportContext {
  config: Config;
  collector: Collector;
  logger: Logger;
  /** /prometheus's registry, for listener metrics (UDP receive-buffer drops). */
  registry?: Registry;
  /** The routes of JAEGER_ADMIN_PORT (health JSON, Prometheus text), which need storage and the registry. */
  adminRoutes?: (app: FastifyInstance) => void;
  /** The tokens, when authentication is on (AUTH_TOKENS_FILE): every TCP listener checks them. */
  verifier?: TokenVerifier;
  /** With TLS on: a TLS front offering these ALPN protocols, asking collectors for client certificates or not. */
  tls?: (alpn: string[], clientCerts: boolean) => TlsFront;
}

/** A listener on its own port; `port` is the bound port (useful when configured as 0). */
export interface Listener {
  name: string;
  port: number;
  close(): Promise<void>;
}

/** Routes other protocols also serve on QUERY_PORT (e.g. OTLP POST /v1/traces, Jaeger POST /api/traces). */
export function registerTransportRoutes(app: FastifyInstance, ctx: TransportContext): void {
  const opts = { collector: ctx.collector, logger: ctx.logger };
  // Always on: OTLP_HTTP_PORT=off / JAEGER_HTTP_PORT=off only free their own ports, so a deployment that
  // can expose a single port (or shares a host with a real OTel collector on 4318) still ingests on QUERY_PORT.
  void app.register(otlpHttpPlugin, opts);
  void app.register(jaegerHttpPlugin, opts);
}

/** Which setting chooses each listener's port, for error messages. */
const SETTING_OF = {
  'otlp-http': 'OTLP_HTTP_PORT',
  'otlp-grpc': 'OTLP_GRPC_PORT',
  'jaeger-udp-compact': 'JAEGER_AGENT_COMPACT_PORT',
  'jaeger-udp-binary': 'JAEGER_AGENT_BINARY_PORT',
  'jaeger-http': 'JAEGER_HTTP_PORT',
  'jaeger-grpc': 'JAEGER_GRPC_PORT',
  'jaeger-sampling': 'JAEGER_SAMPLING_PORT',
  'jaeger-admin': 'JAEGER_ADMIN_PORT',
  scribe: 'SCRIBE_PORT',
} as const satisfies Record<string, SettingKey>;

/** Starts every enabled listener on its own port. On failure, the ones already started are closed again. */
export async function startTransportListeners(ctx: TransportContext): Promise<Listener[]> {
  const { config, collector, logger } = ctx;
  const strategies =
    config.jaeger.samplingPort === null ? undefined : loadStrategies(config.jaeger.samplingStrategiesFile);
  const host = config.listenAddress ?? (await anyAddress());
  const agentHost = config.agentAddress ?? host;
  // LISTENER_ADDRESSES names an address for some listeners; the rest use LISTEN_ADDRESS (UDP: the agent's).
  const hostOf = (name: string) => config.listenerAddresses[name] ?? (name.startsWith('jaeger-udp-') ? agentHost : host);
  const started: Listener[] = [];
  const start = async (
    name: keyof typeof SETTING_OF,
    port: number | null,
    listen: (port: number) => Promise<Omit<Listener, 'name'>>,
  ) => {
    if (port === null) return;
    try {
      started.push({ name, ...(await listen(port)) });
    } catch (e) {
      throw new ListenError(name, SETTING_OF[name], port, e);
    }
  };
  const guard = (name: string) => ({ name, limits: config.listeners, logger });
  const http = (name: string, register: (app: FastifyInstance) => Promise<void>) => (port: number) =>
    listenHttp(ctx, hostOf(name), port, name, register, COLLECTOR_PORTS.has(name));
  const grpcOpts = (name: string) => (port: number) => ({
    port,
    host: hostOf(name),
    maxMessageBytes: config.maxBodyBytes,
    logger,
    ...(ctx.verifier ? { authorize: grpcIngestCheck(ctx.verifier) } : {}),
    // gRPC ports are collectors: client certificates when TLS_CLIENT_CA_FILE is set.
    ...(ctx.tls ? { upgrade: upgradeWith(ctx.tls(['h2'], ctx.config.tls?.clientCaFile !== undefined)) } : {}),
    guard: {
      idleTimeoutMs: config.listeners.idleTimeoutMs,
      apply: (server: NetServer, started: (s: Socket) => boolean) =>
        guardRawListener(server, guard(name), started),
    },
  });
  const udpSockets: { name: string; port: number; receiveBufferBytes: () => number }[] = [];
  const udp = (protocol: 'compact' | 'binary') => async (port: number) => {
    const l = await startJaegerUdpListener({
      port,
      host: hostOf(`jaeger-udp-${protocol}`),
      protocol,
      collector,
      logger,
      receiveBufferBytes: config.jaeger.agentReceiveBufferBytes,
    });
    udpSockets.push({ name: `jaeger-udp-${protocol}`, ...l });
    return l;
  };
  try {
    await start(
      'otlp-http',
      config.otlp.httpPort,
      http('otlp-http', async (app) => app.register(otlpHttpPlugin, { collector, logger })),
    );
    await start('otlp-grpc', config.otlp.grpcPort, (port) =>
      startGrpcListener(grpcOpts('otlp-grpc')(port), [otlpTraceExportMethod(collector)]),
    );
    await start('jaeger-udp-compact', config.jaeger.agentCompactPort, udp('compact'));
    await start('jaeger-udp-binary', config.jaeger.agentBinaryPort, udp('binary'));
    await start(
      'jaeger-http',
      config.jaeger.httpPort,
      http('jaeger-http', async (app) => app.register(jaegerHttpPlugin, { collector, logger })),
    );
    await start('jaeger-grpc', config.jaeger.grpcPort, (port) =>
      startGrpcListener(grpcOpts('jaeger-grpc')(port), [jaegerPostSpansMethod(collector)]),
    );
    await start(
      'jaeger-sampling',
      config.jaeger.samplingPort,
      http('jaeger-sampling', async (app) =>
        registerSamplingRoutes(app, strategies ?? SamplingStrategies.sampleAll()),
      ),
    );
    const adminRoutes = ctx.adminRoutes;
    if (adminRoutes)
      await start(
        'jaeger-admin',
        config.jaeger.adminPort,
        http('jaeger-admin', async (app) => adminRoutes(app)),
      );
    const scribe = config.scribe;
    await start('scribe', scribe?.port ?? null, (port) =>
      startScribeListener({
        port,
        host: hostOf('scribe'),
        category: scribe!.category,
        collector,
        logger,
        guard: (server, started) => guardRawListener(server, guard('scribe'), started),
      }),
    );
  } catch (e) {
    await Promise.allSettled(started.map((l) => l.close()));
    throw e;
  }
  if (ctx.registry && udpSockets.length > 0) registerUdpMetrics(ctx.registry, udpSockets);
  return started;
}

/**
 * Starts every enabled queue consumer (RabbitMQ, Kafka, ActiveMQ). A broker that is down does not stop
 * start-up: the consumer keeps reconnecting with backoff and /health shows it as not connected meanwhile.
 */
export async function startQueueConsumers(ctx: TransportContext): Promise<QueueConsumer[]> {
  const consumers: QueueConsumer[] = [];
  const opts = { collector: ctx.collector, logger: ctx.logger };
  const { rabbitmq, kafka, activemq, maxBodyBytes } = ctx.config;
  if (rabbitmq) consumers.push(new QueueConsumer(new RabbitMqTransport(rabbitmq), opts));
  if (kafka) consumers.push(new QueueConsumer(new KafkaTransport(kafka, ctx.logger), opts));
  if (activemq) {
    consumers.push(new QueueConsumer(new ActiveMqTransport(activemq, maxBodyBytes), opts));
  }
  await Promise.all(consumers.map((c) => c.start()));
  return consumers;
}

/** Handles HTTP/2 (h2c) streams arriving on QUERY_PORT: zipkin.proto3.SpanService/Report. */
export function http2StreamHandler(
  ctx: TransportContext,
): ((stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void) | undefined {
  if (!ctx.config.collector.grpcEnabled) return undefined;
  return zipkinGrpcStreamHandler({
    collector: ctx.collector,
    logger: ctx.logger,
    maxMessageBytes: ctx.config.maxBodyBytes,
  });
}

/** Ports that only collectors use: the ones TLS_CLIENT_CA_FILE asks for client certificates on. */
const COLLECTOR_PORTS = new Set(['otlp-http', 'jaeger-http']);

function upgradeWith(front: TlsFront) {
  return (raw: Socket, ready: (s: Duplex) => void) => front.accept(raw, ready);
}

async function listenHttp(
  ctx: TransportContext,
  host: string,
  port: number,
  name: string,
  register: (app: FastifyInstance) => Promise<void>,
  collectorOnly: boolean,
): Promise<Omit<Listener, 'name'>> {
  // The same app as QUERY_PORT's (CORS for browser SDKs, query parsing, error catalogue, raw bodies).
  const auth = ctx.verifier ? { verifier: ctx.verifier, need: listenerNeed(name) } : undefined;
  const app = await createHttpApp(ctx.logger, ctx.config.allowedOrigins, auth);
  installRawBodyParser(app, ctx.config.maxBodyBytes, ctx.collector);
  const guard = { name, limits: ctx.config.listeners, logger: ctx.logger };
  if (ctx.tls) {
    const front = ctx.tls(['http/1.1'], collectorOnly && ctx.config.tls?.clientCaFile !== undefined);
    await register(app);
    return listenTls(app, front, guard, port, host);
  }
  guardHttpServer(app.server, guard);
  await register(app);
  await app.listen({ port, host });
  return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
}

/**
 * An own-port HTTP app under TLS: a net server of ours does the handshake (TlsFront) and hands the TLS
 * socket to the app's HTTP server, which never listens itself. A finished handshake counts as started.
 */
async function listenTls(
  app: FastifyInstance,
  front: TlsFront,
  guard: ListenerGuard,
  port: number,
  host: string,
): Promise<Omit<Listener, 'name'>> {
  await app.ready();
  applyHttp1Timeouts(app.server, guard.limits);
  const started = new WeakSet<Socket>();
  const server = createNetServer((raw) =>
    front.accept(raw, (secure) => {
      started.add(raw);
      app.server.emit('connection', secure);
    }),
  );
  guardRawListener(server, guard, (s) => started.has(s));
  server.listen(port, host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.close();
      await app.close();
    },
  };
}

function loadStrategies(file: string): SamplingStrategies {
  if (file === '') return SamplingStrategies.sampleAll();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`JAEGER_SAMPLING_STRATEGIES_FILE: cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return SamplingStrategies.parse(text);
  } catch (e) {
    if (e instanceof SamplingStrategiesError)
      throw new ConfigError(`JAEGER_SAMPLING_STRATEGIES_FILE ${file}: ${e.message}`);
    throw e;
  }
}

let anyAddressCache: Promise<string> | undefined;

/** '::' (IPv6 and IPv4 on a dual-stack host) where the host has IPv6, else '0.0.0.0', like node's default. */
function anyAddress(): Promise<string> {
  return (anyAddressCache ??= new Promise((resolve) => {
    const probe = createNetServer();
    probe.once('error', () => resolve('0.0.0.0'));
    probe.listen(0, '::', () => probe.close(() => resolve('::')));
  }));
}
