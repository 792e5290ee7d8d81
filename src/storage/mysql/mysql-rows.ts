import { ipFromBytes, ipv6ToBytes } from '../../codec/thrift/ip-bytes.js';
import type { V1BinaryAnnotation, V1Span } from '../../codec/v1/v1-span.js';
import { v1ToV2 } from '../../codec/v1/v1-to-v2.js';
import { v2ToV1 } from '../../codec/v1/v2-to-v1.js';
import type { Endpoint, Span } from '../../model/span.js';
import { bigintColumnToHex, idParam, ipv4FromColumn, ipv4ToColumn, traceIdParams } from './mysql-ids.js';
import type { MysqlSchemaFeatures } from './mysql-schema.js';

/**
 * Spans to and from the rows of Zipkin's MySQL schema, following zipkin-storage/mysql-v1: a v2 span is
 * written as its v1 form (V2SpanConverter: core annotations cs/sr/ss/cr/ms/mr/ws/wr, tags and the address
 * binary annotations ca/sa/ma), and read back through the v1 converter, exactly as zipkin-server does, so
 * both servers read each other's rows.
 */

/** zipkin AnnotationType values in zipkin_annotations.a_type; -1 marks a (timed) annotation. */
export const A_TYPE_ANNOTATION = -1;
export const A_TYPE_BOOL = 0;
export const A_TYPE_STRING = 6;

/** VARCHAR(255) in zipkin's schema: characters, not bytes. */
const VARCHAR_CHARS = 255;
/** BLOB (a_value): at most 65535 bytes. */
const BLOB_BYTES = 65_535;

/**
 * Text as a column can hold it. Span data is attacker-controlled and a strict-mode server rejects the whole
 * statement for an over-long value or (in a utf8mb3 column of an older Zipkin database) a 4-byte character,
 * losing the batch; zipkin-server would fail the same way. So values are cut to the column's size, and
 * characters outside the BMP become U+FFFD where the column cannot hold them. Never SQL escaping: every
 * value is still a bound parameter.
 */
export function fitVarchar(value: string, utf8mb4: boolean): string {
  let v = utf8mb4 ? value : value.replace(/[\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
  if (v.length > VARCHAR_CHARS) {
    const chars = [...v];
    if (chars.length > VARCHAR_CHARS) v = chars.slice(0, VARCHAR_CHARS).join('');
  }
  return v;
}

/** A string value as the bytes of a_value, cut at a character boundary to fit a BLOB. */
export function fitBlob(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= BLOB_BYTES) return bytes;
  let end = BLOB_BYTES;
  // Back up over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** The columns of one zipkin_spans row, in SPAN_COLUMNS order. */
export const SPAN_COLUMNS = [
  'trace_id_high',
  'trace_id',
  'id',
  'name',
  'remote_service_name',
  'parent_id',
  'debug',
  'start_ts',
  'duration',
] as const;

/** The columns of one zipkin_annotations row, in ANNOTATION_COLUMNS order. */
export const ANNOTATION_COLUMNS = [
  'trace_id_high',
  'trace_id',
  'span_id',
  'a_key',
  'a_value',
  'a_type',
  'a_timestamp',
  'endpoint_ipv4',
  'endpoint_ipv6',
  'endpoint_port',
  'endpoint_service_name',
] as const;

export interface SpanRows {
  /**
   * zipkin_spans rows of spans that own their timestamp: on a duplicate key their start_ts replaces a
   * tentative one (zipkin: "replace any tentative timestamp with the authoritative one").
   */
  owned: unknown[][];
  /** Rows of shared spans (server side of an RPC): their start_ts is only tentative, never an update. */
  shared: unknown[][];
  annotations: unknown[][];
}

/**
 * The rows zipkin's MySQLSpanConsumer writes for `spans`. Columns the database lacks (MysqlSchemaFeatures:
 * remote_service_name, ipv6, trace_id_high) are written as zipkin does without them: the caller leaves
 * them out of the statement, and the values here are what zipkin would not write (null, 0).
 */
export function toRows(spans: readonly Span[], f: MysqlSchemaFeatures): SpanRows {
  const rows: SpanRows = { owned: [], shared: [], annotations: [] };
  for (const span of spans) {
    const v1 = v2ToV1(span);
    const ids = traceIdParams(span.traceId);
    const high = f.hasTraceIdHigh ? ids.high : 0n;
    const spanId = idParam(span.id);
    const timestamp = span.timestamp ?? 0;
    const remote = span.remoteEndpoint?.serviceName;
    // zipkin: a missing or "unknown" name is written as '' (old code wrote empty names) and never updates.
    const name = (n: string | undefined) =>
      n === undefined || n === 'unknown' ? '' : fitVarchar(n, f.utf8mb4);
    const spanRow: unknown[] = [
      high,
      ids.low,
      spanId,
      name(v1.name),
      f.hasRemoteServiceName ? name(remote) : null,
      v1.parentId === undefined ? null : idParam(v1.parentId),
      v1.debug === true ? 1 : null,
      timestamp === 0 ? null : timestamp,
      v1.duration === undefined || v1.duration === 0 ? null : v1.duration,
    ];
    (span.shared === true ? rows.shared : rows.owned).push(spanRow);

    const local = span.localEndpoint;
    for (const a of v1.annotations) {
      rows.annotations.push([
        high,
        ids.low,
        spanId,
        fitVarchar(a.value, f.utf8mb4),
        null,
        A_TYPE_ANNOTATION,
        a.timestamp,
        ...endpointColumns(local, f),
      ]);
    }
    for (const b of v1.binaryAnnotations)
      rows.annotations.push(binaryRow(b, high, ids.low, spanId, timestamp, local, f));
  }
  return rows;
}

function binaryRow(
  b: V1BinaryAnnotation,
  high: bigint,
  low: bigint,
  spanId: bigint,
  timestamp: number,
  local: Endpoint | undefined,
  f: MysqlSchemaFeatures,
): unknown[] {
  const key = fitVarchar(b.key, f.utf8mb4);
  // Address annotations (BOOL true, a single byte 1) carry the remote endpoint; tags the local one.
  if (b.type === 'BOOL') {
    return [
      high,
      low,
      spanId,
      key,
      Buffer.from([1]),
      A_TYPE_BOOL,
      timestamp,
      ...endpointColumns(b.endpoint, f),
    ];
  }
  return [
    high,
    low,
    spanId,
    key,
    fitBlob(String(b.value)),
    A_TYPE_STRING,
    timestamp,
    ...endpointColumns(local, f),
  ];
}

/** endpoint_ipv4, endpoint_ipv6, endpoint_port, endpoint_service_name as zipkin's addEndpoint writes them. */
function endpointColumns(ep: Endpoint | undefined, f: MysqlSchemaFeatures): unknown[] {
  if (ep === undefined) return [null, null, null, null];
  const ipv6 = f.hasIpv6 && ep.ipv6 !== undefined ? ipv6ToBytes(ep.ipv6) : undefined;
  return [
    ep.ipv4 === undefined ? null : ipv4ToColumn(ep.ipv4),
    ipv6 === undefined ? null : Buffer.from(ipv6),
    // SMALLINT, as Java's (short) cast: ports above 32767 are stored negative.
    ep.port === undefined ? null : ep.port > 32767 ? ep.port - 65536 : ep.port,
    // zipkin: "old code wrote empty service names"
    fitVarchar(ep.serviceName ?? '', f.utf8mb4),
  ];
}

/** A zipkin_spans row as read (BIGINT as decimal strings, BIT as a Buffer). */
export interface SpanRow {
  trace_id_high?: string | null;
  trace_id: string;
  id: string;
  name: string | null;
  parent_id: string | null;
  debug: Buffer | number | null;
  start_ts: string | number | null;
  duration: string | number | null;
}

/** A zipkin_annotations row as read. */
export interface AnnotationRow {
  trace_id_high?: string | null;
  trace_id: string;
  span_id: string;
  a_key: string;
  a_value: Buffer | null;
  a_type: number;
  a_timestamp: string | number | null;
  endpoint_ipv4: number | null;
  endpoint_ipv6?: Buffer | null;
  endpoint_port: number | null;
  endpoint_service_name: string | null;
}

/** The key of one stored span: (trace_id_high, trace_id, id). */
export function rowKey(high: string | null | undefined, low: string, id: string): string {
  return `${high ?? '0'}:${low}:${id}`;
}

/** Annotation rows by the span they belong to (rowKey), keeping their order. */
export function groupAnnotations(annotations: readonly AnnotationRow[]): Map<string, AnnotationRow[]> {
  const bySpan = new Map<string, AnnotationRow[]>();
  for (const a of annotations) {
    const key = rowKey(a.trace_id_high, a.trace_id, a.span_id);
    const list = bySpan.get(key);
    if (list) list.push(a);
    else bySpan.set(key, [a]);
  }
  return bySpan;
}

/**
 * v2 spans from zipkin_spans rows and their zipkin_annotations rows (ordered by a_timestamp, a_key as zipkin
 * selects them), through the v1 converter as zipkin's SelectSpansAndAnnotations does. A row the converter
 * rejects (data no tracer could have sent through zipkin) is skipped rather than failing the whole trace.
 */
export function fromRows(spans: readonly SpanRow[], bySpan: ReadonlyMap<string, AnnotationRow[]>): Span[] {
  const out: Span[] = [];
  for (const row of spans) {
    const v1 = v1FromRows(row, bySpan.get(rowKey(row.trace_id_high, row.trace_id, row.id)) ?? []);
    try {
      out.push(...v1ToV2(v1));
    } catch {
      // skipped: see above
    }
  }
  return out;
}

function v1FromRows(row: SpanRow, annotations: readonly AnnotationRow[]): V1Span {
  const high = row.trace_id_high ?? '0';
  const v1: V1Span = {
    traceId: bigintColumnToHex(row.trace_id),
    id: bigintColumnToHex(row.id),
    annotations: [],
    binaryAnnotations: [],
  };
  if (BigInt(high) !== 0n) v1.traceIdHigh = bigintColumnToHex(high);
  if (row.name !== null && row.name !== '') v1.name = row.name;
  if (row.parent_id !== null && BigInt(row.parent_id) !== 0n) v1.parentId = bigintColumnToHex(row.parent_id);
  if (row.start_ts !== null && Number(row.start_ts) !== 0) v1.timestamp = Number(row.start_ts);
  if (row.duration !== null && Number(row.duration) !== 0) v1.duration = Number(row.duration);
  if (isTrue(row.debug)) v1.debug = true;
  for (const a of annotations) {
    const endpoint = endpointOf(a);
    if (a.a_type === A_TYPE_ANNOTATION) {
      v1.annotations.push({
        timestamp: Number(a.a_timestamp ?? 0),
        value: a.a_key,
        ...(endpoint ? { endpoint } : {}),
      });
    } else if (a.a_type === A_TYPE_STRING) {
      const value = a.a_value === null ? '' : a.a_value.toString('utf8');
      v1.binaryAnnotations.push({ key: a.a_key, value, type: 'STRING', ...(endpoint ? { endpoint } : {}) });
    } else if (a.a_type === A_TYPE_BOOL) {
      // zipkin reads only address annotations: ca/sa/ma, a single byte 1, with an endpoint.
      const addr = a.a_key === 'ca' || a.a_key === 'sa' || a.a_key === 'ma';
      if (!addr || endpoint === undefined || a.a_value?.length !== 1 || a.a_value[0] !== 1) continue;
      v1.binaryAnnotations.push({ key: a.a_key, value: true, type: 'BOOL', endpoint });
    }
    // other types: unsupported, as in zipkin
  }
  return v1;
}

function isTrue(bit: Buffer | number | null): boolean {
  if (bit === null) return false;
  return typeof bit === 'number' ? bit !== 0 : bit.some((b) => b !== 0);
}

function endpointOf(a: AnnotationRow): Endpoint | undefined {
  const ep: Endpoint = {};
  if (a.endpoint_service_name !== null && a.endpoint_service_name !== '')
    ep.serviceName = a.endpoint_service_name;
  if (a.endpoint_ipv4 !== null && a.endpoint_ipv4 !== 0) ep.ipv4 = ipv4FromColumn(a.endpoint_ipv4);
  const v6 = a.endpoint_ipv6 == null ? undefined : ipFromBytes(a.endpoint_ipv6);
  if (v6 !== undefined) ep.ipv6 = v6;
  if (a.endpoint_port !== null && a.endpoint_port !== 0) ep.port = a.endpoint_port & 0xffff;
  return Object.keys(ep).length === 0 ? undefined : ep;
}
