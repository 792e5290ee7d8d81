/**
 * A Jaeger batch as both Jaeger decoders (jaeger.thrift and api_v2 model.proto) hand it to the mapper:
 * ids as lower-hex, times in epoch microseconds, tag values already stringified. Not validated yet.
 */
export interface JaegerTag {
  key: string;
  /** The value as a string: booleans "true"/"false", numbers in decimal, binary as base64. */
  value: string;
}

export interface JaegerLog {
  timestamp: number;
  fields: JaegerTag[];
}

export interface JaegerRef {
  type: 'CHILD_OF' | 'FOLLOWS_FROM';
  /** 32 hex characters (high then low 64 bits); a zero high half is a 64-bit id. */
  traceId: string;
  spanId: string;
}

export interface JaegerProcess {
  serviceName: string;
  tags: JaegerTag[];
}

export interface JaegerSpan {
  traceId: string;
  spanId: string;
  /** thrift parentSpanId; 0 (all zeros) means none. api_v2 has only references. */
  parentSpanId?: string;
  operationName: string;
  references: JaegerRef[];
  flags: number;
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: JaegerLog[];
  /** api_v2 allows a process per span; otherwise the batch's process applies. */
  process?: JaegerProcess;
}

export interface JaegerBatch {
  process?: JaegerProcess;
  spans: JaegerSpan[];
}

/** jaeger.thrift SpanRefType and api_v2 SpanRefType share the numbering. */
export const JAEGER_REF_TYPES = ['CHILD_OF', 'FOLLOWS_FROM'] as const;
