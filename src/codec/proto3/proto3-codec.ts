import protobuf from 'protobufjs';
import { DecodeError } from '../../model/decode-error.js';
import { checkProtobufBudget } from '../decode-bounds.js';
import { normalizeSpan, type SpanInput } from '../../model/normalize-span.js';
import type { Endpoint, Span, SpanKind } from '../../model/span.js';
import { ipFromBytes, ipv4ToBytes, ipv6ToBytes } from '../thrift/ip-bytes.js';
import {
  annotationType,
  endpointType,
  listOfSpansType,
  spanType,
  WIRE_TYPES,
} from './zipkin-proto3-schema.js';

export { listOfSpansType } from './zipkin-proto3-schema.js';

/**
 * Zipkin proto3 (openzipkin/zipkin-api zipkin.proto): POST /api/v2/spans with Content-Type
 * application/x-protobuf, the gRPC SpanService, and the message transports. protobufjs does the wire
 * work; this module maps its messages to and from the model.
 */

/** A ListOfSpans message. Empty input decodes to no spans (zipkin accepts an empty body). */
export function decodeProto3List(bytes: Uint8Array): Span[] {
  return decoding('List<Span>', () => {
    const list = decodeMessage(listOfSpansType, bytes) as ListOfSpansMessage;
    return proto3MessageToSpans(list);
  });
}

/** One bare Span message (not wrapped in ListOfSpans). */
export function decodeProto3Span(bytes: Uint8Array): Span {
  return decoding('Span', () => toSpan(decodeMessage(spanType, bytes) as SpanMessage));
}

/**
 * Converts a ListOfSpans already decoded by protobufjs (e.g. by a gRPC service using listOfSpansType)
 * into validated spans. Throws DecodeError naming the span index.
 */
export function proto3MessageToSpans(list: object): Span[] {
  const spans = ((list as ListOfSpansMessage).spans ?? []) as SpanMessage[];
  return spans.map((m, i) => {
    try {
      return toSpan(m);
    } catch (e) {
      throw new DecodeError(`spans[${i}]: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  });
}

export function encodeProto3List(spans: readonly Span[]): Uint8Array {
  return listOfSpansType.encode({ spans: spans.map(toMessage) }).finish();
}

export function encodeProto3Span(span: Span): Uint8Array {
  return spanType.encode(toMessage(span)).finish();
}

interface EndpointMessage {
  serviceName?: string;
  ipv4?: Uint8Array;
  ipv6?: Uint8Array;
  port?: number;
}

interface SpanMessage {
  traceId?: Uint8Array;
  parentId?: Uint8Array;
  id?: Uint8Array;
  kind?: number;
  name?: string;
  timestamp?: number | protobuf.Long;
  duration?: number | protobuf.Long;
  localEndpoint?: EndpointMessage | null;
  remoteEndpoint?: EndpointMessage | null;
  annotations?: Array<{ timestamp?: number | protobuf.Long; value?: string }>;
  tags?: Record<string, string>;
  debug?: boolean;
  shared?: boolean;
}

interface ListOfSpansMessage {
  spans?: SpanMessage[];
}

/** Span.Kind numbers, index = enum value (0 is SPAN_KIND_UNSPECIFIED). */
const KINDS: ReadonlyArray<SpanKind | undefined> = [undefined, 'CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'];

function toSpan(m: SpanMessage): Span {
  const input: SpanInput = {
    traceId: idHex(m.traceId, 'traceId', [8, 16]),
    parentId: idHex(m.parentId, 'parentId', [8]),
    id: idHex(m.id, 'id', [8]),
    // zipkin: an unknown kind number is ignored, not an error (newer writers may add kinds).
    kind: m.kind === undefined ? undefined : KINDS[m.kind],
    name: m.name,
    timestamp: toNumber(m.timestamp),
    duration: toNumber(m.duration),
    localEndpoint: toEndpointInput(m.localEndpoint),
    remoteEndpoint: toEndpointInput(m.remoteEndpoint),
    // zipkin: an annotation without a timestamp is dropped.
    annotations: (m.annotations ?? [])
      .map((a) => ({ timestamp: toNumber(a.timestamp), value: a.value ?? '' }))
      .filter((a) => a.timestamp !== undefined && a.timestamp > 0),
    tags: m.tags ?? null,
    debug: m.debug === true,
    shared: m.shared === true,
  };
  return normalizeSpan(input);
}

/** Ids are raw big-endian bytes; an empty field means absent. Other lengths are a different schema. */
function idHex(b: Uint8Array | undefined, field: string, lengths: number[]): string | undefined {
  if (b === undefined || b.length === 0) return undefined;
  if (!lengths.includes(b.length)) {
    throw new DecodeError(`${field} should be ${lengths.join(' or ')} bytes but was ${b.length}`);
  }
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function toEndpointInput(e: EndpointMessage | null | undefined) {
  if (e == null) return undefined;
  return {
    serviceName: e.serviceName,
    ipv4: e.ipv4 ? ipFromBytes(e.ipv4) : undefined,
    ipv6: e.ipv6 ? ipFromBytes(e.ipv6) : undefined,
    port: e.port,
  };
}

function toNumber(v: number | protobuf.Long | undefined): number | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? v : protobuf.util.LongBits.from(v).toNumber(v.unsigned);
}

function toMessage(s: Span): SpanMessage {
  const m: SpanMessage = { traceId: Buffer.from(s.traceId, 'hex'), id: Buffer.from(s.id, 'hex') };
  if (s.parentId) m.parentId = Buffer.from(s.parentId, 'hex');
  if (s.kind) m.kind = KINDS.indexOf(s.kind);
  if (s.name) m.name = s.name;
  if (s.timestamp) m.timestamp = s.timestamp;
  if (s.duration) m.duration = s.duration;
  if (s.localEndpoint) m.localEndpoint = toEndpointMessage(s.localEndpoint);
  if (s.remoteEndpoint) m.remoteEndpoint = toEndpointMessage(s.remoteEndpoint);
  if (s.annotations) m.annotations = s.annotations.map((a) => ({ timestamp: a.timestamp, value: a.value }));
  if (s.tags) m.tags = s.tags;
  if (s.debug) m.debug = true;
  if (s.shared) m.shared = true;
  return m;
}

function toEndpointMessage(e: Endpoint): EndpointMessage {
  const m: EndpointMessage = {};
  if (e.serviceName) m.serviceName = e.serviceName;
  const v4 = e.ipv4 ? ipv4ToBytes(e.ipv4) : undefined;
  if (v4) m.ipv4 = v4;
  const v6 = e.ipv6 ? ipv6ToBytes(e.ipv6) : undefined;
  if (v6) m.ipv6 = v6;
  if (e.port) m.port = e.port;
  return m;
}

/**
 * Decodes with unknown fields kept, then rejects a known field that arrived with another wire type:
 * protobufjs would silently skip it, turning e.g. a mis-typed tags field into lost data, while the
 * sender is clearly using a different schema. Groups (wire types 3 and 4) do not exist in proto3
 * and are rejected as zipkin does. Unknown field numbers are skipped for forward compatibility.
 */
function decodeMessage(type: protobuf.Type, bytes: Uint8Array): protobuf.Message {
  checkProtobufBudget(type, bytes, type.name);
  const reader = protobuf.Reader.create(bytes);
  reader.discardUnknown = false;
  const message = type.decode(reader);
  checkUnknowns(type, message, type.name);
  return message;
}

function checkUnknowns(type: protobuf.Type, message: object, path: string): void {
  const unknowns = (message as { $unknowns?: Uint8Array[] }).$unknowns ?? [];
  const known = WIRE_TYPES.get(type);
  for (const raw of unknowns) {
    const tag = protobuf.Reader.create(raw).uint32();
    const fieldId = tag >>> 3;
    const wireType = tag & 7;
    if (wireType === 3 || wireType === 4) {
      throw new DecodeError(`${path}: invalid wire type ${wireType} (group) for field ${fieldId}`);
    }
    const expected = known?.get(fieldId);
    if (expected !== undefined) {
      const name = type.fieldsById[fieldId]?.name ?? String(fieldId);
      throw new DecodeError(
        `${path}.${name} (field ${fieldId}) has wire type ${wireType} but should be ${expected}`,
      );
    }
  }
  const v = message as Record<string, unknown>;
  if (type === listOfSpansType) {
    ((v.spans ?? []) as object[]).forEach((s, i) => checkUnknowns(spanType, s, `spans[${i}]`));
  } else if (type === spanType) {
    for (const f of ['localEndpoint', 'remoteEndpoint']) {
      if (v[f] != null) checkUnknowns(endpointType, v[f] as object, `${path}.${f}`);
    }
    ((v.annotations ?? []) as object[]).forEach((a, i) =>
      checkUnknowns(annotationType, a, `${path}.annotations[${i}]`),
    );
  }
}

/** protobufjs reports bad wire data as RangeError/Error; all of it is the sender's input. */
function decoding<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    const reason = e instanceof Error && e.message ? e.message : 'Error';
    throw new DecodeError(`Malformed reading ${what} from proto3: ${reason}`, { cause: e });
  }
}
