/**
 * The one in-process span model: the Zipkin v2 span, plus optional extensions for data that OTLP and
 * Jaeger carry and Zipkin has no field for. Every decoder produces it, every encoder and store consumes it.
 * Times are epoch microseconds.
 *
 * A `Span` value is always normalized and valid; build one with `normalizeSpan`.
 */
export type SpanKind = 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';

export const SPAN_KINDS: readonly SpanKind[] = ['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'];

export interface Endpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

export interface Annotation {
  timestamp: number;
  value: string;
}

/**
 * Extension: a causal link to another span (OTLP Span.links, Jaeger FOLLOWS_FROM references).
 * Zipkin has no field for it; the Zipkin JSON encoder omits it unless asked for extensions.
 */
export interface SpanLink {
  traceId: string;
  spanId: string;
  /** Jaeger reference type or 'link' for OTLP links. */
  type?: 'FOLLOWS_FROM' | 'CHILD_OF' | 'link';
  tags?: Record<string, string>;
}

export interface Span {
  /** 16 or 32 lower-hex characters. */
  traceId: string;
  parentId?: string;
  /** 16 lower-hex characters. */
  id: string;
  kind?: SpanKind;
  /** Lowercase. */
  name?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: Endpoint;
  remoteEndpoint?: Endpoint;
  /** Sorted by timestamp then value, without duplicates. */
  annotations?: Annotation[];
  tags?: Record<string, string>;
  debug?: true;
  shared?: true;
  links?: SpanLink[];
}

/** Every Zipkin v2 field, in zipkin's JSON order; anything else (links) is a Skein extension. */
export const ZIPKIN_V2_FIELDS = [
  'traceId',
  'parentId',
  'id',
  'kind',
  'name',
  'timestamp',
  'duration',
  'localEndpoint',
  'remoteEndpoint',
  'annotations',
  'tags',
  'debug',
  'shared',
] as const;
