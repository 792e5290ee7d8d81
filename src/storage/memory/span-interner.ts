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

  constructor(private readonly maxEntries = 65_536) {}

  /** An equal span that shares strings and endpoints; `traceId` is the string to reuse for the trace id. */
  intern(span: Span, traceId: string): Span {
    const out: Record<string, unknown> = {};
    // Copy in the span's own key order: it is zipkin's JSON field order, which encoders rely on.
    for (const key in span) {
      const value = span[key as keyof Span];
      if (value === undefined) continue;
      switch (key) {
        case 'traceId':
          out.traceId = value === traceId ? traceId : value;
          break;
        case 'name':
          out.name = this.string(value as string);
          break;
        case 'localEndpoint':
        case 'remoteEndpoint':
          out[key] = this.endpoint(value as Endpoint);
          break;
        case 'tags':
          out.tags = this.tags(value as Record<string, string>);
          break;
        default:
          out[key] = value;
      }
    }
    return out as unknown as Span;
  }

  private string(s: string): string {
    // Long values (SQL, stack traces) would pin up to maxEntries large strings after their spans are gone.
    if (s.length > MAX_INTERNED_LENGTH) return s;
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    if (this.strings.size >= this.maxEntries) this.strings = new Map();
    this.strings.set(s, s);
    return s;
  }

  private endpoint(e: Endpoint): Endpoint {
    const key = `${e.serviceName ?? ''}\u0000${e.ipv4 ?? ''}\u0000${e.ipv6 ?? ''}\u0000${e.port ?? ''}`;
    const known = this.endpoints.get(key);
    if (known !== undefined) return known;
    if (this.endpoints.size >= this.maxEntries) this.endpoints = new Map();
    const copy: Endpoint = {};
    if (e.serviceName !== undefined) copy.serviceName = this.string(e.serviceName);
    if (e.ipv4 !== undefined) copy.ipv4 = e.ipv4;
    if (e.ipv6 !== undefined) copy.ipv6 = e.ipv6;
    if (e.port !== undefined) copy.port = e.port;
    // Shared by many spans: freeze so a caller mutating one returned span cannot change the others.
    Object.freeze(copy);
    this.endpoints.set(key, copy);
    return copy;
  }

  private tags(tags: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key in tags) out[this.string(key)] = this.string(tags[key]!);
    return out;
  }
}
