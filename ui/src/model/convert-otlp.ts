/**
 * OTLP/JSON (ExportTraceServiceRequest or TracesData: resourceSpans -> scopeSpans -> spans) to Zipkin v2
 * span objects, for the trace viewer. The rules are the server's (src/codec/otlp/otlp-span-mapper.ts,
 * after the otel spec's zipkin exporter mapping); that module needs node, so this is the browser's own
 * small copy of the rules, sharing the attribute lists with it. The output is raw v2 JSON:
 * parse-trace-file validates it like any v2 file.
 */

import {
  REMOTE_IP_KEYS,
  REMOTE_PORT_KEYS,
  REMOTE_SERVICE_RANKING,
} from '../../../src/codec/otlp/otlp-remote-endpoint-keys.js';

type Obj = Record<string, unknown>;

const KINDS: Record<string, string> = {
  '2': 'SERVER',
  '3': 'CLIENT',
  '4': 'PRODUCER',
  '5': 'CONSUMER',
  SPAN_KIND_SERVER: 'SERVER',
  SPAN_KIND_CLIENT: 'CLIENT',
  SPAN_KIND_PRODUCER: 'PRODUCER',
  SPAN_KIND_CONSUMER: 'CONSUMER',
};

export function isOtlpJson(json: unknown): boolean {
  return (
    json !== null &&
    typeof json === 'object' &&
    !Array.isArray(json) &&
    Array.isArray(pick(json as Obj, 'resourceSpans'))
  );
}

/** proto3 JSON allows both lowerCamelCase and the proto field name. */
function pick(o: Obj, camel: string): unknown {
  return camel in o ? o[camel] : o[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter((x): x is Obj => x !== null && typeof x === 'object') : [];
}

/** otel common: strings as-is, bools and numbers in decimal, arrays and maps as JSON, bytes as base64. */
function anyJson(v: unknown): unknown {
  if (!v || typeof v !== 'object') return null;
  const o = v as Obj;
  const s = pick(o, 'stringValue');
  if (s !== undefined) return String(s);
  const b = pick(o, 'boolValue');
  if (b !== undefined) return b === true || b === 'true';
  const i = pick(o, 'intValue');
  if (i !== undefined) {
    const n = Number(i);
    return Number.isSafeInteger(n) ? n : String(i);
  }
  const d = pick(o, 'doubleValue');
  if (d !== undefined) return typeof d === 'number' && Number.isFinite(d) ? d : String(d);
  const arr = pick(o, 'arrayValue');
  if (arr && typeof arr === 'object') return list(pick(arr as Obj, 'values')).map(anyJson);
  const kv = pick(o, 'kvlistValue');
  if (kv && typeof kv === 'object') return attrsJson(pick(kv as Obj, 'values'));
  const bytes = pick(o, 'bytesValue');
  if (typeof bytes === 'string') return bytes;
  return null;
}

function attrsJson(v: unknown): Obj {
  const out: Obj = {};
  for (const kv of list(v)) if (typeof kv.key === 'string') out[kv.key] = anyJson(kv.value);
  return out;
}

function tagsOf(v: unknown, into: Record<string, string> = {}): Record<string, string> {
  for (const [k, j] of Object.entries(attrsJson(v))) into[k] = typeof j === 'string' ? j : JSON.stringify(j);
  return into;
}

/** Epoch nanoseconds (a decimal string or number); 0 when absent or not a number. */
function nanos(v: unknown): bigint {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  return 0n;
}

function micros(v: unknown): number {
  return Number(nanos(v) / 1000n);
}

/**
 * OTLP/JSON ids are hex; some tools write the protobuf default (base64) instead. The viewer reads both,
 * which is more lenient than the server, so a file from such a tool still opens.
 */
function id(v: unknown, bytes: number): unknown {
  if (typeof v !== 'string' || /^[0-9a-fA-F]*$/.test(v) || v.length !== Math.ceil(bytes / 3) * 4) return v;
  try {
    return [...atob(v)].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  } catch {
    return v;
  }
}

function isIp(v: string): boolean {
  return /^(\d{1,3}\.){3}\d{1,3}$/.test(v) || (v.includes(':') && /^[0-9a-fA-F:.]+$/.test(v));
}

function remoteEndpoint(tags: Record<string, string>): Obj | undefined {
  const ep: Obj = {};
  const key = REMOTE_SERVICE_RANKING.find((k) => tags[k]);
  if (key) ep.serviceName = tags[key];
  const ipKey = REMOTE_IP_KEYS.find((k) => tags[k] && isIp(tags[k]!));
  if (ipKey) ep[tags[ipKey]!.includes(':') ? 'ipv6' : 'ipv4'] = tags[ipKey];
  const portKey = REMOTE_PORT_KEYS.find((k) => tags[k] && /^\d+$/.test(tags[k]!) && Number(tags[k]) <= 65535);
  if (portKey) ep.port = Number(tags[portKey]);
  return Object.keys(ep).length > 0 ? ep : undefined;
}

export function otlpToV2(json: unknown): Obj[] {
  const out: Obj[] = [];
  for (const rs of list(pick(json as Obj, 'resourceSpans'))) {
    const resource = pick(rs, 'resource');
    const resourceTags = tagsOf(
      resource && typeof resource === 'object' ? pick(resource as Obj, 'attributes') : undefined,
    );
    const serviceName = resourceTags['service.name'];
    delete resourceTags['service.name'];
    // Old exporters wrote instrumentationLibrarySpans; the shape is the same.
    const scopes = [...list(pick(rs, 'scopeSpans')), ...list(pick(rs, 'instrumentationLibrarySpans'))];
    for (const ss of scopes) {
      const scope = (pick(ss, 'scope') ?? pick(ss, 'instrumentationLibrary')) as Obj | undefined;
      for (const s of list(pick(ss, 'spans'))) out.push(spanToV2(s, serviceName, resourceTags, scope));
    }
  }
  return out;
}

function spanToV2(
  s: Obj,
  serviceName: string | undefined,
  resourceTags: Record<string, string>,
  scope: Obj | undefined,
): Obj {
  const kind = KINDS[String(pick(s, 'kind'))];
  const startNs = nanos(pick(s, 'startTimeUnixNano'));
  const endNs = nanos(pick(s, 'endTimeUnixNano'));
  const start = Number(startNs / 1000n);
  // Resource attributes first, so a span attribute of the same name wins.
  const tags: Record<string, string> = { ...resourceTags };
  const attrs = pick(s, 'attributes');
  tagsOf(attrs, tags);
  if (scope && typeof scope.name === 'string' && scope.name) tags['otel.scope.name'] = scope.name;
  if (scope && typeof scope.version === 'string' && scope.version) tags['otel.scope.version'] = scope.version;
  const status = pick(s, 'status') as Obj | undefined;
  const code = status ? String(status.code) : '';
  if (code === '1' || code === 'STATUS_CODE_OK') tags['otel.status_code'] = 'OK';
  else if (code === '2' || code === 'STATUS_CODE_ERROR') {
    tags['otel.status_code'] = 'ERROR';
    tags.error = typeof status?.message === 'string' ? status.message : '';
  }
  for (const [field, tag] of [
    ['droppedAttributesCount', 'otel.dropped_attributes_count'],
    ['droppedEventsCount', 'otel.dropped_events_count'],
    ['droppedLinksCount', 'otel.dropped_links_count'],
  ] as const) {
    const n = Number(pick(s, field));
    if (n > 0) tags[tag] = String(n);
  }
  const traceState = pick(s, 'traceState');
  if (typeof traceState === 'string' && traceState) tags['w3c.tracestate'] = traceState;

  const v2: Obj = {
    traceId: id(pick(s, 'traceId'), 16),
    id: id(pick(s, 'spanId'), 8),
    name: pick(s, 'name'),
    tags,
    annotations: list(pick(s, 'events')).map((e) => {
      const at = micros(pick(e, 'timeUnixNano'));
      const name = typeof e.name === 'string' ? e.name : '';
      const ea = pick(e, 'attributes');
      // otel zipkin exporter: `"name": {attributes as JSON}`, or just the name when there are none.
      const value = Array.isArray(ea) && ea.length > 0 ? `"${name}": ${JSON.stringify(attrsJson(ea))}` : name;
      return { timestamp: at > 0 ? at : start, value };
    }),
  };
  const parent = pick(s, 'parentSpanId');
  if (typeof parent === 'string' && parent !== '') v2.parentId = id(parent, 8);
  if (kind) v2.kind = kind;
  if (startNs > 0n) {
    v2.timestamp = start;
    // A span shorter than a microsecond still took time: 1μs rather than no duration.
    if (endNs > startNs) v2.duration = Math.max(1, Number(endNs / 1000n) - start);
  }
  if (serviceName) v2.localEndpoint = { serviceName };
  if (kind === 'CLIENT' || kind === 'PRODUCER') {
    const re = remoteEndpoint(tagsOf(attrs));
    if (re) v2.remoteEndpoint = re;
  }
  return v2;
}
