import { DecodeError } from '../../model/decode-error.js';
import { checkJsonBudget } from '../decode-bounds.js';
import type { PartialSuccess } from './otlp-proto-codec.js';
import type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpKeyValue,
  OtlpLink,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpTraceRequest,
} from './otlp-types.js';

type Json = Record<string, unknown>;

const SPAN_KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODE_NAMES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

/**
 * Parses an application/json ExportTraceServiceRequest (OTLP/JSON: lowerCamelCase keys, hex ids, int64 as
 * strings or numbers, enums as integers). Like any proto3 JSON reader it also takes the proto field names
 * (snake_case) and enum names, and ignores unknown keys. A request whose shape is wrong (not an object,
 * resourceSpans not a list) is a DecodeError; values inside a span are checked later, per span.
 */
export function decodeOtlpJson(bytes: Uint8Array): OtlpTraceRequest {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  checkJsonBudget(text, 'Malformed reading ExportTraceServiceRequest from json');
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new DecodeError(`Malformed reading ExportTraceServiceRequest from json: ${(e as Error).message}`);
  }
  const req = obj(root, 'ExportTraceServiceRequest');
  return { resourceSpans: list(get(req, 'resourceSpans', 'resource_spans'), 'resourceSpans', resourceSpans) };
}

function resourceSpans(v: unknown, path: string): OtlpResourceSpans {
  const o = obj(v, path);
  const out: OtlpResourceSpans = {};
  const resource = get(o, 'resource');
  if (resource != null) {
    out.resource = {
      attributes: keyValues(
        get(obj(resource, `${path}.resource`), 'attributes'),
        `${path}.resource.attributes`,
      ),
    };
  }
  out.scopeSpans = [
    ...list(get(o, 'scopeSpans', 'scope_spans'), `${path}.scopeSpans`, scopeSpans),
    ...list(
      get(o, 'instrumentationLibrarySpans', 'instrumentation_library_spans'),
      `${path}.instrumentationLibrarySpans`,
      scopeSpans,
    ),
  ];
  return out;
}

function scopeSpans(v: unknown, path: string): OtlpScopeSpans {
  const o = obj(v, path);
  const out: OtlpScopeSpans = {};
  const scope = get(o, 'scope') ?? get(o, 'instrumentationLibrary', 'instrumentation_library');
  if (scope != null) {
    const s = obj(scope, `${path}.scope`);
    out.scope = { name: str(get(s, 'name')), version: str(get(s, 'version')) };
  }
  out.spans = list(get(o, 'spans'), `${path}.spans`, span);
  return out;
}

function span(v: unknown, path: string): OtlpSpan {
  const o = obj(v, path);
  return {
    traceId: id(get(o, 'traceId', 'trace_id')),
    spanId: id(get(o, 'spanId', 'span_id')),
    traceState: str(get(o, 'traceState', 'trace_state')),
    parentSpanId: id(get(o, 'parentSpanId', 'parent_span_id')),
    name: str(get(o, 'name')),
    kind: enumValue(get(o, 'kind'), SPAN_KIND_NAMES),
    startTimeUnixNano: int64(get(o, 'startTimeUnixNano', 'start_time_unix_nano')),
    endTimeUnixNano: int64(get(o, 'endTimeUnixNano', 'end_time_unix_nano')),
    attributes: keyValues(get(o, 'attributes'), `${path}.attributes`),
    droppedAttributesCount: count(get(o, 'droppedAttributesCount', 'dropped_attributes_count')),
    events: list(get(o, 'events'), `${path}.events`, event),
    droppedEventsCount: count(get(o, 'droppedEventsCount', 'dropped_events_count')),
    links: list(get(o, 'links'), `${path}.links`, link),
    droppedLinksCount: count(get(o, 'droppedLinksCount', 'dropped_links_count')),
    status: status(get(o, 'status'), `${path}.status`),
  };
}

function event(v: unknown, path: string): OtlpEvent {
  const o = obj(v, path);
  return {
    timeUnixNano: int64(get(o, 'timeUnixNano', 'time_unix_nano')),
    name: str(get(o, 'name')),
    attributes: keyValues(get(o, 'attributes'), `${path}.attributes`),
    droppedAttributesCount: count(get(o, 'droppedAttributesCount', 'dropped_attributes_count')),
  };
}

function link(v: unknown, path: string): OtlpLink {
  const o = obj(v, path);
  return {
    traceId: id(get(o, 'traceId', 'trace_id')),
    spanId: id(get(o, 'spanId', 'span_id')),
    traceState: str(get(o, 'traceState', 'trace_state')),
    attributes: keyValues(get(o, 'attributes'), `${path}.attributes`),
    droppedAttributesCount: count(get(o, 'droppedAttributesCount', 'dropped_attributes_count')),
  };
}

function status(v: unknown, path: string): OtlpStatus | undefined {
  if (v == null) return undefined;
  const o = obj(v, path);
  return { code: enumValue(get(o, 'code'), STATUS_CODE_NAMES), message: str(get(o, 'message')) };
}
type OtlpStatus = NonNullable<OtlpSpan['status']>;

function keyValues(v: unknown, path: string, depth = 0): OtlpKeyValue[] {
  return list(v, path, (kv, p) => {
    const o = obj(kv, p);
    const value = get(o, 'value');
    const out: OtlpKeyValue = { key: str(get(o, 'key')) ?? '' };
    if (value != null) out.value = anyValue(value, `${p}.value`, depth);
    return out;
  });
}

/** Arrays and maps nest; a limit keeps a hostile request from exhausting the stack (a 500 instead of a 400). */
const MAX_VALUE_DEPTH = 64;

function anyValue(v: unknown, path: string, depth = 0): OtlpAnyValue {
  if (depth > MAX_VALUE_DEPTH) {
    throw new DecodeError(
      `Malformed reading ExportTraceServiceRequest from json: ${path.slice(0, 80)}... nests more than ${MAX_VALUE_DEPTH} values deep`,
    );
  }
  const o = obj(v, path);
  const s = get(o, 'stringValue', 'string_value');
  if (s != null) return { stringValue: typeof s === 'string' ? s : String(s) };
  const b = get(o, 'boolValue', 'bool_value');
  if (b != null) return { boolValue: b === true || b === 'true' };
  const i = get(o, 'intValue', 'int_value');
  if (i != null) return { intValue: typeof i === 'number' ? i : String(i) };
  const d = get(o, 'doubleValue', 'double_value');
  if (d != null) return { doubleValue: Number(d) };
  const a = get(o, 'arrayValue', 'array_value');
  if (a != null)
    return {
      arrayValue: {
        values: list(get(obj(a, path), 'values'), `${path}.arrayValue.values`, (x, p) =>
          anyValue(x, p, depth + 1),
        ),
      },
    };
  const kv = get(o, 'kvlistValue', 'kvlist_value');
  if (kv != null)
    return {
      kvlistValue: {
        values: keyValues(get(obj(kv, path), 'values'), `${path}.kvlistValue.values`, depth + 1),
      },
    };
  const bytes = get(o, 'bytesValue', 'bytes_value');
  // proto3 JSON: bytes are base64 (only trace and span ids are hex in OTLP/JSON).
  if (typeof bytes === 'string') return { bytesValue: Buffer.from(bytes, 'base64') };
  return {};
}

function get(o: Json, camel: string, snake?: string): unknown {
  const v = o[camel];
  return v === undefined && snake !== undefined ? o[snake] : v;
}

function obj(v: unknown, path: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new DecodeError(
      `Malformed reading ExportTraceServiceRequest from json: ${path} should be an object`,
    );
  }
  return v as Json;
}

function list<T>(v: unknown, path: string, item: (x: unknown, path: string) => T): T[] {
  if (v == null) return [];
  if (!Array.isArray(v)) {
    throw new DecodeError(
      `Malformed reading ExportTraceServiceRequest from json: ${path} should be an array`,
    );
  }
  return v.map((x, i) => item(x, `${path}[${i}]`));
}

function str(v: unknown): string | undefined {
  return v == null ? undefined : String(v);
}

/** OTLP/JSON: ids are hex, case-insensitive. Validity (length, hex digits) is checked per span later. */
function id(v: unknown): string | undefined {
  return v == null ? undefined : String(v).toLowerCase();
}

function int64(v: unknown): string | number | undefined {
  if (v == null) return undefined;
  return typeof v === 'number' ? v : String(v);
}

function count(v: unknown): number | undefined {
  if (v == null) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function enumValue(v: unknown, names: Record<string, number>): number | undefined {
  if (v == null) return undefined;
  if (typeof v === 'number') return v;
  const s = String(v);
  return /^\d+$/.test(s) ? Number(s) : (names[s] ?? -1);
}

/** ExportTraceServiceResponse in OTLP/JSON; int64 rejectedSpans is a decimal string (proto3 JSON). */
export function encodeOtlpResponseJson(partial?: PartialSuccess): string {
  if (!partial) return '{}';
  return JSON.stringify({
    partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage },
  });
}

/** google.rpc.Status in JSON (the 400 body of OTLP/HTTP for a JSON request). */
export function encodeRpcStatusJson(code: number, message: string): string {
  return JSON.stringify({ code, message });
}
