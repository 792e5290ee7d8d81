import { DEBUG_FLAG } from '../../codec/jaeger/jaeger-span-mapper.js';
import type { Span } from '../../model/span.js';
import { mergeTrace } from '../../model/trace-merge.js';

/**
 * The Jaeger UI JSON trace model that /api/traces* answers (jaeger internal/uimodel/model.go), built
 * from stored Zipkin v2 spans. Shapes follow jaeger-query.md section 5; the field mapping follows
 * section 7, and reverses Skein's own ingest mappings (codec/jaeger/jaeger-span-mapper.ts,
 * codec/otlp/otlp-span-mapper.ts) so that a Jaeger or OTLP span reads back as it was sent.
 */

export type JaegerValueType = 'string' | 'bool' | 'int64' | 'float64' | 'binary';

export interface JaegerKeyValue {
  key: string;
  type: JaegerValueType;
  value: string | number | boolean;
}

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface JaegerLog {
  /** Epoch microseconds. */
  timestamp: number;
  fields: JaegerKeyValue[];
}

export interface JaegerUiSpan {
  traceID: string;
  spanID: string;
  /** Omitted when 0 (jaeger from_domain.go). */
  flags?: number;
  operationName: string;
  references: JaegerReference[];
  /** Epoch microseconds. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: JaegerKeyValue[];
  logs: JaegerLog[];
  processID: string;
  warnings: string[] | null;
}

export interface JaegerProcess {
  serviceName: string;
  tags: JaegerKeyValue[];
}

export interface JaegerUiTrace {
  traceID: string;
  spans: JaegerUiSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

/** zipkin: a span without a local service is shown as "unknown" (Skein's UI does the same). */
export const UNKNOWN_SERVICE = 'unknown';

/** jaeger flags: bit 1 "sampled", bit 2 "debug" (the ingest side reads DEBUG_FLAG). */
const SAMPLED_FLAG = 1;

export interface UiTraceOptions {
  /** jaeger `raw=true`: skip the adjusters (here: Zipkin merging and the shared-span split). */
  raw?: boolean;
}

/**
 * One stored trace as the Jaeger UI model. The spans are first merged as zipkin's Trace.merge does (the
 * reference: "do Zipkin merging first"), then Zipkin shared spans are split the way jaeger's
 * DeduplicateClientServerSpanIDs adjuster does (jaeger cmd/jaeger/internal/extension/jaegerquery/
 * internal/adjuster/spaniduniquifier.go), since the Jaeger UI cannot show two spans with one id.
 * Returns undefined for an empty trace: clients index spans[0] (grafana client_utils.go), so a trace with
 * no spans must never be sent.
 */
export function toUiTrace(stored: readonly Span[], options: UiTraceOptions = {}): JaegerUiTrace | undefined {
  if (stored.length === 0) return undefined;
  const spans = options.raw ? [...stored] : splitSharedSpans(mergeTrace(stored));
  // mergeTrace rewrites every span to the 128-bit id when any has one; in raw mode pick it the same way.
  const traceID = spans.find((s) => s.traceId.length === 32)?.traceId ?? spans[0]!.traceId;
  const processes = new ProcessTable();
  // A Zipkin span may lack a timestamp (a late fragment); the UI needs one, and 0 would put it in 1970.
  let earliest: number | undefined;
  for (const s of spans) {
    const ts = s.timestamp ?? s.annotations?.[0]?.timestamp;
    if (ts !== undefined && (earliest === undefined || ts < earliest)) earliest = ts;
  }
  const uiSpans = spans.map((s) => toUiSpan(s, traceID, processes, earliest ?? 0));
  return { traceID, spans: uiSpans, processes: processes.toJson(), warnings: null };
}

/**
 * jaeger spaniduniquifier.go: a SERVER span whose id is also used by another span of the trace (a Zipkin
 * shared span, B3 single-id propagation) gets the next unused id counting up from 1, its parent becomes
 * the shared id (the client span), and the children of the shared id are re-pointed to it, because they
 * were created by the server.
 */
export function splitSharedSpans(spans: readonly Span[]): Span[] {
  const counts = new Map<string, number>();
  for (const s of spans) counts.set(s.id, (counts.get(s.id) ?? 0) + 1);
  const renamed = new Map<string, string>();
  let next = 1n;
  const freshId = (): string => {
    for (;;) {
      const id = (next++).toString(16).padStart(16, '0');
      if (!counts.has(id)) {
        counts.set(id, 1);
        return id;
      }
    }
  };
  const out = spans.map((s) => {
    const isServerHalf = s.shared === true || s.kind === 'SERVER';
    if (!isServerHalf || (counts.get(s.id) ?? 0) < 2 || renamed.has(s.id)) return s;
    const id = freshId();
    renamed.set(s.id, id);
    return { ...s, id, parentId: s.id };
  });
  if (renamed.size === 0) return out;
  return out.map((s) => {
    if (s.parentId === undefined) return s;
    const to = renamed.get(s.parentId);
    // The split server itself keeps the shared id as its parent.
    if (to === undefined || to === s.id) return s;
    return { ...s, parentId: to };
  });
}

function toUiSpan(s: Span, traceID: string, processes: ProcessTable, fallbackStart: number): JaegerUiSpan {
  const references: JaegerReference[] = [];
  if (s.parentId !== undefined && s.parentId !== s.id) {
    references.push({ refType: 'CHILD_OF', traceID, spanID: s.parentId });
  }
  for (const link of s.links ?? []) {
    // OTLP links have no Jaeger type; jaeger's OTLP translator (traces_to_jaegerproto.go) sends them as FOLLOWS_FROM.
    references.push({
      refType: link.type === 'CHILD_OF' ? 'CHILD_OF' : 'FOLLOWS_FROM',
      traceID: link.traceId,
      spanID: link.spanId,
    });
  }
  const startTime = s.timestamp ?? s.annotations?.[0]?.timestamp ?? fallbackStart;
  const span: JaegerUiSpan = {
    traceID,
    spanID: s.id,
    operationName: s.name ?? '',
    references,
    startTime,
    duration: s.duration ?? 0,
    tags: spanTags(s),
    logs: (s.annotations ?? []).map((a) => ({ timestamp: a.timestamp, fields: logFields(a.value) })),
    processID: processes.idOf(processOf(s)),
    warnings: null,
  };
  if (s.debug) span.flags = SAMPLED_FLAG | DEBUG_FLAG;
  return span;
}

function str(key: string, value: string): JaegerKeyValue {
  return { key, type: 'string', value };
}

function int(key: string, value: number): JaegerKeyValue {
  return { key, type: 'int64', value };
}

/**
 * Tags: span.kind from kind; Zipkin tags as strings; the remote endpoint as the opentracing peer.* tags
 * the Jaeger ingest reads back (jaeger-span-mapper.ts) unless the span already carries them; the error
 * tag as jaeger-query.md section 7 suggests for Skein.
 */
function spanTags(s: Span): JaegerKeyValue[] {
  const tags: JaegerKeyValue[] = [];
  const given = s.tags ?? {};
  const has = (k: string) => Object.hasOwn(given, k);
  if (s.kind !== undefined && !has('span.kind')) tags.push(str('span.kind', s.kind.toLowerCase()));
  for (const [key, value] of Object.entries(given)) {
    if (key === 'error') continue;
    // opentelemetry zipkin exporter: instrumentation scope as otel.library.*; jaeger 2.x shows otel.scope.*.
    if (key === 'otel.library.name' && !has('otel.scope.name')) tags.push(str('otel.scope.name', value));
    else if (key === 'otel.library.version' && !has('otel.scope.version'))
      tags.push(str('otel.scope.version', value));
    else tags.push(str(key, value));
  }
  if (has('error')) {
    const text = given.error!;
    // zipkin: the presence of the error tag means failure; only the literal "false" says otherwise.
    const failed = text !== 'false';
    tags.push({ key: 'error', type: 'bool', value: failed });
    if (failed) {
      if (!has('otel.status_code')) tags.push(str('otel.status_code', 'ERROR'));
      // Keep the message where jaeger 2.x and Grafana show a status text; the old UI needs error=true.
      if (text !== '' && text !== 'true' && !has('otel.status_description'))
        tags.push(str('otel.status_description', text));
    }
  }
  const remote = s.remoteEndpoint;
  if (remote) {
    if (remote.serviceName !== undefined && !has('peer.service'))
      tags.push(str('peer.service', remote.serviceName));
    if (remote.ipv4 !== undefined && !has('peer.ipv4')) tags.push(str('peer.ipv4', remote.ipv4));
    if (remote.ipv6 !== undefined && !has('peer.ipv6')) tags.push(str('peer.ipv6', remote.ipv6));
    if (remote.port !== undefined && !has('peer.port')) tags.push(int('peer.port', remote.port));
  }
  return tags;
}

/**
 * The process is the local endpoint: its service and, as process tags, its address. The tag name "ip" is
 * what Jaeger clients report and what the Jaeger ingest maps to localEndpoint.ipv4 (jaeger 1.x flavour).
 */
function processOf(s: Span): JaegerProcess {
  const local = s.localEndpoint;
  const tags: JaegerKeyValue[] = [];
  if (local?.ipv4 !== undefined) tags.push(str('ip', local.ipv4));
  if (local?.ipv6 !== undefined) tags.push(str(local.ipv4 === undefined ? 'ip' : 'ipv6', local.ipv6));
  if (local?.port !== undefined) tags.push(int('port', local.port));
  return { serviceName: local?.serviceName ?? UNKNOWN_SERVICE, tags };
}

/**
 * An annotation is a log with one "event" field. The OTLP ingest stores an event with attributes as
 * `"name": {json}` (otlp-span-mapper.ts, after the otel zipkin exporter); that form is unpacked back into
 * typed fields, as jaeger 1.x did for JSON annotations.
 */
export function logFields(value: string): JaegerKeyValue[] {
  const m = /^"((?:[^"\\]|\\.)*)": (\{.*\})$/s.exec(value);
  if (m) {
    try {
      const attrs = JSON.parse(m[2]!) as unknown;
      if (attrs !== null && typeof attrs === 'object' && !Array.isArray(attrs)) {
        const fields = [str('event', JSON.parse(`"${m[1]!}"`) as string)];
        for (const [key, v] of Object.entries(attrs)) fields.push(typedValue(key, v));
        return fields;
      }
    } catch {
      // Not our JSON form after all: the whole text is the event.
    }
  }
  return [str('event', value)];
}

function typedValue(key: string, v: unknown): JaegerKeyValue {
  if (typeof v === 'boolean') return { key, type: 'bool', value: v };
  if (typeof v === 'number') return { key, type: Number.isInteger(v) ? 'int64' : 'float64', value: v };
  if (typeof v === 'string') return str(key, v);
  return str(key, JSON.stringify(v));
}

/** jaeger process_hashtable.go: one entry per distinct (serviceName, tags), keyed p1, p2, ... in first-seen order. */
class ProcessTable {
  private readonly byKey = new Map<string, string>();
  private readonly processes: Record<string, JaegerProcess> = {};

  idOf(p: JaegerProcess): string {
    const key = JSON.stringify(p);
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = `p${this.byKey.size + 1}`;
      this.byKey.set(key, id);
      this.processes[id] = p;
    }
    return id;
  }

  toJson(): Record<string, JaegerProcess> {
    return this.processes;
  }
}
