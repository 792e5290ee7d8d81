import type { TraceQuery } from '../../api/client';

/**
 * The search state, kept in the URL with Lens's parameter names so Lens links and bookmarks work:
 * ?serviceName=&remoteServiceName=&spanName=&annotationQuery=&minDuration=&maxDuration=(μs)
 * &lookback=(1m..7d | range | millis)&endTs=(ms)&startTs=(ms, range only)&millis=(ms, millis only)&limit=
 * zipkin-lens lookback.ts: a fixed value ends at endTs (or now); `range` spans startTs..endTs; `millis`
 * is a custom length ending at endTs. Older links with lookback=(milliseconds) or lookback=custom still work.
 */
export interface Criteria {
  serviceName: string;
  remoteServiceName: string;
  spanName: string;
  annotationQuery: string;
  minDuration: string;
  maxDuration: string;
  lookback: string;
  endTs: string;
  startTs: string;
  millis: string;
  limit: string;
}

export const LOOKBACK_PRESETS: ReadonlyArray<{ value: string; label: string; short: string; ms: number }> = [
  { value: '1m', label: 'Last minute', short: '1 minute', ms: 60_000 },
  { value: '5m', label: 'Last 5 minutes', short: '5 minutes', ms: 5 * 60_000 },
  { value: '15m', label: 'Last 15 minutes', short: '15 minutes', ms: 15 * 60_000 },
  { value: '30m', label: 'Last 30 minutes', short: '30 minutes', ms: 30 * 60_000 },
  { value: '1h', label: 'Last hour', short: '1 hour', ms: 3_600_000 },
  { value: '2h', label: 'Last 2 hours', short: '2 hours', ms: 7_200_000 },
  { value: '3h', label: 'Last 3 hours', short: '3 hours', ms: 10_800_000 },
  { value: '6h', label: 'Last 6 hours', short: '6 hours', ms: 21_600_000 },
  { value: '12h', label: 'Last 12 hours', short: '12 hours', ms: 43_200_000 },
  { value: '1d', label: 'Last day', short: '1 day', ms: 86_400_000 },
  { value: '2d', label: 'Last 2 days', short: '2 days', ms: 172_800_000 },
  { value: '7d', label: 'Last 7 days', short: '7 days', ms: 604_800_000 },
];

const KEYS: ReadonlyArray<keyof Criteria> = [
  'serviceName',
  'remoteServiceName',
  'spanName',
  'annotationQuery',
  'minDuration',
  'maxDuration',
  'lookback',
  'endTs',
  'startTs',
  'millis',
  'limit',
];

export function emptyCriteria(): Criteria {
  return {
    serviceName: '',
    remoteServiceName: '',
    spanName: '',
    annotationQuery: '',
    minDuration: '',
    maxDuration: '',
    lookback: '',
    endTs: '',
    startTs: '',
    millis: '',
    limit: '',
  };
}

export function parseCriteria(search: string): Criteria {
  const p = new URLSearchParams(search);
  const c = emptyCriteria();
  for (const k of KEYS) c[k] = p.get(k) ?? '';
  // Lens writes spanName=all for "any"; zipkin ignores it too.
  if (c.spanName === 'all') c.spanName = '';
  // Older Skein links: "custom" is Lens's "range"; a bare number of ms is Lens's "millis" (or a preset).
  if (c.lookback === 'custom') c.lookback = 'range';
  else if (/^\d+$/.test(c.lookback)) {
    const ms = Number(c.lookback);
    const preset = LOOKBACK_PRESETS.find((x) => x.ms === ms);
    c.lookback = preset ? preset.value : 'millis';
    if (!preset) c.millis = String(ms);
  }
  if (c.lookback !== 'millis') c.millis = '';
  return c;
}

/** True when the URL asks for a search (Lens runs the query on load in that case). */
export function hasSearch(search: string): boolean {
  const p = new URLSearchParams(search);
  return KEYS.some((k) => p.has(k));
}

export function criteriaToQueryString(c: Criteria): string {
  const p = new URLSearchParams();
  for (const k of KEYS) if (c[k] !== '') p.set(k, c[k]);
  return p.toString();
}

/** A lookback value (preset, milliseconds, or custom) in milliseconds; undefined when unusable. */
export function lookbackMs(c: Criteria, nowMs: number, defaultLookback: number): number | undefined {
  if (c.lookback === '') return defaultLookback;
  const preset = LOOKBACK_PRESETS.find((p) => p.value === c.lookback);
  if (preset) return preset.ms;
  if (c.lookback === 'range' || c.lookback === 'custom') {
    const end = c.endTs ? Number(c.endTs) : nowMs;
    const start = Number(c.startTs);
    return Number.isFinite(start) && start > 0 && end > start ? end - start : undefined;
  }
  const ms = Number(c.lookback === 'millis' ? c.millis : c.lookback);
  return Number.isInteger(ms) && ms > 0 ? ms : undefined;
}

/**
 * A human duration ("150ms", "1.5s", "200us", "2m") or a bare number of microseconds (Lens's unit),
 * in microseconds; undefined when unparseable.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|μs|ms|s|m|h)?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'us').toLowerCase();
  const factor = unit === 'ms' ? 1e3 : unit === 's' ? 1e6 : unit === 'm' ? 6e7 : unit === 'h' ? 3.6e9 : 1;
  const us = Math.round(n * factor);
  return us > 0 ? us : undefined;
}

/** Turns the URL state into an API query, or a message saying which field is wrong. */
export function toTraceQuery(
  c: Criteria,
  nowMs: number,
  defaults: { queryLimit: number; defaultLookback: number },
): { query: TraceQuery } | { error: string } {
  const endTs = c.endTs ? Number(c.endTs) : nowMs;
  if (!Number.isFinite(endTs) || endTs <= 0) return { error: 'endTs must be a time in epoch milliseconds.' };
  const lookback = lookbackMs(c, endTs, defaults.defaultLookback);
  if (lookback === undefined && c.lookback === 'range') {
    return { error: 'lookback=range needs startTs: the start of the range in epoch milliseconds, before endTs (or now).' };
  }
  if (lookback === undefined && c.lookback === 'millis') {
    return { error: 'lookback=millis needs millis: the length of the range in milliseconds, a positive whole number.' };
  }
  if (lookback === undefined) return { error: `Unknown lookback "${c.lookback}": use ${LOOKBACK_PRESETS.map((p) => p.value).join(', ')}, range (with startTs) or millis (with millis=).` };
  const limit = c.limit ? Number(c.limit) : defaults.queryLimit;
  if (!Number.isInteger(limit) || limit <= 0) return { error: 'Limit must be a positive whole number.' };
  const q: TraceQuery = { endTs, lookback, limit };
  if (c.serviceName) q.serviceName = c.serviceName;
  if (c.remoteServiceName) q.remoteServiceName = c.remoteServiceName;
  if (c.spanName) q.spanName = c.spanName;
  if (c.annotationQuery.trim()) q.annotationQuery = c.annotationQuery.trim();
  if (c.minDuration) {
    const v = parseDuration(c.minDuration);
    if (v === undefined) return { error: `Min duration "${c.minDuration}" is not a duration (e.g. 150ms, 2s).` };
    q.minDuration = v;
  }
  if (c.maxDuration) {
    const v = parseDuration(c.maxDuration);
    if (v === undefined) return { error: `Max duration "${c.maxDuration}" is not a duration (e.g. 150ms, 2s).` };
    if (q.minDuration === undefined) return { error: 'Max duration needs a min duration too (zipkin rule).' };
    if (v < q.minDuration) return { error: 'Max duration must not be below min duration.' };
    q.maxDuration = v;
  }
  return { query: q };
}

/** The time-range dropdown's text for a lookback that is not a preset ("Last 90 seconds"). */
export function lookbackLabel(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) return `Last ${ms / size} ${name}${ms === size ? '' : 's'}`;
  }
  return `Last ${ms.toLocaleString('en-US')} ms`;
}
