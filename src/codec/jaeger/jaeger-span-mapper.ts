import { DecodeError, isDecodeError } from '../../model/decode-error.js';
import type { EndpointInput } from '../../model/endpoint.js';
import { normalizeSpanId, normalizeTraceId } from '../../model/ids.js';
import { normalizeSpan } from '../../model/normalize-span.js';
import type { Span, SpanKind, SpanLink } from '../../model/span.js';
import type { JaegerBatch, JaegerLog, JaegerProcess, JaegerSpan, JaegerTag } from './jaeger-types.js';

/** jaeger: flags bit 2 is "debug" (bit 1 is "sampled"). */
export const DEBUG_FLAG = 2;
const KINDS: Record<string, SpanKind> = {
  client: 'CLIENT',
  server: 'SERVER',
  producer: 'PRODUCER',
  consumer: 'CONSUMER',
};

/**
 * Jaeger spans to model spans: the process is the local endpoint; the span.kind tag is the kind; a CHILD_OF
 * reference (or thrift parentSpanId) is the parent; other references are kept as links; logs are
 * annotations; 128-bit ids come from the high and low halves. Any invalid span fails the whole batch with
 * a DecodeError naming it, as the zipkin collectors do for a bad span in a list.
 */
export function jaegerBatchToSpans(batch: JaegerBatch): Span[] {
  return batch.spans.map((s, i) => {
    try {
      return jaegerSpanToSpan(s, s.process ?? batch.process);
    } catch (e) {
      if (isDecodeError(e)) throw new DecodeError(`spans[${i}]: ${e.message}`);
      throw e;
    }
  });
}

function jaegerSpanToSpan(s: JaegerSpan, process: JaegerProcess | undefined): Span {
  const traceId = normalizeTraceId(s.traceId);
  let parentId = s.parentSpanId && !/^0+$/.test(s.parentSpanId) ? s.parentSpanId : undefined;
  const links: SpanLink[] = [];
  for (const [i, ref] of s.references.entries()) {
    const link: SpanLink = {
      traceId: normalizeTraceId(ref.traceId, `references[${i}].traceId`),
      spanId: normalizeSpanId(ref.spanId, `references[${i}].spanId`),
      type: ref.type,
    };
    const sameTrace = link.traceId === traceId;
    // The reference that names the parent is the parent, not a link (clients send it both ways).
    if (ref.type === 'CHILD_OF' && sameTrace && (parentId === undefined || parentId === link.spanId)) {
      parentId = link.spanId;
      continue;
    }
    links.push(link);
  }

  const tags: Record<string, string> = {};
  const local: EndpointInput = { serviceName: process?.serviceName };
  for (const t of process?.tags ?? []) {
    // jaeger clients report their address as the process tag "ip" (a dotted string, or an int32 in old clients).
    if (t.key === 'ip') local.ipv4 = ipFromTag(t.value);
    else tags[t.key] = t.value;
  }
  let kind: SpanKind | undefined;
  const remote: EndpointInput = {};
  for (const t of s.tags) {
    switch (t.key) {
      case 'span.kind':
        // opentracing: "internal" and unknown kinds have no zipkin kind; the tag itself becomes the kind.
        kind = KINDS[t.value.toLowerCase()];
        continue;
      case 'error':
        // zipkin: the presence of the error tag means failure, so error=false is not carried over.
        if (t.value === 'false') continue;
        break;
      case 'peer.service':
        remote.serviceName = t.value;
        break;
      case 'peer.ipv4':
        remote.ipv4 = ipFromTag(t.value);
        break;
      case 'peer.ipv6':
        remote.ipv6 = t.value;
        break;
      case 'peer.port':
        if (/^\d+$/.test(t.value) && Number(t.value) <= 65535) remote.port = Number(t.value);
        break;
    }
    tags[t.key] = t.value;
  }

  return normalizeSpan({
    traceId,
    parentId,
    id: s.spanId,
    kind,
    name: s.operationName,
    timestamp: s.startTime,
    duration: s.duration,
    localEndpoint: local,
    remoteEndpoint: Object.keys(remote).length > 0 ? remote : null,
    annotations: s.logs.map((l) => ({ timestamp: l.timestamp || s.startTime, value: logValue(l) })),
    tags,
    debug: (s.flags & DEBUG_FLAG) !== 0,
    links,
  });
}

/** A log with only an "event" field is that event's name; otherwise its fields as `k=v` pairs. */
function logValue(l: JaegerLog): string {
  if (l.fields.length === 1 && l.fields[0]!.key === 'event') return l.fields[0]!.value;
  return l.fields.map((f: JaegerTag) => `${f.key}=${f.value}`).join(' ');
}

/** Dotted strings pass through; a decimal int32 (old jaeger clients) becomes a dotted IPv4 address. */
function ipFromTag(v: string): string {
  if (/^-?\d+$/.test(v)) {
    const n = Number(v) >>> 0;
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  return v;
}
