import { isJaegerJson, jaegerToV2 } from './convert-jaeger';
import { isOtlpJson, otlpToV2 } from './convert-otlp';
import type { Annotation, Endpoint, Span, SpanKind } from './span-types';

/**
 * Reads a trace file for the trace viewer: a Zipkin v2 span list, a Zipkin v1 span list, a list of
 * such lists (what /api/v2/traces returns), OTLP/JSON (resourceSpans) or a Jaeger UI export ({data}); the
 * last two are converted to v2 with the server's mapping rules. The file is untrusted input, so every field is checked and
 * coerced here; v1 spans are converted to v2 by zipkin's V1SpanConverter rules (core annotations decide
 * the kind and split a shared client+server span in two).
 * Returns the spans grouped by trace id; throws Error with a message a user can act on.
 */
export function parseTraceFile(text: string): Map<string, Span[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`This file is not JSON: ${(e as Error).message}`);
  }
  if (isOtlpJson(json)) json = otlpToV2(json);
  else if (isJaegerJson(json)) json = jaegerToV2(json);
  if (!Array.isArray(json)) {
    throw new Error('Expected a JSON array of spans (Zipkin v1 or v2), an array of traces, OTLP/JSON ({"resourceSpans": …}) or a Jaeger export ({"data": […]}).');
  }
  const flat: unknown[] = json.every((x) => Array.isArray(x)) ? (json as unknown[][]).flat() : json;
  const spans: Span[] = [];
  for (const [i, raw] of flat.entries()) {
    if (raw === null || typeof raw !== 'object') throw new Error(`Element ${i} is not a span object.`);
    const o = raw as Record<string, unknown>;
    const converted = isV1(o) ? fromV1(o, i) : [fromV2(o, i)];
    spans.push(...converted);
  }
  if (spans.length === 0) throw new Error('The file holds no spans.');
  const byTrace = new Map<string, Span[]>();
  for (const s of spans) {
    // Group by the low 64 bits, as zipkin links mixed 64/128-bit instrumentation.
    const key = s.traceId.slice(-16);
    let list = byTrace.get(key);
    if (!list) byTrace.set(key, (list = []));
    list.push(s);
  }
  return byTrace;
}

function isV1(o: Record<string, unknown>): boolean {
  if ('binaryAnnotations' in o) return true;
  if ('localEndpoint' in o || 'remoteEndpoint' in o || 'kind' in o || 'tags' in o) return false;
  return Array.isArray(o.annotations) && o.annotations.some((a) => a && typeof a === 'object' && 'endpoint' in a);
}

function hexId(v: unknown, field: string, i: number, len: 16 | 32): string {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{1,32}$/.test(v)) {
    throw new Error(`Span ${i}: ${field} must be a hex string, got ${JSON.stringify(v)?.slice(0, 40)}`);
  }
  const lower = v.toLowerCase();
  const width = len === 32 && lower.length > 16 ? 32 : 16;
  return lower.length > width ? lower.slice(-width) : lower.padStart(width, '0');
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.trunc(n) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function endpoint(v: unknown): Endpoint | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const e: Endpoint = {};
  const name = str(o.serviceName);
  if (name) e.serviceName = name.toLowerCase();
  const v4 = str(o.ipv4);
  if (v4) e.ipv4 = v4;
  const v6 = str(o.ipv6);
  if (v6) e.ipv6 = v6;
  const port = num(o.port);
  if (port) e.port = port;
  return Object.keys(e).length > 0 ? e : undefined;
}

const KINDS: readonly string[] = ['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'];

function fromV2(o: Record<string, unknown>, i: number): Span {
  const s: Span = { traceId: hexId(o.traceId, 'traceId', i, 32), id: hexId(o.id, 'id', i, 16) };
  if (o.parentId != null) s.parentId = hexId(o.parentId, 'parentId', i, 16);
  if (typeof o.kind === 'string' && KINDS.includes(o.kind)) s.kind = o.kind as SpanKind;
  const name = str(o.name);
  if (name) s.name = name.toLowerCase();
  const ts = num(o.timestamp);
  if (ts) s.timestamp = ts;
  const d = num(o.duration);
  if (d) s.duration = d;
  const le = endpoint(o.localEndpoint);
  if (le) s.localEndpoint = le;
  const re = endpoint(o.remoteEndpoint);
  if (re) s.remoteEndpoint = re;
  const anns = annotations(o.annotations);
  if (anns.length) s.annotations = anns;
  if (o.tags && typeof o.tags === 'object') {
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.tags as Record<string, unknown>)) {
      if (v !== null && v !== undefined) tags[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    if (Object.keys(tags).length) s.tags = tags;
  }
  if (o.debug === true) s.debug = true;
  if (o.shared === true) s.shared = true;
  return s;
}

function annotations(v: unknown): Annotation[] {
  if (!Array.isArray(v)) return [];
  const out: Annotation[] = [];
  for (const a of v) {
    if (!a || typeof a !== 'object') continue;
    const ts = num((a as Record<string, unknown>).timestamp);
    const value = str((a as Record<string, unknown>).value);
    if (ts && value) out.push({ timestamp: ts, value });
  }
  return out.sort((x, y) => x.timestamp - y.timestamp || x.value.localeCompare(y.value));
}

interface V1Ann {
  timestamp: number;
  value: string;
  endpoint: Endpoint | undefined;
}

/** zipkin V1SpanConverter, reduced to what a viewer needs. */
function fromV1(o: Record<string, unknown>, i: number): Span[] {
  const base: Span = { traceId: hexId(o.traceId, 'traceId', i, 32), id: hexId(o.id, 'id', i, 16) };
  if (o.parentId != null) base.parentId = hexId(o.parentId, 'parentId', i, 16);
  const name = str(o.name);
  if (name && name !== '') base.name = name.toLowerCase();
  if (o.debug === true) base.debug = true;
  const anns: V1Ann[] = [];
  for (const a of Array.isArray(o.annotations) ? o.annotations : []) {
    if (!a || typeof a !== 'object') continue;
    const r = a as Record<string, unknown>;
    const ts = num(r.timestamp);
    const value = str(r.value);
    if (ts && value) anns.push({ timestamp: ts, value, endpoint: endpoint(r.endpoint) });
  }
  const find = (v: string): V1Ann | undefined => anns.find((a) => a.value === v);
  const cs = find('cs'), cr = find('cr'), sr = find('sr'), ss = find('ss'), ms = find('ms'), mr = find('mr');
  const spanTs = num(o.timestamp);
  const spanDur = num(o.duration);

  const out: Span[] = [];
  let client: Span | undefined;
  let server: Span | undefined;
  let messaging: Span | undefined;
  if (cs || cr) {
    client = { ...base, kind: 'CLIENT' };
    const ep = (cs ?? cr)!.endpoint;
    if (ep) client.localEndpoint = ep;
    const ts = spanTs ?? cs?.timestamp;
    if (ts) client.timestamp = ts;
    const d = spanDur ?? (cs && cr ? cr.timestamp - cs.timestamp : undefined);
    if (d && d > 0) client.duration = d;
    out.push(client);
  }
  if (sr || ss) {
    server = { ...base, kind: 'SERVER' };
    const ep = (sr ?? ss)!.endpoint;
    if (ep) server.localEndpoint = ep;
    // zipkin: when the client owns the span timestamp (or none is set), the server half is shared.
    if (client || !spanTs) server.shared = true;
    const ts = client ? sr?.timestamp : (spanTs ?? sr?.timestamp);
    if (ts) server.timestamp = ts;
    const d = client || !spanDur ? (sr && ss ? ss.timestamp - sr.timestamp : undefined) : spanDur;
    if (d && d > 0) server.duration = d;
    out.push(server);
  }
  if (!client && !server && (ms || mr)) {
    messaging = { ...base, kind: ms ? 'PRODUCER' : 'CONSUMER' };
    const ep = (ms ?? mr)!.endpoint;
    if (ep) messaging.localEndpoint = ep;
    const ts = spanTs ?? (ms ?? mr)!.timestamp;
    messaging.timestamp = ts;
    out.push(messaging);
  }
  if (out.length === 0) {
    const local: Span = { ...base };
    const ep = anns[0]?.endpoint;
    if (ep) local.localEndpoint = ep;
    if (spanTs) local.timestamp = spanTs;
    if (spanDur) local.duration = spanDur;
    out.push(local);
  }

  const sameEp = (s: Span, ep: Endpoint | undefined): boolean =>
    ep !== undefined && s.localEndpoint?.serviceName === ep.serviceName;
  const owner = (ep: Endpoint | undefined): Span => out.find((s) => sameEp(s, ep)) ?? out[0]!;
  const core = new Set(['cs', 'cr', 'sr', 'ss', 'ms', 'mr']);
  for (const a of anns) {
    if (core.has(a.value)) continue;
    const s = owner(a.endpoint);
    (s.annotations ??= []).push({ timestamp: a.timestamp, value: a.value });
  }
  for (const b of Array.isArray(o.binaryAnnotations) ? o.binaryAnnotations : []) {
    if (!b || typeof b !== 'object') continue;
    const r = b as Record<string, unknown>;
    const key = str(r.key);
    if (!key) continue;
    const ep = endpoint(r.endpoint);
    // zipkin: sa/ca/ma are address annotations naming the other side of the call.
    if (key === 'sa' && ep) {
      if (client) client.remoteEndpoint = ep;
      continue;
    }
    if (key === 'ca' && ep) {
      if (server) server.remoteEndpoint = ep;
      continue;
    }
    if (key === 'ma' && ep) {
      if (messaging) messaging.remoteEndpoint = ep;
      continue;
    }
    const s = owner(ep);
    if (key === 'lc' && !s.localEndpoint && ep) s.localEndpoint = ep;
    const value = r.value;
    if (value === undefined || value === null) continue;
    (s.tags ??= {})[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  for (const s of out) s.annotations?.sort((x, y) => x.timestamp - y.timestamp);
  return out;
}
