import { DecodeError } from '../../model/decode-error.js';
import { EndpointPortError, normalizeEndpoint } from '../../model/endpoint.js';
import { normalizeSpan } from '../../model/normalize-span.js';
import type { Annotation, Endpoint, Span, SpanKind } from '../../model/span.js';
import type { V1Annotation, V1BinaryAnnotation, V1Span } from './v1-span.js';

/** A v1 annotation after its endpoint was normalized (undefined when empty). */
interface Ann {
  timestamp: number;
  value: string;
  endpoint: Endpoint | undefined;
}

/** A v2 span under construction; one per distinct local service name found in the v1 span. */
interface Builder {
  kind?: SpanKind;
  timestamp?: number;
  duration?: number;
  localEndpoint?: Endpoint;
  remoteEndpoint?: Endpoint;
  annotations: Annotation[];
  tags: Map<string, string>;
  shared?: boolean;
}

/**
 * Converts one zipkin v1 span to v2 spans (reference: zipkin V1SpanConverter). A v1 span that holds both
 * the client and the server side of an RPC becomes two spans; data without an endpoint goes to the first.
 * Every span is validated by normalizeSpan, so this throws DecodeError like any decoder.
 */
export function v1ToV2(source: V1Span): Span[] {
  return new V1Conversion(source).run();
}

class V1Conversion {
  private readonly first: Builder = newBuilder();
  private readonly spans: Builder[] = [];
  private readonly endpoints = new Map<Endpoint, Endpoint | undefined>();
  /** v1 timestamp/duration; zero means absent, as in zipkin's v1 model. */
  private readonly ts: number;
  private readonly dur: number;
  private cs?: Ann;
  private sr?: Ann;
  private ss?: Ann;
  private cr?: Ann;
  private ms?: Ann;
  private mr?: Ann;
  private ws?: Ann;
  private wr?: Ann;

  constructor(private readonly source: V1Span) {
    this.ts = positive(source.timestamp);
    this.dur = positive(source.duration);
  }

  run(): Span[] {
    this.processAnnotations();
    this.processBinaryAnnotations();
    const out = [this.build(this.first)];
    for (const b of this.spans) out.push(this.build(b));
    return out;
  }

  private processAnnotations(): void {
    // zipkin's V1Span keeps annotations sorted by (timestamp, value); which span is "first" depends on it.
    const sorted: Ann[] = this.source.annotations.map((a, i) => ({
      timestamp: a.timestamp,
      value: a.value,
      endpoint: this.endpoint(a.endpoint, `annotations[${i}].endpoint`),
    }));
    sorted.sort(compareAnnotations);

    for (const a of sorted) {
      const current = this.forEndpoint(a.endpoint);
      // zipkin: core annotations require an endpoint; without one they are plain annotations.
      if (a.value.length === 2 && a.endpoint !== undefined) {
        switch (a.value) {
          case 'cs':
            current.kind = 'CLIENT';
            this.cs = a;
            continue;
          case 'sr':
            current.kind = 'SERVER';
            this.sr = a;
            continue;
          case 'ss':
            current.kind = 'SERVER';
            this.ss = a;
            continue;
          case 'cr':
            current.kind = 'CLIENT';
            this.cr = a;
            continue;
          case 'ms':
            current.kind = 'PRODUCER';
            this.ms = a;
            continue;
          case 'mr':
            current.kind = 'CONSUMER';
            this.mr = a;
            continue;
          case 'ws':
            this.ws = a;
            continue;
          case 'wr':
            this.wr = a;
            continue;
        }
      }
      current.annotations.push({ timestamp: a.timestamp, value: a.value });
    }

    // Bridging from an event model can lose the start annotation: recover it from the v1 timestamp.
    if (!this.cs && this.cr && this.endReflectsSpanDuration(this.cr)) {
      this.cs = { timestamp: this.ts, value: 'cs', endpoint: this.cr.endpoint };
    }
    if (!this.sr && this.ss && this.endReflectsSpanDuration(this.ss)) {
      this.sr = { timestamp: this.ts, value: 'sr', endpoint: this.ss.endpoint };
    }
    const { cs, sr, ss, cr } = this;

    if (cs && sr) {
      // A shared span: the client owns the v1 timestamp/duration; the server gets its own from sr/ss.
      this.maybeTimestampDuration(cs, cr);
      const client = this.forEndpoint(cs.endpoint);
      let server: Builder;
      if (sameServiceName(cs.endpoint, sr.endpoint)) {
        // Loopback: both sides have one service name, so fork a separate span for the server side.
        client.kind = 'CLIENT';
        server = this.newSpan(sr.endpoint);
        server.kind = 'SERVER';
      } else {
        server = this.forEndpoint(sr.endpoint);
      }
      server.shared = true;
      server.timestamp = sr.timestamp;
      if (ss) server.duration = ss.timestamp - sr.timestamp;
      // One-way RPC: without cr there is no client duration.
      if (!cr && this.dur === 0) client.duration = undefined;
    } else if (cs && cr) {
      this.maybeTimestampDuration(cs, cr);
    } else if (sr && ss) {
      this.maybeTimestampDuration(sr, ss);
    } else {
      this.handleIncompleteRpc();
    }

    // v1 had no shared flag: by convention a server side without the v1 timestamp (or, as MySQL stores a
    // shared row, with ss but no duration) was not the owner of the span.
    if (!cs && sr && (this.ts === 0 || (ss && this.dur === 0))) {
      this.forEndpoint(sr.endpoint).shared = true;
    }

    const { ms, mr, ws, wr } = this;
    if (ms && mr) {
      // Not supposed to happen, but split like a shared RPC span, forking on loopback.
      const producer = this.forEndpoint(ms.endpoint);
      let consumer: Builder;
      if (sameServiceName(ms.endpoint, mr.endpoint)) {
        producer.kind = 'PRODUCER';
        consumer = this.newSpan(mr.endpoint);
        consumer.kind = 'CONSUMER';
      } else {
        consumer = this.forEndpoint(mr.endpoint);
      }
      consumer.shared = true;
      if (wr) {
        consumer.timestamp = wr.timestamp;
        consumer.duration = mr.timestamp - wr.timestamp;
      } else {
        consumer.timestamp = mr.timestamp;
      }
      producer.timestamp = ms.timestamp;
      producer.duration = ws ? ws.timestamp - ms.timestamp : undefined;
    } else if (ms) {
      this.maybeTimestampDuration(ms, ws);
    } else if (mr) {
      if (wr) this.maybeTimestampDuration(wr, mr);
      else this.maybeTimestampDuration(mr, undefined);
    } else {
      // ws/wr only mean "wire send/receive" next to messaging annotations; otherwise they are plain ones.
      if (ws) this.forEndpoint(ws.endpoint).annotations.push({ timestamp: ws.timestamp, value: ws.value });
      if (wr) this.forEndpoint(wr.endpoint).annotations.push({ timestamp: wr.timestamp, value: wr.value });
    }
  }

  /** Neither side is complete: keep what there is, and the lone end annotation as a plain annotation. */
  private handleIncompleteRpc(): void {
    for (const b of [this.first, ...this.spans]) {
      if (b.kind === 'CLIENT') {
        if (this.cs) b.timestamp = this.cs.timestamp;
        if (this.cr) b.annotations.push({ timestamp: this.cr.timestamp, value: this.cr.value });
      } else if (b.kind === 'SERVER') {
        if (this.sr) b.timestamp = this.sr.timestamp;
        if (this.ss) b.annotations.push({ timestamp: this.ss.timestamp, value: this.ss.value });
      }
    }
    if (this.ts !== 0) {
      this.first.timestamp = this.ts;
      this.first.duration = this.dur === 0 ? undefined : this.dur;
    }
  }

  private endReflectsSpanDuration(end: Ann): boolean {
    return this.ts !== 0 && this.dur !== 0 && this.ts + this.dur === end.timestamp;
  }

  /** The v1 timestamp/duration win when both are set; otherwise the annotations say when it ran. */
  private maybeTimestampDuration(begin: Ann, end: Ann | undefined): void {
    const span = this.forEndpoint(begin.endpoint);
    if (this.ts !== 0 && this.dur !== 0) {
      span.timestamp = this.ts;
      span.duration = this.dur;
    } else {
      span.timestamp = begin.timestamp;
      if (end) span.duration = end.timestamp - begin.timestamp;
    }
  }

  private processBinaryAnnotations(): void {
    let ca: Endpoint | undefined;
    let sa: Endpoint | undefined;
    let ma: Endpoint | undefined;
    // zipkin's V1Span keeps binary annotations sorted by key (stable), so tags come out in key order.
    const sorted = this.source.binaryAnnotations
      .map((b, i) => ({ b, i }))
      .sort((x, y) => (x.b.key < y.b.key ? -1 : x.b.key > y.b.key ? 1 : x.i - y.i));

    for (const { b, i } of sorted) {
      if (b.type === 'OTHER') continue; // zipkin: only STRING and BOOL binary annotations are read
      const endpoint = this.endpoint(b.endpoint, `binaryAnnotations[${i}].endpoint`);
      const isAddress = b.key === 'ca' || b.key === 'sa' || b.key === 'ma';
      if (b.type === 'BOOL') {
        // An address is a BOOL true with an endpoint; any other boolean has no v2 meaning.
        if (!isAddress || b.value !== true || endpoint === undefined) continue;
      }
      // zipkin reads ca/sa/ma leniently (some tracers wrote "1" instead of true): the key decides.
      if (b.key === 'ca') {
        ca = endpoint;
        continue;
      } else if (b.key === 'sa') {
        sa = endpoint;
        continue;
      } else if (b.key === 'ma') {
        ma = endpoint;
        continue;
      }
      const current = this.forEndpoint(endpoint);
      const value = stringValue(b);
      // lc="" only names the local endpoint of an in-process span; it is not a tag.
      if (b.key === 'lc' && value === '') continue;
      current.tags.set(b.key, value);
    }

    const { cs, cr, ss, sr, ms, mr } = this;
    if (!cs && !cr && !ss && !sr && (ca || sa)) {
      if (ca && sa) {
        this.forEndpoint(ca).remoteEndpoint = sa;
      } else if (sa) {
        // "sa" alone is just a remote address; it does not make this a client span.
        this.forEndpoint(undefined).remoteEndpoint = sa;
      } else {
        const server = this.forEndpoint(undefined);
        server.kind = 'SERVER';
        server.remoteEndpoint = ca;
      }
      return;
    }

    const server = sr ?? ss;
    if (ca && server && !sameEndpoint(ca, server.endpoint)) {
      // Finagle reports the client socket as "ca" under the server's own service name: dropping the name
      // keeps that from looking like a loopback call.
      let remote: Endpoint | undefined = ca;
      if (sameServiceName(ca, server.endpoint)) {
        const { serviceName: _dropped, ...rest } = ca;
        remote = Object.keys(rest).length > 0 ? rest : undefined;
      }
      this.forEndpoint(server.endpoint).remoteEndpoint = remote;
    }
    if (sa) {
      if (cs) this.forEndpoint(cs.endpoint).remoteEndpoint = sa;
      else if (cr) this.forEndpoint(cr.endpoint).remoteEndpoint = sa;
    }
    if (ma) {
      // Both sides get the broker, in case a messaging span was (wrongly) shared.
      if (ms) this.forEndpoint(ms.endpoint).remoteEndpoint = ma;
      if (mr) this.forEndpoint(mr.endpoint).remoteEndpoint = ma;
    }
  }

  /** The span for data recorded by this endpoint: same service name, or the first span for no endpoint. */
  private forEndpoint(e: Endpoint | undefined): Builder {
    if (e === undefined) return this.first;
    if (closeEnough(this.first, e)) return this.first;
    for (const b of this.spans) if (closeEnough(b, e)) return b;
    return this.newSpan(e);
  }

  private newSpan(e: Endpoint | undefined): Builder {
    const b = newBuilder();
    b.localEndpoint = e;
    this.spans.push(b);
    return b;
  }

  private endpoint(e: Endpoint | undefined, field: string): Endpoint | undefined {
    if (e == null) return undefined;
    if (this.endpoints.has(e)) return this.endpoints.get(e);
    let out: Endpoint | undefined;
    try {
      out = normalizeEndpoint(e);
    } catch (err) {
      if (err instanceof EndpointPortError) throw new DecodeError(`${field}: ${err.message}`);
      throw err;
    }
    this.endpoints.set(e, out);
    return out;
  }

  private build(b: Builder): Span {
    const { source } = this;
    return normalizeSpan({
      traceId: traceIdOf(source),
      parentId: source.parentId,
      id: source.id,
      kind: b.kind,
      name: source.name,
      timestamp: b.timestamp,
      duration: b.duration,
      localEndpoint: b.localEndpoint,
      remoteEndpoint: b.remoteEndpoint,
      annotations: b.annotations,
      tags: b.tags.size > 0 ? Object.fromEntries(b.tags) : undefined,
      debug: source.debug === true,
      shared: b.shared === true,
    });
  }
}

function newBuilder(): Builder {
  return { annotations: [], tags: new Map() };
}

/** zipkin: a builder without a local endpoint adopts the first one offered. */
function closeEnough(b: Builder, e: Endpoint): boolean {
  if (b.localEndpoint === undefined) {
    b.localEndpoint = e;
    return true;
  }
  return b.localEndpoint.serviceName === e.serviceName;
}

function sameServiceName(a: Endpoint | undefined, b: Endpoint | undefined): boolean {
  return a?.serviceName === b?.serviceName;
}

function sameEndpoint(a: Endpoint, b: Endpoint | undefined): boolean {
  return (
    b !== undefined &&
    a.serviceName === b.serviceName &&
    a.ipv4 === b.ipv4 &&
    a.ipv6 === b.ipv6 &&
    a.port === b.port
  );
}

function compareAnnotations(x: V1Annotation | Ann, y: V1Annotation | Ann): number {
  return x.timestamp - y.timestamp || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0);
}

/** The 128-bit id when thrift carried trace_id_high separately; normalizeSpan drops an all-zero high half. */
function traceIdOf(source: V1Span): string {
  const high = source.traceIdHigh;
  if (high === undefined || high === '' || /^0*$/.test(high)) return source.traceId;
  return high.padStart(16, '0') + source.traceId.padStart(16, '0');
}

function stringValue(b: V1BinaryAnnotation): string {
  const v = b.value;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}

function positive(n: number | undefined): number {
  return n !== undefined && n > 0 ? n : 0;
}
