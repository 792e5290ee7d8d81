import type { Endpoint, Span } from '../../model/span.js';
import type { V1Annotation, V1BinaryAnnotation, V1Span } from './v1-span.js';

/** Which v1 core annotations and address key stand for a v2 span's kind. */
interface V1Shape {
  startTs: number;
  endTs: number;
  begin?: string;
  end?: string;
  addr?: 'sa' | 'ca' | 'ma';
}

/**
 * Converts a v2 span to the v1 model for v1 encoders (reference: zipkin V2SpanConverter): the kind becomes
 * begin/end core annotations at timestamp and timestamp+duration, the remote endpoint an address binary
 * annotation, tags string binary annotations. A shared span does not own timestamp/duration in v1.
 */
export function v2ToV1(span: Span): V1Span {
  const shape = v1Shape(span);
  const ep = span.localEndpoint;
  const out: V1Span = { traceId: span.traceId, id: span.id, annotations: [], binaryAnnotations: [] };
  if (span.name !== undefined) out.name = span.name;
  if (span.parentId !== undefined) out.parentId = span.parentId;
  if (span.shared !== true) {
    if (span.timestamp !== undefined) out.timestamp = span.timestamp;
    if (span.duration !== undefined) out.duration = span.duration;
  }
  if (span.debug === true) out.debug = true;

  const annotations: V1Annotation[] = out.annotations;
  const writeBegin = shape.startTs !== 0 && shape.begin !== undefined;
  const writeEnd = shape.endTs !== 0 && shape.end !== undefined;
  if (writeBegin) annotations.push(annotation(shape.startTs, shape.begin!, ep));
  for (const a of span.annotations ?? []) {
    // A v2 span may already carry its core annotations; write each one once.
    if (writeBegin && a.value === shape.begin) continue;
    if (writeEnd && a.value === shape.end) continue;
    annotations.push(annotation(a.timestamp, a.value, ep));
  }
  if (writeEnd) annotations.push(annotation(shape.endTs, shape.end!, ep));
  annotations.sort(
    (x, y) => x.timestamp - y.timestamp || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0),
  );

  const binary: V1BinaryAnnotation[] = out.binaryAnnotations;
  const tags = span.tags ?? {};
  const tagKeys = Object.keys(tags);
  for (const key of tagKeys) binary.push(stringAnnotation(key, tags[key]!, ep));
  // An in-process span with nothing else to carry its endpoint gets an empty "lc" (local component).
  if (annotations.length === 0 && ep !== undefined && tagKeys.length === 0) {
    binary.push(stringAnnotation('lc', '', ep));
  }
  if (shape.addr !== undefined && span.remoteEndpoint !== undefined) {
    binary.push({ key: shape.addr, value: true, type: 'BOOL', endpoint: span.remoteEndpoint });
  }
  // zipkin keeps v1 binary annotations sorted by key (a stable sort).
  binary.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return out;
}

function v1Shape(span: Span): V1Shape {
  let startTs = span.timestamp ?? 0;
  let endTs = startTs !== 0 && span.duration !== undefined ? startTs + span.duration : 0;
  let kind = span.kind;
  let msTs = 0;
  let wsTs = 0;
  let wrTs = 0;
  let mrTs = 0;
  // Annotations may hold better timestamps than the span's, or imply a kind the span did not state.
  for (const a of span.annotations ?? []) {
    switch (a.value) {
      case 'cs':
        kind = 'CLIENT';
        if (a.timestamp < startTs) startTs = a.timestamp;
        break;
      case 'sr':
        kind = 'SERVER';
        if (a.timestamp < startTs) startTs = a.timestamp;
        break;
      case 'ss':
        kind = 'SERVER';
        if (a.timestamp > endTs) endTs = a.timestamp;
        break;
      case 'cr':
        kind = 'CLIENT';
        if (a.timestamp > endTs) endTs = a.timestamp;
        break;
      case 'ms':
        kind = 'PRODUCER';
        msTs = a.timestamp;
        break;
      case 'mr':
        kind = 'CONSUMER';
        mrTs = a.timestamp;
        break;
      case 'ws':
        wsTs = a.timestamp;
        break;
      case 'wr':
        wrTs = a.timestamp;
        break;
    }
  }

  const hasRemote = span.remoteEndpoint !== undefined;
  switch (kind) {
    case undefined:
      return { startTs, endTs, ...(hasRemote ? { addr: 'sa' as const } : {}) };
    case 'CLIENT':
      return { startTs, endTs, begin: 'cs', end: 'cr', addr: 'sa' };
    case 'SERVER':
      return { startTs, endTs, begin: 'sr', end: 'ss', addr: 'ca' };
    case 'PRODUCER':
      if (startTs === 0 || (msTs !== 0 && msTs < startTs)) startTs = msTs;
      if (endTs === 0 || (wsTs !== 0 && wsTs > endTs)) endTs = wsTs;
      return { startTs, endTs, begin: 'ms', end: 'ws', addr: 'ma' };
    case 'CONSUMER': {
      if (startTs === 0 || (wrTs !== 0 && wrTs < startTs)) startTs = wrTs;
      if (endTs === 0 || (mrTs !== 0 && mrTs > endTs)) endTs = mrTs;
      // With a wire-receive time the consumer is wr..mr; otherwise mr alone marks when it was received.
      if (endTs !== 0 || wrTs !== 0) return { startTs, endTs, begin: 'wr', end: 'mr', addr: 'ma' };
      return { startTs, endTs, begin: 'mr', addr: 'ma' };
    }
  }
}

function annotation(timestamp: number, value: string, endpoint: Endpoint | undefined): V1Annotation {
  return endpoint === undefined ? { timestamp, value } : { timestamp, value, endpoint };
}

function stringAnnotation(key: string, value: string, endpoint: Endpoint | undefined): V1BinaryAnnotation {
  return endpoint === undefined ? { key, value, type: 'STRING' } : { key, value, type: 'STRING', endpoint };
}
