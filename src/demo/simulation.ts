import { normalizeSpan, type SpanInput } from '../model/normalize-span.js';
import type { Annotation, Span } from '../model/span.js';
import type { Random } from './random.js';
import type { Host, RemoteDef, ServiceDef } from './topology.js';

/** A request handler of a simulated service: it does work and calls others through `exec`. */
export interface Operation {
  /** Span name, as instrumentation would name it (e.g. "get /cart"). */
  name: string;
  /** HTTP method and path for the http.* tags; absent for non-HTTP operations (consumers). */
  http?: { method: string; path: string };
  /** Probability that this operation fails on its own (5xx), besides failures of what it calls. */
  errorRate: number;
  handler?: (exec: Exec) => void;
}

/** One trace being simulated: its ids, the spans recorded so far and how many more it may hold. */
export class TraceSim {
  readonly spans: Span[] = [];

  constructor(
    readonly rng: Random,
    readonly traceId: string,
    /** Spans still allowed; calls that would exceed it are skipped. */
    public budget: number,
  ) {}

  newId(): string {
    return this.rng.hex64();
  }

  /**
   * Records a span as the host would report it: with its clock skew applied to every timestamp, so
   * skewed hosts produce spans that really look skewed.
   */
  record(host: Host | undefined, input: Omit<SpanInput, 'traceId'>, annotations?: Annotation[]): Span {
    const skew = host?.skewMicros ?? 0;
    const span = normalizeSpan({
      traceId: this.traceId,
      ...input,
      timestamp: typeof input.timestamp === 'number' ? input.timestamp + skew : undefined,
      annotations: annotations?.map((a) => ({ timestamp: a.timestamp + skew, value: a.value })),
    });
    this.spans.push(span);
    return span;
  }
}

/**
 * The execution of one span on one host: a time cursor (true time, microseconds) that work and calls
 * advance, the id children hang under, and whether something failed.
 */
export class Exec {
  failed = false;
  readonly annotations: Annotation[] = [];

  constructor(
    readonly sim: TraceSim,
    readonly service: ServiceDef,
    readonly host: Host,
    readonly spanId: string,
    public t: number,
  ) {}

  get rng(): Random {
    return this.sim.rng;
  }

  /** Spends CPU time on this span. */
  work(minMicros: number, maxMicros: number): this {
    this.t += this.rng.int(minMicros, maxMicros);
    return this;
  }

  annotate(value: string): this {
    this.annotations.push({ timestamp: this.t, value });
    return this;
  }

  /**
   * An instrumented RPC: a CLIENT span here and a SERVER span on a host of `callee`, sharing the
   * client's id (B3) or as its child (W3C) as the callee is instrumented. Returns whether it failed.
   */
  rpc(callee: ServiceDef, op: Operation): boolean {
    if (this.sim.budget < 2) return false;
    this.sim.budget -= 2;
    const rng = this.rng;
    const clientId = this.sim.newId();
    const serverId = callee.sharesSpanIds ? clientId : this.sim.newId();
    const calleeHost = rng.pick(callee.hosts);
    const clientStart = this.t;
    const serverStart = clientStart + rng.int(150, 1200);

    const server = new Exec(this.sim, callee, calleeHost, serverId, serverStart);
    server.work(50, 400);
    op.handler?.(server);
    server.work(30, 300);
    const failed = server.failed || rng.chance(op.errorRate);
    const clientEnd = server.t + rng.int(150, 1200);

    const http = op.http;
    const tags = (side: 'client' | 'server'): Record<string, string> => {
      const t: Record<string, string> = {};
      if (http) {
        t['http.method'] = http.method;
        t['http.path'] = http.path;
        t['http.status_code'] = failed ? '500' : '200';
      }
      if (failed) t.error = side === 'server' ? 'Internal Server Error' : '500';
      return t;
    };
    this.sim.record(this.host, {
      parentId: this.spanId,
      id: clientId,
      kind: 'CLIENT',
      name: op.name,
      timestamp: clientStart,
      duration: clientEnd - clientStart,
      localEndpoint: this.endpoint(),
      remoteEndpoint: { serviceName: callee.name, ipv4: calleeHost.ipv4, port: callee.port },
      tags: tags('client'),
    });
    this.sim.record(
      calleeHost,
      {
        parentId: callee.sharesSpanIds ? this.spanId : clientId,
        id: serverId,
        kind: 'SERVER',
        name: op.name,
        timestamp: serverStart,
        duration: server.t - serverStart,
        localEndpoint: server.endpoint(),
        remoteEndpoint: { ipv4: this.host.ipv4, port: rng.int(32768, 60999) },
        tags: tags('server'),
        shared: callee.sharesSpanIds,
      },
      server.annotations,
    );
    this.t = clientEnd;
    if (failed && rng.chance(0.5)) this.failed = true;
    return failed;
  }

  /** A call to an uninstrumented system (database, cache): only the CLIENT span exists. */
  call(
    remote: RemoteDef,
    name: string,
    tags: Record<string, string>,
    latency: [number, number],
    errorRate = 0,
  ): boolean {
    if (this.sim.budget < 1) return false;
    this.sim.budget -= 1;
    const start = this.t;
    this.t += this.rng.int(latency[0], latency[1]);
    const failed = this.rng.chance(errorRate);
    this.sim.record(this.host, {
      parentId: this.spanId,
      id: this.sim.newId(),
      kind: 'CLIENT',
      name,
      timestamp: start,
      duration: this.t - start,
      localEndpoint: this.endpoint(),
      remoteEndpoint: { ...remote },
      tags: failed ? { ...tags, error: 'connection reset by peer' } : tags,
    });
    if (failed) this.failed = true;
    return failed;
  }

  /**
   * Publishes a message: a PRODUCER span to the broker, then each consumer's CONSUMER span (a child of
   * the producer, some milliseconds later) running its handler asynchronously.
   */
  produce(broker: RemoteDef, topic: string, consumers: ReadonlyArray<[ServiceDef, Operation]>): void {
    if (this.sim.budget < 1) return;
    this.sim.budget -= 1;
    const producerId = this.sim.newId();
    const start = this.t;
    this.t += this.rng.int(300, 3000);
    this.sim.record(this.host, {
      parentId: this.spanId,
      id: producerId,
      kind: 'PRODUCER',
      name: `send ${topic}`,
      timestamp: start,
      duration: this.t - start,
      localEndpoint: this.endpoint(),
      remoteEndpoint: { ...broker },
      tags: { 'messaging.system': 'kafka', 'messaging.destination': topic },
    });
    for (const [service, op] of consumers) {
      if (this.sim.budget < 1) return;
      this.sim.budget -= 1;
      const consumerHost = this.rng.pick(service.hosts);
      const consumer = new Exec(
        this.sim,
        service,
        consumerHost,
        this.sim.newId(),
        this.t + this.rng.int(1_000, 80_000),
      );
      const consumeStart = consumer.t;
      consumer.work(100, 2_000);
      op.handler?.(consumer);
      if (this.rng.chance(op.errorRate)) consumer.failed = true;
      const tags: Record<string, string> = { 'messaging.system': 'kafka', 'messaging.destination': topic };
      if (consumer.failed) tags.error = 'message processing failed';
      this.sim.record(
        consumerHost,
        {
          parentId: producerId,
          id: consumer.spanId,
          kind: 'CONSUMER',
          name: op.name,
          timestamp: consumeStart,
          duration: consumer.t - consumeStart,
          localEndpoint: consumer.endpoint(),
          remoteEndpoint: { ...broker },
          tags,
        },
        consumer.annotations,
      );
    }
  }

  /** In-process work worth its own span (no kind). */
  local(name: string, body: (exec: Exec) => void = (e) => e.work(200, 5_000)): void {
    if (this.sim.budget < 1) return;
    this.sim.budget -= 1;
    const inner = new Exec(this.sim, this.service, this.host, this.sim.newId(), this.t);
    body(inner);
    this.sim.record(
      this.host,
      {
        parentId: this.spanId,
        id: inner.spanId,
        name,
        timestamp: this.t,
        duration: Math.max(1, inner.t - this.t),
        localEndpoint: this.endpoint(),
        tags: { lc: this.service.name },
      },
      inner.annotations,
    );
    this.t = Math.max(this.t + 1, inner.t);
    if (inner.failed) this.failed = true;
  }

  /** Runs `count` branches concurrently (as a thread pool would); the cursor moves to the last end. */
  parallel(count: number, branch: (exec: Exec, index: number) => void): void {
    const start = this.t;
    let end = start;
    for (let i = 0; i < count; i++) {
      const fork = new Exec(this.sim, this.service, this.host, this.spanId, start + this.rng.int(5, 200));
      branch(fork, i);
      end = Math.max(end, fork.t);
      if (fork.failed) this.failed = true;
      this.annotations.push(...fork.annotations);
    }
    this.t = end;
  }

  endpoint(): { serviceName: string; ipv4: string; port: number } {
    return { serviceName: this.service.name, ipv4: this.host.ipv4, port: this.service.port };
  }
}
