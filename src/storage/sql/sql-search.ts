import type { QueryRequest } from '../query-request.js';
import {
  annotationTerm,
  nameTerm,
  remoteTerm,
  serviceTerm,
  tagKeyTerm,
  tagTerm,
} from '../sqlite/sqlite-terms.js';
import { SqlParams, type SqlDialect } from './sql-dialect.js';

/** Where the search reads: the tables' qualified names (quoted by the caller's dialect). */
export interface SearchTables {
  /** (trace_id, trace_low, ts): one row per trace with its trace timestamp (the root span's, else the earliest). */
  traces: string;
  /** (term, svc, trace_id, trace_low): the terms of sqlite-terms.ts, with the local service of the span they came from. */
  terms: string;
  /** (trace_id, trace_low, duration): one row per span. */
  spans: string;
}

/** Where the previous page stopped: keyset paging on (ts, trace_id), newest first. */
export interface SearchCursor {
  ts: number;
  traceId: string;
}

/**
 * The terms every criterion of `request` needs, one list per criterion (any term of a list satisfies it).
 * The same strings as the writer derives from a span (sqlite-terms.ts), so one encoding serves every store.
 */
export function searchCriteria(request: QueryRequest): string[][] {
  const criteria: string[][] = [];
  for (const [key, value] of request.annotationQuery.tags) {
    // zipkin: "k=" (empty value) matches like the bare word k.
    criteria.push(value === '' ? [tagKeyTerm(key), annotationTerm(key)] : [tagTerm(key, value)]);
  }
  if (request.spanName !== undefined) criteria.push([nameTerm(request.spanName)]);
  if (request.remoteServiceName !== undefined) criteria.push([remoteTerm(request.remoteServiceName)]);
  for (const word of request.annotationQuery.words) criteria.push([tagKeyTerm(word), annotationTerm(word)]);
  if (request.serviceName !== undefined && criteria.length === 0) {
    criteria.push([serviceTerm(request.serviceName)]);
  }
  return criteria;
}

/**
 * The candidate query of a search: traces whose timestamp is in the window, newest first, each with a term
 * for every criterion (from serviceName's spans only, when given) and, with a duration range, a span in it.
 * Every criterion is a semi-join on an index ((term, svc, trace_id) for terms, (trace_id) for spans), so the
 * planner either walks the traces' (ts) index newest first and probes, or starts from a rare term; neither
 * scans a table. A superset is fine: the core runs the trace matcher on every candidate.
 */
export function buildSearchQuery(
  dialect: SqlDialect,
  tables: SearchTables,
  request: QueryRequest,
  cursor: SearchCursor | undefined,
  pageSize: number,
  strictTraceId: boolean,
): { sql: string; params: unknown[] } {
  const p = new SqlParams(dialect);
  // STRICT_TRACE_ID=false: a trace is every span sharing the low 64 bits, so criteria may be met by spans
  // stored under either id.
  const key = strictTraceId ? 'trace_id' : 'trace_low';
  const svc = request.serviceName;
  const where = [
    `t.ts BETWEEN ${p.bind((request.endTs - request.lookback) * 1000)} AND ${p.bind(request.endTs * 1000)}`,
  ];
  if (cursor !== undefined) {
    const ts = p.bind(cursor.ts);
    where.push(`(t.ts < ${ts} OR (t.ts = ${p.bind(cursor.ts)} AND t.trace_id < ${p.bind(cursor.traceId)}))`);
  }
  for (const terms of searchCriteria(request)) {
    const test =
      terms.length === 1
        ? `x.term = ${p.bindText(terms[0]!)}`
        : `x.term IN (${terms.map((term) => p.bindText(term)).join(', ')})`;
    const service = svc === undefined ? '' : ` AND x.svc = ${p.bindText(svc)}`;
    where.push(`EXISTS (SELECT 1 FROM ${tables.terms} x WHERE ${test}${service} AND x.${key} = t.${key})`);
  }
  if (request.minDuration !== undefined || request.maxDuration !== undefined) {
    const range = [
      request.minDuration === undefined ? '' : ` AND s.duration >= ${p.bind(request.minDuration)}`,
      request.maxDuration === undefined ? '' : ` AND s.duration <= ${p.bind(request.maxDuration)}`,
    ].join('');
    where.push(`EXISTS (SELECT 1 FROM ${tables.spans} s WHERE s.${key} = t.${key}${range})`);
  }
  const sql = `SELECT t.trace_id AS trace_id, t.ts AS ts FROM ${tables.traces} t
    WHERE ${where.join('\n      AND ')}
    ORDER BY t.ts DESC, t.trace_id DESC LIMIT ${p.bind(pageSize)}`;
  return { sql, params: p.values };
}
