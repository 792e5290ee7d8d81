import protobuf from 'protobufjs';
import { DecodeError } from '../../model/decode-error.js';
import { checkProtobufBudget } from '../decode-bounds.js';
import type { Span } from '../../model/span.js';
import { jaegerBatchToSpans } from './jaeger-span-mapper.js';
import type { JaegerBatch, JaegerProcess, JaegerSpan, JaegerTag } from './jaeger-types.js';
import { JAEGER_REF_TYPES } from './jaeger-types.js';

/**
 * jaeger-idl proto/api_v2 model.proto and collector.proto, the parts PostSpans carries. Field numbers as in
 * jaeger-idl; enums are read as integers so an unknown value is reported rather than silently renamed.
 */
const SCHEMA = `
syntax = "proto3";
package jaeger.api_v2;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message Duration { int64 seconds = 1; int32 nanos = 2; }
message KeyValue {
  string key = 1;
  int32 v_type = 2;
  string v_str = 3;
  bool v_bool = 4;
  int64 v_int64 = 5;
  double v_float64 = 6;
  bytes v_binary = 7;
}
message Log { Timestamp timestamp = 1; repeated KeyValue fields = 2; }
message SpanRef { bytes trace_id = 1; bytes span_id = 2; int32 ref_type = 3; }
message Process { string service_name = 1; repeated KeyValue tags = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string operation_name = 3;
  repeated SpanRef references = 4;
  uint32 flags = 5;
  Timestamp start_time = 6;
  Duration duration = 7;
  repeated KeyValue tags = 8;
  repeated Log logs = 9;
  Process process = 10;
  string process_id = 11;
  repeated string warnings = 12;
}
message Batch { repeated Span spans = 1; Process process = 2; }
message PostSpansRequest { Batch batch = 1; }
message PostSpansResponse {}
`;

const root = protobuf.parse(SCHEMA, { keepCase: false }).root;
/** Exported for tests and clients that need to build a request. */
export const PostSpansRequest = root.lookupType('jaeger.api_v2.PostSpansRequest');
const PostSpansResponse = root.lookupType('jaeger.api_v2.PostSpansResponse');

/** api_v2 ValueType */
const VALUE_TYPES = ['vStr', 'vBool', 'vInt64', 'vFloat64', 'vBinary'] as const;

interface ProtoKeyValue {
  key?: string;
  vType?: number;
  vStr?: string;
  vBool?: boolean;
  vInt64?: string;
  vFloat64?: number;
  vBinary?: Uint8Array;
}
interface ProtoTime {
  seconds?: string;
  nanos?: number;
}
interface ProtoProcess {
  serviceName?: string;
  tags?: ProtoKeyValue[];
}
interface ProtoSpan {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  operationName?: string;
  references?: Array<{ traceId?: Uint8Array; spanId?: Uint8Array; refType?: number }>;
  flags?: number;
  startTime?: ProtoTime;
  duration?: ProtoTime;
  tags?: ProtoKeyValue[];
  logs?: Array<{ timestamp?: ProtoTime; fields?: ProtoKeyValue[] }>;
  process?: ProtoProcess;
}

/** jaeger.api_v2.PostSpansRequest bytes to spans. Throws DecodeError when unreadable or a span is invalid. */
export function decodePostSpansRequest(bytes: Uint8Array): Span[] {
  let obj: { batch?: { spans?: ProtoSpan[]; process?: ProtoProcess } };
  try {
    checkProtobufBudget(PostSpansRequest, bytes, 'PostSpansRequest');
    obj = PostSpansRequest.toObject(PostSpansRequest.decode(bytes), { longs: String });
  } catch (e) {
    throw new DecodeError(`Malformed reading PostSpansRequest from protobuf: ${(e as Error).message}`);
  }
  const batch: JaegerBatch = { spans: (obj.batch?.spans ?? []).map(span) };
  if (obj.batch?.process) batch.process = processOf(obj.batch.process);
  return jaegerBatchToSpans(batch);
}

export function encodePostSpansResponse(): Uint8Array {
  return PostSpansResponse.encode({}).finish();
}

function span(s: ProtoSpan, i: number): JaegerSpan {
  const out: JaegerSpan = {
    traceId: id(s.traceId, 16, `spans[${i}].traceId`),
    spanId: id(s.spanId, 8, `spans[${i}].spanId`),
    operationName: s.operationName ?? '',
    references: (s.references ?? []).map((r, j) => {
      const type = JAEGER_REF_TYPES[r.refType ?? 0];
      if (!type)
        throw new DecodeError(`spans[${i}].references[${j}].refType should be 0 or 1 but was ${r.refType}`);
      return {
        type,
        traceId: id(r.traceId, 16, `spans[${i}].references[${j}].traceId`),
        spanId: id(r.spanId, 8, `spans[${i}].references[${j}].spanId`),
      };
    }),
    flags: s.flags ?? 0,
    startTime: micros(s.startTime),
    duration: micros(s.duration),
    tags: (s.tags ?? []).map(tag),
    logs: (s.logs ?? []).map((l) => ({ timestamp: micros(l.timestamp), fields: (l.fields ?? []).map(tag) })),
  };
  if (s.process) out.process = processOf(s.process);
  return out;
}

function processOf(p: ProtoProcess): JaegerProcess {
  return { serviceName: p.serviceName ?? '', tags: (p.tags ?? []).map(tag) };
}

function tag(kv: ProtoKeyValue): JaegerTag {
  const field = VALUE_TYPES[kv.vType ?? 0] ?? 'vStr';
  const v = kv[field];
  let value: string;
  if (v === undefined)
    value = field === 'vBool' ? 'false' : field === 'vStr' ? '' : field === 'vBinary' ? '' : '0';
  else if (v instanceof Uint8Array) value = Buffer.from(v).toString('base64');
  else value = String(v);
  return { key: kv.key ?? '', value };
}

/** api_v2 ids: trace id 16 bytes big-endian (high then low), span id 8 bytes. */
function id(b: Uint8Array | undefined, bytes: number, field: string): string {
  if (!b || b.length === 0) return '';
  if (b.length !== bytes) throw new DecodeError(`${field} should be ${bytes} bytes but was ${b.length}`);
  return Buffer.from(b).toString('hex');
}

function micros(t: ProtoTime | undefined): number {
  if (!t) return 0;
  return Number(BigInt(t.seconds ?? '0') * 1_000_000n + BigInt(Math.trunc((t.nanos ?? 0) / 1000)));
}
