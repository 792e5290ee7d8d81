import protobuf from 'protobufjs';
import type { Span, SpanKind } from '../src/model/span.js';

/**
 * Spans -> OTLP ExportTraceServiceRequest protobuf bytes, as an OpenTelemetry SDK would send them: one
 * ResourceSpans per service (service.name), one ScopeSpans each, tags as string attributes, annotations as
 * events, the error tag as status ERROR. Only for generating benchmark load, so it covers what the trace
 * generator produces. Field numbers are opentelemetry-proto's (trace/v1/trace.proto, common/v1/common.proto).
 */
export function encodeOtlpProto(spans: readonly Span[]): Uint8Array {
  const byService = new Map<string, Span[]>();
  for (const s of spans) {
    const svc = s.localEndpoint?.serviceName ?? 'unknown_service';
    let group = byService.get(svc);
    if (!group) byService.set(svc, (group = []));
    group.push(s);
  }
  const w = protobuf.Writer.create();
  for (const [service, group] of byService) {
    w.uint32(tag(1, LEN)).fork(); // ExportTraceServiceRequest.resource_spans
    w.uint32(tag(1, LEN)).fork(); // ResourceSpans.resource
    keyValue(w, 1, 'service.name', service); // Resource.attributes
    w.ldelim();
    w.uint32(tag(2, LEN)).fork(); // ResourceSpans.scope_spans
    w.uint32(tag(1, LEN)).fork(); // ScopeSpans.scope
    w.uint32(tag(1, LEN)).string('skein-bench');
    w.ldelim();
    for (const s of group) {
      w.uint32(tag(2, LEN)).fork(); // ScopeSpans.spans
      writeSpan(w, s);
      w.ldelim();
    }
    w.ldelim();
    w.ldelim();
  }
  return w.finish();
}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const tag = (field: number, wire: number) => (field << 3) | wire;

const KINDS: Record<SpanKind, number> = { SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

function writeSpan(w: protobuf.Writer, s: Span): void {
  // OTLP trace ids are 16 bytes; a 64-bit zipkin id is its low half.
  w.uint32(tag(1, LEN)).bytes(Buffer.from(s.traceId.padStart(32, '0'), 'hex'));
  w.uint32(tag(2, LEN)).bytes(Buffer.from(s.id, 'hex'));
  if (s.parentId !== undefined) w.uint32(tag(4, LEN)).bytes(Buffer.from(s.parentId, 'hex'));
  w.uint32(tag(5, LEN)).string(s.name ?? '');
  w.uint32(tag(6, VARINT)).int32(s.kind ? KINDS[s.kind] : 1);
  const start = s.timestamp ?? 0;
  w.uint32(tag(7, I64)).fixed64(nanos(start));
  w.uint32(tag(8, I64)).fixed64(nanos(start + (s.duration ?? 0)));
  for (const [k, v] of Object.entries(s.tags ?? {})) keyValue(w, 9, k, v);
  const remote = s.remoteEndpoint;
  if (remote?.serviceName !== undefined) keyValue(w, 9, 'peer.service', remote.serviceName);
  if (remote?.ipv4 !== undefined) keyValue(w, 9, 'net.sock.peer.addr', remote.ipv4);
  for (const a of s.annotations ?? []) {
    w.uint32(tag(11, LEN)).fork(); // Span.events
    w.uint32(tag(1, I64)).fixed64(nanos(a.timestamp));
    w.uint32(tag(2, LEN)).string(a.value);
    w.ldelim();
  }
  if (s.tags?.error !== undefined) {
    w.uint32(tag(15, LEN)).fork(); // Span.status
    w.uint32(tag(2, LEN)).string(s.tags.error);
    w.uint32(tag(3, VARINT)).int32(2); // STATUS_CODE_ERROR
    w.ldelim();
  }
}

function keyValue(w: protobuf.Writer, field: number, key: string, value: string): void {
  w.uint32(tag(field, LEN)).fork();
  w.uint32(tag(1, LEN)).string(key);
  w.uint32(tag(2, LEN)).fork(); // KeyValue.value: AnyValue
  w.uint32(tag(1, LEN)).string(value); // AnyValue.string_value
  w.ldelim();
  w.ldelim();
}

/** Epoch microseconds -> fixed64 nanoseconds without losing precision past 2^53. */
function nanos(micros: number): { low: number; high: number; unsigned: boolean } {
  const n = BigInt(micros) * 1000n;
  return { low: Number(n & 0xffffffffn) | 0, high: Number(n >> 32n) | 0, unsigned: true };
}
