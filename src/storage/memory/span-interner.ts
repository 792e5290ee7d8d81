import type { Endpoint, Span } from '../../model/span.js';

const MAX_INTERNED_LENGTH = 256;

/**
 * Makes stored spans share what repeats across spans: one trace id string per trace, one frozen object
 * per distinct endpoint, one string per distinct span name, tag key and tag value. Decoders hand us a
 * fresh copy of every string per span, so without this each span carries its own copies (measured: about
 * 440 bytes per typical span before, 270 after).
 *
 * The tables are bounded (entries, and length of an interned string): when one fills up it is dropped and
 * starts over. Interning is only an optimization, so forgetting costs memory, never correctness, and
 * unique values cannot grow it forever.
 */
export class SpanInterner {
  private strings = new Map<string, string>();
  private endpoints = new Map<string, Endpoint>();
  /**
   * The endpoint last returned per service name: a service's spans mostly come from the same few hosts,
   * so one comparison usually finds it without building a lookup key.
   */
  private recent = new Map<string, Endpoint>();

  constructor(private readonly maxEntries = 65_536) {}

  /** An equal span that shares strings and endpoints; `traceId` is the string to reuse for the trace id. */
  intern(span: Span, traceId: string): Span {
    return new StoredSpan(span, span.traceId === traceId ? traceId : span.traceId, this);
  }

  /** @internal used by StoredSpan */
  string(s: string): string {
    // Long values (SQL, stack traces) would pin up to maxEntries large strings after their spans are gone.
    if (s.length > MAX_INTERNED_LENGTH) return s;
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size >= this.maxEntries) this.strings = new Map();
    this.strings.set(s, s);
    return s;
  }

  /** @internal used by StoredSpan */
  endpoint(e: Endpoint): Endpoint {
    // A peer known only by address and port is almost always a client's ephemeral socket (16% of the
    // generator's endpoints): unique, so interning would only fill the table. Such a span gets its own copy.
    if (e.serviceName === undefined && e.port !== undefined) return copyEndpoint(e);
    const service = e.serviceName ?? '';
    const last = this.recent.get(service);
    if (
      last !== undefined &&
      last.ipv4 === e.ipv4 &&
      last.port === e.port &&
      last.ipv6 === e.ipv6 &&
      last.serviceName === e.serviceName
    ) {
      return last;
    }
    const key = `${service}\u0000${e.ipv4 ?? ''}\u0000${e.ipv6 ?? ''}\u0000${e.port ?? ''}`;
    let known = this.endpoints.get(key);
    if (known === undefined) {
      if (this.endpoints.size >= this.maxEntries) {
        this.endpoints = new Map();
        this.recent = new Map();
      }
      const copy = copyEndpoint(e, e.serviceName === undefined ? undefined : this.string(e.serviceName));
      // Shared by many spans: freeze so a caller mutating one returned span cannot change the others.
      Object.freeze(copy);
      this.endpoints.set(key, copy);
      known = copy;
    }
    this.recent.set(service, known);
    return known;
  }

  /** @internal used by StoredSpan */
  tags(tags: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key in tags) {
      // A "__proto__" key is data (normalizeSpan keeps it so); plain assignment would set the prototype.
      if (key === '__proto__')
        Object.defineProperty(out, key, {
          value: this.string(tags[key]!),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[this.string(key)] = this.string(tags[key]!);
    }
    return out;
  }
}

function copyEndpoint(e: Endpoint, serviceName = e.serviceName): Endpoint {
  const copy: Endpoint = {};
  if (serviceName !== undefined) copy.serviceName = serviceName;
  if (e.ipv4 !== undefined) copy.ipv4 = e.ipv4;
  if (e.ipv6 !== undefined) copy.ipv6 = e.ipv6;
  if (e.port !== undefined) copy.port = e.port;
  return copy;
}

/**
 * A stored span. A class rather than an object literal grown key by key: V8 sizes a class's instances for
 * every field its constructor may set, so all fields sit inside the object, where `{}` plus ten keys puts
 * six of them in a separate property array (measured: bench/RESULTS.md). Fields are set only when
 * present, in zipkin's JSON order (normalizeSpan's order), so keys, order and JSON are those of the input.
 */
class StoredSpan {
  declare traceId: string;
  declare parentId?: string;
  declare id: string;
  declare kind?: Span['kind'];
  declare name?: string;
  declare timestamp?: number;
  declare duration?: number;
  declare localEndpoint?: Endpoint;
  declare remoteEndpoint?: Endpoint;
  declare annotations?: Span['annotations'];
  declare tags?: Record<string, string>;
  declare debug?: true;
  declare shared?: true;
  declare links?: Span['links'];

  constructor(s: Span, traceId: string, interner: SpanInterner) {
    this.traceId = traceId;
    if (s.parentId !== undefined) this.parentId = s.parentId;
    this.id = s.id;
    if (s.kind !== undefined) this.kind = s.kind;
    if (s.name !== undefined) this.name = interner.string(s.name);
    if (s.timestamp !== undefined) this.timestamp = s.timestamp;
    if (s.duration !== undefined) this.duration = s.duration;
    if (s.localEndpoint !== undefined) this.localEndpoint = interner.endpoint(s.localEndpoint);
    if (s.remoteEndpoint !== undefined) this.remoteEndpoint = interner.endpoint(s.remoteEndpoint);
    if (s.annotations !== undefined) this.annotations = s.annotations;
    if (s.tags !== undefined) this.tags = interner.tags(s.tags);
    if (s.debug !== undefined) this.debug = s.debug;
    if (s.shared !== undefined) this.shared = s.shared;
    if (s.links !== undefined) this.links = s.links;
  }
}
