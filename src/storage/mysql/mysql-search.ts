import type { QueryRequest } from '../query-request.js';
import { mysqlDialect, SqlParams } from '../sql/sql-dialect.js';
import { A_TYPE_BOOL, A_TYPE_STRING } from './mysql-rows.js';

/** Where the previous page stopped: keyset paging on (ts, trace_id_high, trace_id), newest first. */
export interface MysqlSearchCursor {
  ts: string;
  high: string;
  low: string;
}

export interface MysqlSearchShape {
  /** STRICT_TRACE_ID: a trace is (trace_id_high, trace_id); otherwise every span sharing trace_id. */
  strictTraceId: boolean;
  /** Whether the tables have trace_id_high (zipkin's HasTraceIdHigh). */
  hasTraceIdHigh: boolean;
  /** Whether zipkin_spans has remote_service_name (zipkin's HasRemoteServiceName). */
  hasRemoteServiceName: boolean;
}

/**
 * The candidate query of a search on Zipkin's own tables, which have no index of Skein's terms (sql-search.ts
 * serves the stores with Skein's schema). Traces with a span in the window, newest first by trace timestamp
 * (the root span's start_ts, else the earliest, as trace-matcher traceTimestamp), each criterion a semi-join
 * on zipkin's indexes: zipkin_annotations (endpoint_service_name), (a_key), zipkin_spans (name),
 * (remote_service_name). Criteria are checked per trace, not per span: a superset, which the storage core
 * narrows with the shared trace matcher. Every value is a bound parameter (SqlParams); ids bind as BigInt so
 * they compare as BIGINT, never as doubles.
 */
export function buildMysqlSearch(
  request: QueryRequest,
  shape: MysqlSearchShape,
  cursor: MysqlSearchCursor | undefined,
  pageSize: number,
): { sql: string; params: unknown[] } {
  const p = new SqlParams(mysqlDialect);
  const withHigh = shape.hasTraceIdHigh && shape.strictTraceId;
  const key = withHigh ? '(s.trace_id_high, s.trace_id)' : 's.trace_id';
  const keyOf = (alias: string) =>
    withHigh ? `${alias}.trace_id_high, ${alias}.trace_id` : `${alias}.trace_id`;
  const inAnnotations = (test: string) =>
    `${key} IN (SELECT ${keyOf('a')} FROM zipkin_annotations a WHERE ${test})`;
  const inSpans = (test: string) => `${key} IN (SELECT ${keyOf('x')} FROM zipkin_spans x WHERE ${test})`;

  const where = [
    `s.start_ts BETWEEN ${p.bind((request.endTs - request.lookback) * 1000)} AND ${p.bind(request.endTs * 1000)}`,
  ];
  if (request.serviceName !== undefined) {
    // A local endpoint: zipkin's localServiceNameCondition (address annotations carry the remote one).
    where.push(
      inAnnotations(
        `a.endpoint_service_name = ${p.bind(request.serviceName)} AND a.a_type <> ${A_TYPE_BOOL}`,
      ),
    );
  }
  if (request.spanName !== undefined) where.push(inSpans(`x.name = ${p.bind(request.spanName)}`));
  if (request.remoteServiceName !== undefined && shape.hasRemoteServiceName) {
    where.push(inSpans(`x.remote_service_name = ${p.bind(request.remoteServiceName)}`));
  }
  for (const [k, value] of request.annotationQuery.tags) {
    // zipkin: "k=" (empty value) matches like the bare word k.
    where.push(
      value === ''
        ? inAnnotations(`a.a_key = ${p.bind(k)}`)
        : inAnnotations(
            `a.a_key = ${p.bind(k)} AND a.a_type = ${A_TYPE_STRING} AND a.a_value = ${p.bind(Buffer.from(value, 'utf8'))}`,
          ),
    );
  }
  for (const word of request.annotationQuery.words) where.push(inAnnotations(`a.a_key = ${p.bind(word)}`));
  if (request.minDuration !== undefined || request.maxDuration !== undefined) {
    const range = [
      request.minDuration === undefined ? '' : ` AND x.duration >= ${p.bind(request.minDuration)}`,
      request.maxDuration === undefined ? '' : ` AND x.duration <= ${p.bind(request.maxDuration)}`,
    ].join('');
    where.push(inSpans(`x.duration IS NOT NULL${range}`));
  }

  const high = withHigh ? 's.trace_id_high' : 'MAX(s.trace_id_high)';
  const highSelect = shape.hasTraceIdHigh ? high : '0';
  const groupBy = withHigh ? 's.trace_id_high, s.trace_id' : 's.trace_id';
  let having = '';
  if (cursor !== undefined) {
    const ts = BigInt(cursor.ts);
    const tie = withHigh
      ? `(h < ${p.bind(BigInt(cursor.high))} OR (h = ${p.bind(BigInt(cursor.high))} AND l < ${p.bind(BigInt(cursor.low))}))`
      : `l < ${p.bind(BigInt(cursor.low))}`;
    having = `HAVING ts < ${p.bind(ts)} OR (ts = ${p.bind(ts)} AND ${tie})`;
  }
  const order = withHigh ? 'ts DESC, h DESC, l DESC' : 'ts DESC, l DESC';
  const sql = `SELECT ${highSelect} AS h, s.trace_id AS l,
      COALESCE(MIN(CASE WHEN s.parent_id IS NULL THEN s.start_ts END), MIN(s.start_ts)) AS ts
    FROM zipkin_spans s
    WHERE ${where.join('\n      AND ')}
    GROUP BY ${groupBy}
    ${having}
    ORDER BY ${order} LIMIT ${p.bind(BigInt(pageSize))}`;
  return { sql, params: p.values };
}
