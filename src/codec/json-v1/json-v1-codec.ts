import { DecodeError } from '../../model/decode-error.js';
import type { Endpoint, Span } from '../../model/span.js';
import {
  atSpan,
  isJsonObject,
  jsonTypeName,
  parseJsonList,
  type JsonObject,
} from '../json-v2/read-json-list.js';
import { escapeLineSeparators, quote, writeEndpoint } from '../json-v2/write-json.js';
import { v1ToV2 } from '../v1/v1-to-v2.js';
import { v2ToV1 } from '../v1/v2-to-v1.js';
import type { V1Annotation, V1BinaryAnnotation, V1Span } from '../v1/v1-span.js';

const WRONG_FLAVOUR = 'Expected a JSON_V1 encoded list, but received: JSON_V2';

/**
 * Decodes a zipkin JSON v1 list (POST /api/v1/spans) into v2 spans: each v1 span is read leniently (null
 * and unknown fields skipped, like zipkin's V1JsonSpanReader) and converted with v1ToV2.
 */
export function decodeJsonV1List(bytes: Uint8Array | string): Span[] {
  const list = parseJsonList(bytes);
  const out: Span[] = [];
  for (let i = 0; i < list.length; i++) {
    const raw = list[i];
    if (!isJsonObject(raw)) {
      throw new DecodeError(
        `Malformed reading List<Span> from json: expected a span object at $[${i}] but was ${jsonTypeName(raw)}`,
      );
    }
    if (hasV2Fields(raw)) throw new DecodeError(WRONG_FLAVOUR);
    try {
      for (const span of v1ToV2(readV1Span(raw))) out.push(span);
    } catch (e) {
      throw atSpan(e, i);
    }
  }
  return out;
}

/** Encodes spans as a zipkin JSON v1 list (what zipkin's v1 API returned), via v2ToV1. */
export function encodeJsonV1List(spans: readonly Span[]): string {
  let s = '[';
  for (let i = 0; i < spans.length; i++) {
    if (i > 0) s += ',';
    s += writeV1Span(v2ToV1(spans[i]!));
  }
  return escapeLineSeparators(s + ']');
}

/** v1 has no map-valued fields, so any of these keys means a v2 span was sent to the v1 endpoint. */
function hasV2Fields(raw: JsonObject): boolean {
  return (
    raw.localEndpoint !== undefined ||
    raw.remoteEndpoint !== undefined ||
    raw.kind !== undefined ||
    raw.tags !== undefined ||
    raw.shared !== undefined
  );
}

function readV1Span(raw: JsonObject): V1Span {
  const span: V1Span = {
    traceId: requiredString(raw.traceId, 'traceId'),
    id: requiredString(raw.id, 'id'),
    annotations: [],
    binaryAnnotations: [],
  };
  const name = optionalString(raw.name, 'name');
  if (name !== undefined) span.name = name;
  const parentId = optionalString(raw.parentId, 'parentId');
  if (parentId !== undefined) span.parentId = parentId;
  const timestamp = optionalLong(raw.timestamp, 'timestamp');
  if (timestamp !== undefined) span.timestamp = timestamp;
  const duration = optionalLong(raw.duration, 'duration');
  if (duration !== undefined) span.duration = duration;
  if (raw.debug === true) span.debug = true;

  const annotations = optionalArray(raw.annotations, 'annotations');
  for (let j = 0; j < annotations.length; j++) span.annotations.push(readAnnotation(annotations[j], j));
  const binary = optionalArray(raw.binaryAnnotations, 'binaryAnnotations');
  for (let j = 0; j < binary.length; j++) span.binaryAnnotations.push(readBinaryAnnotation(binary[j], j));
  return span;
}

function readAnnotation(raw: unknown, j: number): V1Annotation {
  const field = `annotations[${j}]`;
  if (!isJsonObject(raw)) throw new DecodeError(`${field}: Expected an object but was ${jsonTypeName(raw)}`);
  const timestamp = optionalLong(raw.timestamp, `${field}.timestamp`);
  if (timestamp === undefined || typeof raw.value !== 'string') {
    throw new DecodeError(`Incomplete annotation at ${field}: timestamp and value are required`);
  }
  const endpoint = readEndpoint(raw.endpoint);
  return endpoint === undefined ? { timestamp, value: raw.value } : { timestamp, value: raw.value, endpoint };
}

/** zipkin: string values are tags (or lenient addresses), a boolean true is an address; others are dropped. */
function readBinaryAnnotation(raw: unknown, j: number): V1BinaryAnnotation {
  const field = `binaryAnnotations[${j}]`;
  if (!isJsonObject(raw)) throw new DecodeError(`${field}: Expected an object but was ${jsonTypeName(raw)}`);
  if (typeof raw.key !== 'string') throw new DecodeError(`No key at ${field}`);
  const value = raw.value;
  const out: V1BinaryAnnotation =
    typeof value === 'string'
      ? { key: raw.key, value, type: 'STRING' }
      : typeof value === 'boolean'
        ? { key: raw.key, value, type: 'BOOL' }
        : { key: raw.key, value: typeof value === 'number' ? value : 0, type: 'OTHER' };
  const endpoint = readEndpoint(raw.endpoint);
  if (endpoint !== undefined) out.endpoint = endpoint;
  return out;
}

/** Keeps only correctly typed endpoint fields; v1ToV2 normalizes them (case, IPs, port range). */
function readEndpoint(raw: unknown): Endpoint | undefined {
  if (!isJsonObject(raw)) return undefined;
  const e: Endpoint = {};
  if (typeof raw.serviceName === 'string') e.serviceName = raw.serviceName;
  if (typeof raw.ipv4 === 'string') e.ipv4 = raw.ipv4;
  if (typeof raw.ipv6 === 'string') e.ipv6 = raw.ipv6;
  if (typeof raw.port === 'number') e.port = raw.port;
  else if (typeof raw.port === 'string' && /^\d+$/.test(raw.port)) e.port = Number(raw.port);
  return e;
}

function requiredString(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  throw new DecodeError(
    v == null ? `${field} is required` : `${field}: Expected a string but was ${jsonTypeName(v)}`,
  );
}

function optionalString(v: unknown, field: string): string | undefined {
  return v == null ? undefined : requiredString(v, field);
}

/** int64 fields: a JSON number, or a decimal string as some tracers write them. */
function optionalLong(v: unknown, field: string): number | undefined {
  if (v == null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  throw new DecodeError(`${field}: Expected a number but was ${jsonTypeName(v)}`);
}

function optionalArray(v: unknown, field: string): unknown[] {
  if (v == null) return [];
  if (Array.isArray(v)) return v;
  throw new DecodeError(`${field}: Expected an array but was ${jsonTypeName(v)}`);
}

/** zipkin V1SpanWriter layout: name is always written, endpoints always carry serviceName. */
function writeV1Span(span: V1Span): string {
  let traceId = span.traceId;
  if (span.traceIdHigh !== undefined && !/^0*$/.test(span.traceIdHigh)) {
    traceId = span.traceIdHigh.padStart(16, '0') + traceId.padStart(16, '0');
  }
  let s = '{"traceId":' + quote(traceId);
  if (span.parentId !== undefined) s += ',"parentId":' + quote(span.parentId);
  s += ',"id":' + quote(span.id) + ',"name":' + quote(span.name ?? '');
  if (span.timestamp !== undefined && span.timestamp !== 0) s += ',"timestamp":' + span.timestamp;
  if (span.duration !== undefined && span.duration !== 0) s += ',"duration":' + span.duration;
  if (span.annotations.length > 0) {
    s += ',"annotations":[';
    span.annotations.forEach((a, i) => {
      if (i > 0) s += ',';
      s += '{"timestamp":' + a.timestamp + ',"value":' + quote(a.value);
      if (a.endpoint !== undefined) s += ',"endpoint":' + writeEndpoint(a.endpoint, true);
      s += '}';
    });
    s += ']';
  }
  if (span.binaryAnnotations.length > 0) {
    s += ',"binaryAnnotations":[';
    span.binaryAnnotations.forEach((b, i) => {
      if (i > 0) s += ',';
      s += '{"key":' + quote(b.key) + ',"value":';
      s +=
        b.type === 'BOOL'
          ? String(b.value === true)
          : quote(typeof b.value === 'string' ? b.value : String(b.value));
      if (b.endpoint !== undefined) s += ',"endpoint":' + writeEndpoint(b.endpoint, true);
      s += '}';
    });
    s += ']';
  }
  if (span.debug === true) s += ',"debug":true';
  return s + '}';
}
