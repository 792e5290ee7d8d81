import { OTLP_SPAN_KIND, OTLP_STATUS_CODE } from '../../codec/otlp/otlp-types.js';
import type { JaegerKeyValue, JaegerUiSpan, JaegerUiTrace } from './jaeger-ui-model.js';

/**
 * OTLP/JSON for the api_v3 gateway (jaeger JQ/internal/apiv3/http_gateway.go; jaeger-query.md 4.6),
 * built from the Jaeger UI model so both APIs show one trace the same way (same shared-span split, same
 * tags). proto3-JSON rules: 32-hex trace ids, 16-hex span ids, int64 as decimal strings, enums as
 * integers (Grafana decodes kind and status.code into Go int64).
 */

export interface OtlpJsonValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  bytesValue?: string;
}
export interface OtlpJsonKeyValue {
  key: string;
  value: OtlpJsonValue;
}
export interface OtlpJsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpJsonKeyValue[];
  events: Array<{ timeUnixNano: string; name: string; attributes: OtlpJsonKeyValue[] }>;
  links: Array<{ traceId: string; spanId: string }>;
  status: { code: number; message?: string };
}
export interface OtlpJsonResourceSpans {
  resource: { attributes: OtlpJsonKeyValue[] };
  scopeSpans: Array<{ scope: { name?: string; version?: string }; spans: OtlpJsonSpan[] }>;
}

const KIND: Record<string, number> = {
  server: OTLP_SPAN_KIND.SERVER,
  client: OTLP_SPAN_KIND.CLIENT,
  producer: OTLP_SPAN_KIND.PRODUCER,
  consumer: OTLP_SPAN_KIND.CONSUMER,
  internal: OTLP_SPAN_KIND.INTERNAL,
};

/** Tags that are OTLP fields (kind, status, scope) rather than attributes. */
const FIELD_TAGS = new Set([
  'span.kind',
  'error',
  'otel.status_code',
  'otel.status_description',
  'otel.scope.name',
  'otel.scope.version',
]);

export const hex32 = (traceId: string): string => traceId.padStart(32, '0');

const ns = (us: number): string => (BigInt(Math.trunc(us)) * 1000n).toString();

export function otlpValue(kv: JaegerKeyValue): OtlpJsonKeyValue {
  switch (kv.type) {
    case 'bool':
      return { key: kv.key, value: { boolValue: kv.value === true } };
    case 'int64':
      return { key: kv.key, value: { intValue: String(kv.value) } };
    case 'float64':
      return { key: kv.key, value: { doubleValue: Number(kv.value) } };
    case 'binary':
      return { key: kv.key, value: { bytesValue: String(kv.value) } };
    default:
      return { key: kv.key, value: { stringValue: String(kv.value) } };
  }
}

/** One ResourceSpans per process, one ScopeSpans per instrumentation scope within it. */
export function toOtlpResourceSpans(trace: JaegerUiTrace): OtlpJsonResourceSpans[] {
  const out: OtlpJsonResourceSpans[] = [];
  const byProcess = new Map<string, OtlpJsonResourceSpans>();
  const scopes = new Map<string, OtlpJsonResourceSpans['scopeSpans'][number]>();
  for (const span of trace.spans) {
    let rs = byProcess.get(span.processID);
    if (!rs) {
      const p = trace.processes[span.processID];
      rs = {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: p?.serviceName ?? '' } },
            ...(p?.tags ?? []).map(otlpValue),
          ],
        },
        scopeSpans: [],
      };
      byProcess.set(span.processID, rs);
      out.push(rs);
    }
    const scope: { name?: string; version?: string } = {};
    const scopeName = tagValue(span, 'otel.scope.name');
    const scopeVersion = tagValue(span, 'otel.scope.version');
    if (scopeName !== undefined) scope.name = String(scopeName);
    if (scopeVersion !== undefined) scope.version = String(scopeVersion);
    const key = JSON.stringify([span.processID, scope.name, scope.version]);
    let ss = scopes.get(key);
    if (!ss) {
      ss = { scope, spans: [] };
      scopes.set(key, ss);
      rs.scopeSpans.push(ss);
    }
    ss.spans.push(toOtlpSpan(trace, span));
  }
  return out;
}

function tagValue(span: JaegerUiSpan, key: string): JaegerKeyValue['value'] | undefined {
  return span.tags.find((t) => t.key === key)?.value;
}

function toOtlpSpan(trace: JaegerUiTrace, span: JaegerUiSpan): OtlpJsonSpan {
  const parent = span.references.find((r) => r.refType === 'CHILD_OF' && r.traceID === trace.traceID);
  const kindTag = tagValue(span, 'span.kind');
  const status: OtlpJsonSpan['status'] = { code: OTLP_STATUS_CODE.UNSET };
  if (tagValue(span, 'error') === true) {
    status.code = OTLP_STATUS_CODE.ERROR;
    const message = tagValue(span, 'otel.status_description');
    if (message !== undefined) status.message = String(message);
  } else if (tagValue(span, 'otel.status_code') === 'OK') status.code = OTLP_STATUS_CODE.OK;
  return {
    traceId: hex32(span.traceID),
    spanId: span.spanID,
    parentSpanId: parent?.spanID ?? '',
    name: span.operationName,
    kind:
      typeof kindTag === 'string'
        ? (KIND[kindTag] ?? OTLP_SPAN_KIND.UNSPECIFIED)
        : OTLP_SPAN_KIND.UNSPECIFIED,
    startTimeUnixNano: ns(span.startTime),
    endTimeUnixNano: ns(span.startTime + span.duration),
    attributes: span.tags.filter((t) => !FIELD_TAGS.has(t.key)).map(otlpValue),
    events: span.logs.map((l) => {
      const name = l.fields.find((f) => f.key === 'event');
      return {
        timeUnixNano: ns(l.timestamp),
        name: name === undefined ? '' : String(name.value),
        attributes: l.fields.filter((f) => f !== name).map(otlpValue),
      };
    }),
    links: span.references
      .filter((r) => r !== parent)
      .map((r) => ({ traceId: hex32(r.traceID), spanId: r.spanID })),
    status,
  };
}

export interface TraceSummary {
  traceId: string;
  rootServiceName: string;
  rootOperationName: string;
  minStartTimeUnixNano: string;
  maxEndTimeUnixNano: string;
  spanCount: number;
  errorSpanCount: number;
  orphanSpanCount: number;
  services: Array<{ name: string; spanCount: number; errorSpanCount: number }>;
}

/**
 * jaeger JQ/querysvc/summary.go summarizeTrace: the root is the parentless span that starts first; an
 * orphan's parent is not in the trace; services sorted by name.
 */
export function summarizeTrace(trace: JaegerUiTrace): TraceSummary {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const parentOf = (s: JaegerUiSpan) =>
    s.references.find((r) => r.refType === 'CHILD_OF' && r.traceID === trace.traceID)?.spanID;
  let root: JaegerUiSpan | undefined;
  let min = Infinity;
  let max = -Infinity;
  let errors = 0;
  let orphans = 0;
  const services = new Map<string, { name: string; spanCount: number; errorSpanCount: number }>();
  for (const s of trace.spans) {
    const parent = parentOf(s);
    if (parent === undefined && (root === undefined || s.startTime < root.startTime)) root = s;
    if (parent !== undefined && !ids.has(parent)) orphans++;
    min = Math.min(min, s.startTime);
    max = Math.max(max, s.startTime + s.duration);
    const failed = tagValue(s, 'error') === true;
    if (failed) errors++;
    const name = trace.processes[s.processID]?.serviceName ?? '';
    const svc = services.get(name) ?? { name, spanCount: 0, errorSpanCount: 0 };
    svc.spanCount++;
    if (failed) svc.errorSpanCount++;
    services.set(name, svc);
  }
  return {
    traceId: hex32(trace.traceID),
    rootServiceName: root ? (trace.processes[root.processID]?.serviceName ?? '') : '',
    rootOperationName: root?.operationName ?? '',
    minStartTimeUnixNano: ns(min),
    maxEndTimeUnixNano: ns(max),
    spanCount: trace.spans.length,
    errorSpanCount: errors,
    orphanSpanCount: orphans,
    services: [...services.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}
