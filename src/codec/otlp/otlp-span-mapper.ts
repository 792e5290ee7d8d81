import { DecodeError, isDecodeError } from '../../model/decode-error.js';
import type { EndpointInput } from '../../model/endpoint.js';
import { parseIp } from '../../model/endpoint.js';
import { normalizeSpanId, normalizeTraceId } from '../../model/ids.js';
import { normalizeSpan } from '../../model/normalize-span.js';
import type { Span, SpanKind, SpanLink } from '../../model/span.js';
import { anyValueToJson, keyValuesToTags } from './otlp-attributes.js';
import type { OtlpKeyValue, OtlpScope, OtlpSpan, OtlpTraceRequest } from './otlp-types.js';
import { OTLP_SPAN_KIND, OTLP_STATUS_CODE } from './otlp-types.js';
import { REMOTE_IP_KEYS, REMOTE_PORT_KEYS, REMOTE_SERVICE_RANKING } from './otlp-remote-endpoint-keys.js';

/** The spans of one OTLP request, and how many were refused (OTLP partial_success). */
export interface OtlpSpans {
  spans: Span[];
  rejectedSpans: number;
  /** Why the first refused span was refused (and how many others were), for partial_success.error_message. */
  errorMessage?: string;
}

const KINDS: Partial<Record<number, SpanKind>> = {
  [OTLP_SPAN_KIND.SERVER]: 'SERVER',
  [OTLP_SPAN_KIND.CLIENT]: 'CLIENT',
  [OTLP_SPAN_KIND.PRODUCER]: 'PRODUCER',
  [OTLP_SPAN_KIND.CONSUMER]: 'CONSUMER',
};

/** Maps every span of a decoded request; a span that breaks a model rule is counted, not fatal. */
export function otlpToSpans(req: OtlpTraceRequest): OtlpSpans {
  const spans: Span[] = [];
  let rejectedSpans = 0;
  let firstError: string | undefined;
  (req.resourceSpans ?? []).forEach((rs, r) => {
    const resourceTags = keyValuesToTags(rs.resource?.attributes);
    const serviceName = resourceTags['service.name'];
    delete resourceTags['service.name'];
    (rs.scopeSpans ?? []).forEach((ss, s) => {
      (ss.spans ?? []).forEach((otlp, i) => {
        try {
          spans.push(otlpSpanToSpan(otlp, serviceName, resourceTags, ss.scope));
        } catch (e) {
          // RangeError: attribute values nested deep enough to exhaust the stack (protobuf has no depth limit).
          if (!isDecodeError(e) && !(e instanceof RangeError)) throw e;
          rejectedSpans++;
          firstError ??= `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]: ${e.message}`;
        }
      });
    });
  });
  const out: OtlpSpans = { spans, rejectedSpans };
  if (firstError !== undefined) {
    out.errorMessage =
      rejectedSpans > 1 ? `${firstError} (and ${rejectedSpans - 1} more rejected spans)` : firstError;
  }
  return out;
}

function otlpSpanToSpan(
  otlp: OtlpSpan,
  serviceName: string | undefined,
  resourceTags: Record<string, string>,
  scope: OtlpScope | undefined,
): Span {
  const traceId = exactHex(otlp.traceId, 32, 'traceId');
  const id = exactHex(otlp.spanId, 16, 'spanId');
  const parentId = otlp.parentSpanId ? exactHex(otlp.parentSpanId, 16, 'parentSpanId') : undefined;
  const kind = otlp.kind === undefined ? undefined : KINDS[otlp.kind];
  if (
    otlp.kind !== undefined &&
    kind === undefined &&
    otlp.kind !== OTLP_SPAN_KIND.INTERNAL &&
    otlp.kind !== OTLP_SPAN_KIND.UNSPECIFIED
  ) {
    throw new DecodeError(`kind should be 0-5 but was ${otlp.kind}`);
  }

  const startNs = nanos(otlp.startTimeUnixNano, 'startTimeUnixNano');
  const endNs = nanos(otlp.endTimeUnixNano, 'endTimeUnixNano');
  const timestamp = startNs > 0n ? micros(startNs) : undefined;
  let duration: number | undefined;
  // A span shorter than a microsecond still took time: keep it at 1us rather than losing the duration.
  if (startNs > 0n && endNs > startNs) duration = Math.max(1, micros(endNs) - micros(startNs));

  // Resource attributes first so a span attribute of the same name wins (as in the otel zipkin exporter).
  const tags: Record<string, string> = { ...resourceTags };
  keyValuesToTags(otlp.attributes, tags);
  if (scope?.name) tags['otel.scope.name'] = scope.name;
  if (scope?.version) tags['otel.scope.version'] = scope.version;
  if (otlp.status?.code === OTLP_STATUS_CODE.OK) tags['otel.status_code'] = 'OK';
  else if (otlp.status?.code === OTLP_STATUS_CODE.ERROR) {
    tags['otel.status_code'] = 'ERROR';
    tags.error = otlp.status.message ?? '';
  }
  droppedCount(tags, 'otel.dropped_attributes_count', otlp.droppedAttributesCount);
  droppedCount(tags, 'otel.dropped_events_count', otlp.droppedEventsCount);
  droppedCount(tags, 'otel.dropped_links_count', otlp.droppedLinksCount);
  // W3C tracestate has no zipkin field; keeping it as a tag is better than losing it.
  if (otlp.traceState) tags['w3c.tracestate'] = otlp.traceState;

  const annotations = (otlp.events ?? []).map((e) => {
    const at = nanos(e.timeUnixNano, 'events.timeUnixNano');
    const name = e.name ?? '';
    // otel zipkin exporter: `"name": {attributes as JSON}`, or just the name when there are none.
    const value =
      e.attributes && e.attributes.length > 0
        ? `"${name}": ${JSON.stringify(attributesJson(e.attributes))}`
        : name;
    return { timestamp: at > 0n ? micros(at) : timestamp, value };
  });

  const links: SpanLink[] = (otlp.links ?? []).map((l, i) => {
    const link: SpanLink = {
      traceId: normalizeTraceId(exactHex(l.traceId, 32, `links[${i}].traceId`), `links[${i}].traceId`),
      spanId: normalizeSpanId(exactHex(l.spanId, 16, `links[${i}].spanId`), `links[${i}].spanId`),
      type: 'link',
    };
    const linkTags = keyValuesToTags(l.attributes);
    if (l.traceState) linkTags['w3c.tracestate'] = l.traceState;
    if (l.droppedAttributesCount)
      linkTags['otel.dropped_attributes_count'] = String(l.droppedAttributesCount);
    if (Object.keys(linkTags).length > 0) link.tags = linkTags;
    return link;
  });

  return normalizeSpan({
    traceId,
    parentId,
    id,
    kind,
    name: otlp.name,
    timestamp,
    duration,
    localEndpoint: serviceName ? { serviceName } : null,
    remoteEndpoint: kind === 'CLIENT' || kind === 'PRODUCER' ? remoteEndpoint(otlp.attributes) : null,
    annotations,
    tags,
    links,
  });
}

function remoteEndpoint(attributes: OtlpKeyValue[] | undefined): EndpointInput | null {
  const tags = keyValuesToTags(attributes);
  const key = REMOTE_SERVICE_RANKING.find((k) => tags[k]);
  const ep: EndpointInput = {};
  if (key) ep.serviceName = tags[key];
  const ipKey = REMOTE_IP_KEYS.find((k) => tags[k] && parseIp(tags[k]));
  if (ipKey) ep.ipv4 = tags[ipKey];
  const portKey = REMOTE_PORT_KEYS.find((k) => tags[k] && /^\d+$/.test(tags[k]) && Number(tags[k]) <= 65535);
  if (portKey) ep.port = Number(tags[portKey]);
  return Object.keys(ep).length > 0 ? ep : null;
}

function attributesJson(kvs: OtlpKeyValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs) out[kv.key] = anyValueToJson(kv.value);
  return out;
}

function droppedCount(tags: Record<string, string>, key: string, n: number | undefined): void {
  if (n) tags[key] = String(n);
}

/** OTLP ids are fixed-size: trace 16 bytes, span 8 bytes (ids are hex here, see otlp-types). */
function exactHex(v: string | undefined, chars: number, field: string): string {
  if (!v) throw new DecodeError(`${field} is required`);
  if (v.length !== chars || !/^[0-9a-f]+$/.test(v)) {
    throw new DecodeError(
      `${field} should be ${chars / 2} bytes (${chars} hex characters) but was ${v.length > 40 ? `${v.slice(0, 40)}...` : v}`,
    );
  }
  return v;
}

function nanos(v: string | number | undefined, field: string): bigint {
  if (v === undefined || v === '') return 0n;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DecodeError(`${field} should be an integer but was ${v}`);
    return BigInt(Math.trunc(v));
  }
  if (!/^\d+$/.test(v))
    throw new DecodeError(`${field} should be an unsigned integer but was ${v.slice(0, 40)}`);
  return BigInt(v);
}

function micros(ns: bigint): number {
  return Number(ns / 1000n);
}
