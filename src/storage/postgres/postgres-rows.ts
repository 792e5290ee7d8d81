import { encodeJsonV2Span } from '../../codec/json-v2/json-v2-codec.js';
import { lowTraceId } from '../../model/ids.js';
import type { Span } from '../../model/span.js';
import { spanTerms } from '../sqlite/sqlite-terms.js';
import { escapeNul } from '../sql/sql-text.js';
import { dayOf } from './postgres-schema.js';

/**
 * One write's rows as column arrays: PostgreSQL inserts them with `INSERT ... SELECT * FROM unnest($1, ...)`,
 * a multi-row insert whose statement has a fixed handful of parameters however many spans there are.
 */
export interface WriteRows {
  days: Set<number>;
  traces: { traceId: string[]; traceLow: string[]; rootTs: (number | null)[]; minTs: (number | null)[] };
  spans: {
    day: number[];
    traceId: string[];
    traceLow: string[];
    spanId: string[];
    duration: (number | null)[];
    json: string[];
  };
  terms: { day: number[]; term: string[]; svc: string[]; traceId: string[]; traceLow: string[] };
  names: { kind: string[]; owner: string[]; value: string[] };
}

export interface RowOptions {
  searchEnabled: boolean;
  autocompleteKeys: readonly string[];
  /** The write's time in epoch ms: spans without a timestamp go in today's partition. */
  nowMs: number;
  /** The newest partition day allowed: far-future timestamps go in it rather than in a partition each. */
  maxDay: number;
}

export function toRows(spans: readonly Span[], o: RowOptions): WriteRows {
  const rows: WriteRows = {
    days: new Set(),
    traces: { traceId: [], traceLow: [], rootTs: [], minTs: [] },
    spans: { day: [], traceId: [], traceLow: [], spanId: [], duration: [], json: [] },
    terms: { day: [], term: [], svc: [], traceId: [], traceLow: [] },
    names: { kind: [], owner: [], value: [] },
  };
  const traces = new Map<string, { root: number | null; min: number | null }>();
  const names = new Map<string, [string, string, string]>();
  const autocomplete = new Set(o.autocompleteKeys);
  const seenTerms = new Set<string>();
  const today = Math.floor(o.nowMs / 86_400_000);
  for (const span of spans) {
    const low = lowTraceId(span.traceId);
    const ts = span.timestamp;
    const day = Math.min(ts === undefined ? today : dayOf(ts), o.maxDay);
    rows.days.add(day);
    const t = traces.get(span.traceId) ?? { root: null, min: null };
    if (ts !== undefined) {
      if (t.min === null || ts < t.min) t.min = ts;
      if (span.parentId === undefined && (t.root === null || ts < t.root)) t.root = ts;
    }
    traces.set(span.traceId, t);

    rows.spans.day.push(day);
    rows.spans.traceId.push(span.traceId);
    rows.spans.traceLow.push(low);
    rows.spans.spanId.push(span.id);
    rows.spans.duration.push(span.duration ?? null);
    rows.spans.json.push(encodeJsonV2Span(span, { extensions: true }));

    if (!o.searchEnabled) continue;
    for (const term of spanTerms(span)) {
      const key = `${span.traceId}\0${term.term}\0${term.svc}`;
      if (seenTerms.has(key)) continue; // spans of one trace share most terms
      seenTerms.add(key);
      rows.terms.day.push(day);
      rows.terms.term.push(escapeNul(term.term));
      rows.terms.svc.push(escapeNul(term.svc));
      rows.terms.traceId.push(span.traceId);
      rows.terms.traceLow.push(low);
    }
    const svc = span.localEndpoint?.serviceName;
    const name = (kind: string, owner: string, value: string) =>
      names.set(JSON.stringify([kind, owner, value]), [kind, owner, value]);
    if (svc !== undefined) {
      name('s', '', svc);
      if (span.name !== undefined) name('n', svc, span.name);
      const remote = span.remoteEndpoint?.serviceName;
      if (remote !== undefined) name('r', svc, remote);
    }
    if (span.tags) for (const key in span.tags) if (autocomplete.has(key)) name('v', key, span.tags[key]!);
  }
  // Sorted keys: concurrent writes lock the same rows in the same order, so they cannot deadlock.
  for (const id of [...traces.keys()].sort()) {
    const t = traces.get(id)!;
    rows.traces.traceId.push(id);
    rows.traces.traceLow.push(lowTraceId(id));
    rows.traces.rootTs.push(t.root);
    rows.traces.minTs.push(t.min);
  }
  for (const key of [...names.keys()].sort()) {
    const [kind, owner, value] = names.get(key)!;
    rows.names.kind.push(kind);
    rows.names.owner.push(escapeNul(owner));
    rows.names.value.push(escapeNul(value));
  }
  return rows;
}
