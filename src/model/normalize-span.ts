import { DecodeError } from './decode-error.js';
import { EndpointPortError, normalizeEndpoint, type EndpointInput } from './endpoint.js';
import { normalizeParentId, normalizeSpanId, normalizeTraceId } from './ids.js';
import { SPAN_KINDS, type Annotation, type Span, type SpanKind, type SpanLink } from './span.js';

/** What a decoder hands over: field values as found on the wire, not yet checked. */
export interface SpanInput {
  traceId?: unknown;
  parentId?: unknown;
  id?: unknown;
  kind?: unknown;
  name?: unknown;
  timestamp?: unknown;
  duration?: unknown;
  localEndpoint?: EndpointInput | null;
  remoteEndpoint?: EndpointInput | null;
  annotations?: ReadonlyArray<{ timestamp?: unknown; value?: unknown }> | null;
  tags?: Record<string, unknown> | null;
  debug?: unknown;
  shared?: unknown;
  links?: SpanLink[] | null;
}

/**
 * Applies every zipkin v2 normalization and validation rule (reference/zipkin.md section 2) and returns a
 * valid Span, or throws a DecodeError naming the field. Field insertion order is zipkin's JSON order so
 * that JSON.stringify of the result is already the canonical encoding.
 */
export function normalizeSpan(input: SpanInput): Span {
  const traceId = normalizeTraceId(asString(input.traceId, 'traceId'));
  const id = normalizeSpanId(asString(input.id, 'id'), 'id');
  const parentId = normalizeParentId(
    input.parentId == null ? undefined : asString(input.parentId, 'parentId'),
  );
  // Insertion order is zipkin's JSON field order, so parentId goes between traceId and id.
  const ordered = { traceId } as Span;
  if (parentId !== undefined && parentId !== id) ordered.parentId = parentId;
  ordered.id = id;

  if (input.kind != null && input.kind !== '') {
    const kind = String(input.kind).toUpperCase();
    if (!SPAN_KINDS.includes(kind as SpanKind)) {
      throw new DecodeError(
        `kind should be one of CLIENT, SERVER, PRODUCER, CONSUMER but was ${clip(String(input.kind))}`,
      );
    }
    ordered.kind = kind as SpanKind;
  }
  if (input.name != null) {
    const name = asString(input.name, 'name');
    if (name !== '') ordered.name = name.toLowerCase();
  }
  const timestamp = asMicros(input.timestamp, 'timestamp');
  if (timestamp !== undefined) ordered.timestamp = timestamp;
  const duration = asMicros(input.duration, 'duration');
  if (duration !== undefined) ordered.duration = duration;

  const local = endpoint(input.localEndpoint, 'localEndpoint');
  if (local) ordered.localEndpoint = local;
  const remote = endpoint(input.remoteEndpoint, 'remoteEndpoint');
  if (remote) ordered.remoteEndpoint = remote;

  if (input.annotations != null) {
    // Decoders hand over parsed wire data, so a wrong JSON type must become a DecodeError, not a TypeError.
    if (!Array.isArray(input.annotations)) {
      throw new DecodeError(`annotations: Expected an array but was ${typeName(input.annotations)}`);
    }
    if (input.annotations.length > 0) ordered.annotations = normalizeAnnotations(input.annotations);
  }
  if (input.tags != null) {
    if (typeof input.tags !== 'object' || Array.isArray(input.tags)) {
      throw new DecodeError(`tags: Expected an object but was ${typeName(input.tags)}`);
    }
    const tags: Record<string, string> = {};
    let any = false;
    for (const [k, v] of Object.entries(input.tags)) {
      if (typeof v !== 'string') {
        throw new DecodeError(`tags.${clip(k)}: Expected a string but was ${typeName(v)}`);
      }
      // A "__proto__" key is data like any other; plain assignment would set the prototype instead.
      if (k === '__proto__') Object.defineProperty(tags, k, { value: v, enumerable: true, writable: true, configurable: true });
      else tags[k] = v;
      any = true;
    }
    if (any) ordered.tags = tags;
  }
  if (input.debug === true) ordered.debug = true;
  // zipkin: shared only has meaning on the server side of an RPC; a CLIENT is never shared.
  if (input.shared === true && ordered.kind !== 'CLIENT') ordered.shared = true;
  if (input.links != null && input.links.length > 0) ordered.links = input.links;
  return ordered;
}

export function normalizeAnnotations(
  list: ReadonlyArray<{ timestamp?: unknown; value?: unknown }>,
): Annotation[] {
  const out: Annotation[] = [];
  list.forEach((a, i) => {
    if (a == null || typeof a !== 'object') {
      throw new DecodeError(`Incomplete annotation at annotations[${i}]: expected an object`);
    }
    const ts = asMicros(a.timestamp, `annotations[${i}].timestamp`);
    if (ts === undefined)
      throw new DecodeError(`Incomplete annotation at annotations[${i}]: timestamp is required`);
    if (typeof a.value !== 'string') {
      throw new DecodeError(`Incomplete annotation at annotations[${i}]: value is required`);
    }
    out.push({ timestamp: ts, value: a.value });
  });
  out.sort((x, y) => x.timestamp - y.timestamp || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
  return out.filter(
    (a, i) => i === 0 || a.timestamp !== out[i - 1]!.timestamp || a.value !== out[i - 1]!.value,
  );
}

function endpoint(input: EndpointInput | null | undefined, field: string) {
  try {
    return normalizeEndpoint(input);
  } catch (e) {
    if (e instanceof EndpointPortError) throw new DecodeError(`${field}: ${e.message}`);
    throw e;
  }
}

function asString(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (v == null) throw new DecodeError(`${field} is required`);
  throw new DecodeError(`${field}: Expected a string but was ${typeName(v)}`);
}

/** Epoch microseconds; zero or negative means absent (zipkin). Accepts decimal strings (int64 on the wire). */
function asMicros(v: unknown, field: string): number | undefined {
  if (v == null) return undefined;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') n = Number(v);
  else if (typeof v === 'string' && /^-?\d+$/.test(v)) n = Number(v);
  else throw new DecodeError(`${field}: Expected a number but was ${typeName(v)}`);
  if (!Number.isFinite(n)) throw new DecodeError(`${field}: not a finite number`);
  n = Math.trunc(n);
  return n > 0 ? n : undefined;
}

function typeName(v: unknown): string {
  if (v === null) return 'NULL';
  if (Array.isArray(v)) return 'BEGIN_ARRAY';
  switch (typeof v) {
    case 'boolean':
      return 'BOOLEAN';
    case 'number':
      return 'NUMBER';
    case 'object':
      return 'BEGIN_OBJECT';
    default:
      return typeof v === 'string' ? 'STRING' : typeof v;
  }
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
