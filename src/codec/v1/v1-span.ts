import type { Endpoint } from '../../model/span.js';

/**
 * The zipkin v1 span, as carried by JSON v1 and Thrift. Only an intermediate form: decoders convert it to
 * the v2 model with v1ToV2 (codec/v1/v1-to-v2.ts), encoders build it with v2ToV1. Fields are raw: ids are
 * lower-hex strings as on the wire, not yet validated.
 */
export interface V1Annotation {
  timestamp: number;
  value: string;
  endpoint?: Endpoint;
}

/** type: zipkin AnnotationType. Only STRING (6) becomes a tag; BOOL (0) true with an endpoint is an address. */
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
