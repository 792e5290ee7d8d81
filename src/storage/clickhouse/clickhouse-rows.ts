import { encodeJsonV2Span } from '../../codec/json-v2/json-v2-codec.js';
import { lowTraceId } from '../../model/ids.js';
import type { Span } from '../../model/span.js';

const DAY_MS = 86_400_000;

/** A row of the spans table, every column given: 18.16 does not apply DEFAULTs to JSONEachRow input. */
export interface SpanRow {
  day: string;
  ts: number;
  trace_id: string;
  trace_low: string;
  span_id: string;
  parent_id: string;
  service: string;
  name: string;
  remote_service: string;
  duration: number;
  tag_keys: string[];
  tag_values: string[];
  annotations: string[];
  json: string;
}

/** A row of the names table (autocomplete values; the other names come from materialized views). */
export interface NameRow {
  kind: string;
  owner: string;
  value: string;
}

/** The day partition of an epoch-microsecond timestamp, as ClickHouse's Date text (UTC). */
export function dayOf(tsMicros: number): string {
  return new Date(Math.floor(tsMicros / 1000 / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * One write's rows. A span without a timestamp goes in the day of its trace's earliest span in the same
 * write (so search and retention find it with its trace), else in today's partition.
 */
export function spanRows(
  spans: readonly Span[],
  nowMs: number,
  searchEnabled: boolean,
  autocompleteKeys: ReadonlySet<string>,
): { spans: SpanRow[]; names: NameRow[] } {
  const earliest = new Map<string, number>();
  for (const s of spans) {
    if (s.timestamp === undefined) continue;
    const low = lowTraceId(s.traceId);
    const e = earliest.get(low);
    if (e === undefined || s.timestamp < e) earliest.set(low, s.timestamp);
  }
  const today = dayOf(nowMs * 1000);
  const rows: SpanRow[] = [];
  const names = new Map<string, NameRow>();
  for (const s of spans) {
    const low = lowTraceId(s.traceId);
    const at = s.timestamp ?? earliest.get(low);
    const keys: string[] = [];
    const values: string[] = [];
    if (s.tags) {
      for (const k in s.tags) {
        keys.push(k);
        values.push(s.tags[k]!);
        if (searchEnabled && autocompleteKeys.has(k)) {
          const row = { kind: 'v', owner: k, value: s.tags[k]! };
          names.set(JSON.stringify(row), row);
        }
      }
    }
    rows.push({
      day: at === undefined ? today : dayOf(at),
      ts: s.timestamp ?? 0,
      trace_id: s.traceId,
      trace_low: low,
      span_id: s.id,
      parent_id: s.parentId ?? '',
      service: s.localEndpoint?.serviceName ?? '',
      name: s.name ?? '',
      remote_service: s.remoteEndpoint?.serviceName ?? '',
      duration: s.duration ?? 0,
      tag_keys: keys,
      tag_values: values,
      annotations: s.annotations?.map((a) => a.value) ?? [],
      json: encodeJsonV2Span(s, { extensions: true }),
    });
  }
  return { spans: rows, names: [...names.values()] };
}
