import { DecodeError } from '../../model/decode-error.js';
import { normalizeSpanId, normalizeTraceId } from '../../model/ids.js';
import { normalizeSpan, type SpanInput } from '../../model/normalize-span.js';
import type { Span, SpanLink } from '../../model/span.js';
import {
  atSpan,
  isJsonObject,
  jsonTypeName,
  parseJsonList,
  parseJsonObject,
  type JsonObject,
} from './read-json-list.js';
import { escapeLineSeparators, quote, writeEndpoint, writeStringMap } from './write-json.js';

export interface JsonV2EncodeOptions {
  /** Also write Skein's extension fields (span links), which zipkin does not define. Default false. */
  extensions?: boolean;
}

const WRONG_FLAVOUR = 'Expected a JSON_V2 encoded list, but received: JSON_V1';

/**
 * Decodes a zipkin JSON v2 list (POST /api/v2/spans). Lenient like zipkin's reader: null and unknown fields
 * are skipped; every span is validated and normalized by normalizeSpan. Throws DecodeError.
 */
export function decodeJsonV2List(bytes: Uint8Array | string): Span[] {
  const list = parseJsonList(bytes);
  const out = new Array<Span>(list.length);
  for (let i = 0; i < list.length; i++) {
    const raw = list[i];
    if (!isJsonObject(raw)) {
      throw new DecodeError(
        `Malformed reading List<Span> from json: expected a span object at $[${i}] but was ${jsonTypeName(raw)}`,
      );
    }
    if (hasV1Fields(raw)) throw new DecodeError(WRONG_FLAVOUR);
    try {
      out[i] = readSpan(raw);
    } catch (e) {
      throw atSpan(e, i);
    }
  }
  return out;
}

/** Decodes one JSON v2 span object. */
export function decodeJsonV2Span(bytes: Uint8Array | string): Span {
  const raw = parseJsonObject(bytes);
  if (hasV1Fields(raw)) throw new DecodeError('Expected a JSON_V2 encoded span, but received: JSON_V1');
  try {
    return readSpan(raw);
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(`${e.message} reading Span from json`);
    throw e;
  }
}

/** Encodes spans as a zipkin JSON v2 list, fields in zipkin's order. */
export function encodeJsonV2List(spans: readonly Span[], opts?: JsonV2EncodeOptions): string {
  const ext = opts?.extensions === true;
  let s = '[';
  for (let i = 0; i < spans.length; i++) {
    if (i > 0) s += ',';
    s += writeSpan(spans[i]!, ext);
  }
  return escapeLineSeparators(s + ']');
}

/** Encodes a list of traces (the /api/v2/traces response shape: [[span...]...]). */
export function encodeJsonV2Traces(
  traces: ReadonlyArray<readonly Span[]>,
  opts?: JsonV2EncodeOptions,
): string {
  const ext = opts?.extensions === true;
  let s = '[';
  for (let t = 0; t < traces.length; t++) {
    if (t > 0) s += ',';
    s += '[';
    const spans = traces[t]!;
    for (let i = 0; i < spans.length; i++) {
      if (i > 0) s += ',';
      s += writeSpan(spans[i]!, ext);
    }
    s += ']';
  }
  return escapeLineSeparators(s + ']');
}

export function encodeJsonV2Span(span: Span, opts?: JsonV2EncodeOptions): string {
  return escapeLineSeparators(writeSpan(span, opts?.extensions === true));
}

/**
 * A v1 span has binaryAnnotations or annotations carrying an endpoint; v2 has neither. zipkin rejects such
 * a body on the v2 endpoint rather than silently dropping the v1 data.
 */
function hasV1Fields(raw: JsonObject): boolean {
  if (raw.binaryAnnotations !== undefined) return true;
  const annotations = raw.annotations;
  if (!Array.isArray(annotations)) return false;
  for (let i = 0; i < annotations.length; i++) {
    const a: unknown = annotations[i];
    if (isJsonObject(a) && a.endpoint != null) return true;
  }
  return false;
}

function readSpan(raw: JsonObject): Span {
  // The parsed object already has SpanInput's shape; normalizeSpan type-checks every field it reads.
  if (raw.links == null) return normalizeSpan(raw as SpanInput);
  return normalizeSpan({ ...(raw as SpanInput), links: readLinks(raw.links) });
}

/** Skein extension: links as written by encodeJsonV2List with {extensions: true}. */
function readLinks(raw: unknown): SpanLink[] {
  if (!Array.isArray(raw)) throw new DecodeError(`links: Expected an array but was ${jsonTypeName(raw)}`);
  const out: SpanLink[] = [];
  raw.forEach((l: unknown, i) => {
    if (!isJsonObject(l)) throw new DecodeError(`links[${i}]: Expected an object but was ${jsonTypeName(l)}`);
    const link: SpanLink = {
      traceId: normalizeTraceId(requireString(l.traceId, `links[${i}].traceId`), `links[${i}].traceId`),
      spanId: normalizeSpanId(requireString(l.spanId, `links[${i}].spanId`), `links[${i}].spanId`),
    };
    if (l.type === 'FOLLOWS_FROM' || l.type === 'CHILD_OF' || l.type === 'link') link.type = l.type;
    if (l.tags != null) {
      if (!isJsonObject(l.tags)) {
        throw new DecodeError(`links[${i}].tags: Expected an object but was ${jsonTypeName(l.tags)}`);
      }
      const tags: Record<string, string> = {};
      for (const [k, v] of Object.entries(l.tags)) {
        if (typeof v !== 'string') {
          throw new DecodeError(`links[${i}].tags.${k}: Expected a string but was ${jsonTypeName(v)}`);
        }
        tags[k] = v;
      }
      link.tags = tags;
    }
    out.push(link);
  });
  return out;
}

function requireString(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  throw new DecodeError(
    v == null ? `${field} is required` : `${field}: Expected a string but was ${jsonTypeName(v)}`,
  );
}

/** zipkin V2SpanWriter field order. Absent fields are not written; debug and shared only when true. */
function writeSpan(span: Span, extensions: boolean): string {
  let s = '{"traceId":' + quote(span.traceId);
  if (span.parentId !== undefined) s += ',"parentId":' + quote(span.parentId);
  s += ',"id":' + quote(span.id);
  if (span.kind !== undefined) s += ',"kind":' + quote(span.kind);
  if (span.name !== undefined) s += ',"name":' + quote(span.name);
  if (span.timestamp !== undefined) s += ',"timestamp":' + span.timestamp;
  if (span.duration !== undefined) s += ',"duration":' + span.duration;
  if (span.localEndpoint !== undefined) s += ',"localEndpoint":' + writeEndpoint(span.localEndpoint);
  if (span.remoteEndpoint !== undefined) s += ',"remoteEndpoint":' + writeEndpoint(span.remoteEndpoint);
  const annotations = span.annotations;
  if (annotations !== undefined && annotations.length > 0) {
    s += ',"annotations":[';
    for (let i = 0; i < annotations.length; i++) {
      const a = annotations[i]!;
      if (i > 0) s += ',';
      s += '{"timestamp":' + a.timestamp + ',"value":' + quote(a.value) + '}';
    }
    s += ']';
  }
  if (span.tags !== undefined) {
    const tags = writeStringMap(span.tags);
    if (tags !== '{}') s += ',"tags":' + tags;
  }
  if (span.debug === true) s += ',"debug":true';
  if (span.shared === true) s += ',"shared":true';
  if (extensions && span.links !== undefined && span.links.length > 0)
    s += ',"links":' + writeLinks(span.links);
  return s + '}';
}

function writeLinks(links: readonly SpanLink[]): string {
  let s = '[';
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    if (i > 0) s += ',';
    s += '{"traceId":' + quote(l.traceId) + ',"spanId":' + quote(l.spanId);
    if (l.type !== undefined) s += ',"type":' + quote(l.type);
    if (l.tags !== undefined) s += ',"tags":' + writeStringMap(l.tags);
    s += '}';
  }
  return s + ']';
}
