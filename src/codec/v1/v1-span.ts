import type { Endpoint } from '../../model/span.js';

/**
 * The zipkin v1 span, as carried by JSON v1 and Thrift. Only an intermediate form: decoders convert it to
 * the v2 model with v1ToV2 (codec/v1/v1-to-v2.ts), encoders build it with v2ToV1. Fields are raw: ids are
 * lower-hex strings as on the wire, not yet validated. Endpoints need not be normalized either: v1ToV2
 * normalizes them, and an empty endpoint ({}) counts as none, as in zipkin's V1Span builder.
 */
export interface V1Annotation {
  timestamp: number;
  value: string;
  endpoint?: Endpoint;
}

/**
 * type: zipkin AnnotationType. Only STRING (6) becomes a tag; BOOL (0) with value `true` and an endpoint is an
 * address when the key is ca/sa/ma; OTHER is ignored by the converter. A STRING ca/sa/ma is also read as an
 * address (zipkin's leniency for tracers that wrote "1").
 */
export interface V1BinaryAnnotation {
  key: string;
  /** STRING value, or BOOL for ca/sa/ma addresses; other types are dropped by the converter. */
  value: string | boolean | number | Uint8Array;
  type: 'STRING' | 'BOOL' | 'OTHER';
  endpoint?: Endpoint;
}

export interface V1Span {
  traceId: string;
  /** Optional high 64 bits (thrift trace_id_high), lower-hex. */
  traceIdHigh?: string;
  name?: string;
  id: string;
  parentId?: string;
  timestamp?: number;
  duration?: number;
  annotations: V1Annotation[];
  binaryAnnotations: V1BinaryAnnotation[];
  debug?: boolean;
}
