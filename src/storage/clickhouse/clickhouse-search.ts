import type { QueryRequest } from '../query-request.js';
import { chInt, chString } from './clickhouse-literal.js';
import { dayOf } from './clickhouse-rows.js';
import type { ClickhouseTables } from './clickhouse-schema.js';

/** Where the previous page stopped: keyset paging on (trace timestamp, key), newest first. */
export interface SearchCursor {
  ts: number;
  key: string;
}

const DAY_MICROS = 86_400_000_000;

/** Trace timestamps from `lo` to `hi`, both included, epoch microseconds. */
export interface TraceWindow {
  lo: number;
  hi: number;
}

/**
 * The candidate query of a search, one page: the traces whose timestamp (root span's, else the earliest)
 * is in the window, newest first, each with, for every criterion, a span that satisfies it (a span of
 * serviceName, when given, as zipkin requires). Returns rows (k, id, tts): k is the grouping key (the trace
 * id, or its low 64 bits when STRICT_TRACE_ID=false), id one stored trace id of the group.
 *
 * Two steps, both shard-local in a cluster (a trace lives on one shard):
 * - the criteria, over the spans table of the window's days (±1 day for spans on either side of midnight),
 *   grouped by trace; with serviceName only that service's rows are read, through the (service, ts) key;
 * - the trace timestamp, over spans_by_trace (ordered by trace id) for the traces that passed.
 * The subquery names the local table on purpose: each shard filters its own traces (no GLOBAL IN and no
 * double-distributed subquery, which distributed_product_mode=deny refuses).
 * A superset is fine (the core runs the trace matcher), so no criterion is stricter than zipkin's rule.
 */
export function buildSearchQuery(
  tables: ClickhouseTables,
  request: QueryRequest,
  cursor: SearchCursor | undefined,
  pageSize: number,
  strictTraceId: boolean,
  // zipkin: both edges of [endTs - lookback, endTs] are inclusive. Dependency buckets pass their own.
  window: TraceWindow = { lo: (request.endTs - request.lookback) * 1000, hi: request.endTs * 1000 },
): string {
  const { lo, hi } = window;
  const days = `day >= toDate(${chString(dayOf(Math.max(0, lo - DAY_MICROS)))}) AND day <= toDate(${chString(dayOf(hi + DAY_MICROS))})`;
  const criteria = criteriaOf(request);
  const svc = request.serviceName;
  const key = strictTraceId ? 'trace_id' : 'trace_low';
  const where = [days];
  if (criteria.length > 0 || svc !== undefined) {
    const having =
      criteria.length === 0 ? '' : ` HAVING ${criteria.map((c) => `max(${c}) = 1`).join(' AND ')}`;
    const service = svc === undefined ? '' : ` AND service = ${chString(svc)}`;
    where.push(
      `trace_low IN (SELECT trace_low FROM ${tables.local.spans} WHERE ${days}${service} GROUP BY trace_low${having})`,
    );
  }
  const tts =
    "if(countIf(parent_id = '' AND ts > 0) > 0, minIf(ts, parent_id = '' AND ts > 0), minIf(ts, ts > 0))";
  const having = [`tts >= ${chInt(lo)}`, `tts <= ${chInt(hi)}`];
  if (cursor !== undefined) {
    having.push(`(tts < ${chInt(cursor.ts)} OR (tts = ${chInt(cursor.ts)} AND k < ${chString(cursor.key)}))`);
  }
  return `SELECT ${key} AS k, any(trace_id) AS id, ${tts} AS tts FROM ${tables.spansByTrace}
    WHERE ${where.join(' AND ')}
    GROUP BY k HAVING ${having.join(' AND ')}
    ORDER BY tts DESC, k DESC LIMIT ${chInt(pageSize)}`;
}

/** One predicate per criterion, over one span row; a trace meets a criterion when a row does. */
function criteriaOf(request: QueryRequest): string[] {
  const out: string[] = [];
  const words = new Set(request.annotationQuery.words);
  for (const [k, v] of request.annotationQuery.tags) {
    // zipkin: "k=" (empty value) matches like the bare word k.
    if (v === '') words.add(k);
    else
      out.push(`arrayExists((tk, tv) -> tk = ${chString(k)} AND tv = ${chString(v)}, tag_keys, tag_values)`);
  }
  for (const w of words) out.push(`(has(tag_keys, ${chString(w)}) OR has(annotations, ${chString(w)}))`);
  if (request.spanName !== undefined) out.push(`name = ${chString(request.spanName)}`);
  if (request.remoteServiceName !== undefined)
    out.push(`remote_service = ${chString(request.remoteServiceName)}`);
  const { minDuration: min, maxDuration: max } = request;
  if (min !== undefined || max !== undefined) {
    // A span without a duration is stored as 0 and satisfies no bound (zipkin), hence duration > 0.
    const bounds = ['duration > 0'];
    if (min !== undefined) bounds.push(`duration >= ${chInt(min)}`);
    if (max !== undefined) bounds.push(`duration <= ${chInt(max)}`);
    out.push(`(${bounds.join(' AND ')})`);
  }
  return out;
}
