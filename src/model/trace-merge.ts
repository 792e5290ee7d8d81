import type { Annotation, Endpoint, Span, SpanLink } from './span.js';

/**
 * Cleans up the spans of one trace as zipkin's Trace.merge does, so that a tree built from them has no
 * redundant nodes:
 * - spans are sorted by id, then non-shared before shared (and CLIENT first among non-shared), then by
 *   local endpoint (absent first);
 * - when any span carries a 128-bit trace id, every span is rewritten to it (instrumentation that
 *   dropped the high bits still belongs to the trace);
 * - fragments with the same id, the same shared flag and compatible local endpoints (no field that
 *   differs when both sides have it) are merged: first non-absent scalar wins, endpoints merge field by
 *   field, annotations and tags are unioned (later tag values win), flags are ORed;
 * - a SERVER right after a CLIENT with the same id is marked shared (some instrumentation forgets the
 *   flag), and such a shared server missing its parentId takes the client's.
 *
 * All input spans must belong to one trace (same low 64 bits of trace id). The input is not mutated;
 * unchanged spans are returned as the same objects.
 */
export function mergeTrace(spans: readonly Span[]): Span[] {
  if (spans.length <= 1) return [...spans];
  const sorted = [...spans].sort(compareForMerge);

  let traceId = sorted[0]!.traceId;
  for (const s of sorted) {
    if (traceId.length === 32) break;
    traceId = s.traceId;
  }

  const result: Span[] = [];
  let last: Span | undefined;
  for (let i = 0; i < sorted.length; i++) {
    let span = sorted[i]!;
    const shared = span.shared === true;

    // zipkin: cautiously merge following fragments that look like pieces of this same span.
    let tracker: EndpointTracker | undefined;
    while (i + 1 < sorted.length) {
      const next = sorted[i + 1]!;
      if (next.id !== span.id) break;
      tracker ??= new EndpointTracker(span.localEndpoint);
      if ((next.shared === true) !== shared || !tracker.tryMerge(next.localEndpoint)) break;
      span = mergeFragments(span, next);
      i++;
    }

    const changes: Partial<Span> = {};
    if (span.traceId !== traceId) changes.traceId = traceId;
    if (last !== undefined && last.id === span.id) {
      // zipkin: B3 shares one span id between client and server; some servers forget the flag.
      let nowShared = shared;
      if (last.kind === 'CLIENT' && span.kind === 'SERVER' && !shared) {
        nowShared = true;
        changes.shared = true;
      }
      // zipkin: a shared server span whose parent id was not propagated takes its client's.
      if (nowShared && span.parentId === undefined && last.parentId !== undefined) {
        changes.parentId = last.parentId;
      }
    }
    if (Object.keys(changes).length > 0) span = rebuild({ ...span, ...changes });
    result.push(span);
    last = span;
  }
  return result;
}

/** zipkin Trace.CLEANUP_COMPARATOR. */
export function compareForMerge(a: Span, b: Span): number {
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  const byShared = compareShared(a, b);
  if (byShared !== 0) return byShared;
  return compareEndpoint(a.localEndpoint, b.localEndpoint);
}

function compareShared(a: Span, b: Span): number {
  const aShared = a.shared === true;
  const bShared = b.shared === true;
  if (aShared && bShared) return 0;
  if (aShared) return 1;
  if (bShared) return -1;
  const aClient = a.kind === 'CLIENT';
  const bClient = b.kind === 'CLIENT';
  if (aClient === bClient) return 0;
  return aClient ? -1 : 1;
}

/** Absent endpoints first, so their data attaches to the first fragment with the same id. */
function compareEndpoint(a: Endpoint | undefined, b: Endpoint | undefined): number {
  if (a === undefined) return b === undefined ? 0 : -1;
  if (b === undefined) return 1;
  return (
    compareAbsentLast(a.serviceName, b.serviceName) ||
    compareAbsentLast(a.ipv4, b.ipv4) ||
    compareAbsentLast(a.ipv6, b.ipv6)
  );
}

function compareAbsentLast(a: string | undefined, b: string | undefined): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Endpoints can arrive in pieces; a fragment belongs with another unless a field present on both differs. */
class EndpointTracker {
  private serviceName: string | undefined;
  private ipv4: string | undefined;
  private ipv6: string | undefined;
  private port: number | undefined;

  constructor(first: Endpoint | undefined) {
    this.tryMerge(first);
  }

  tryMerge(e: Endpoint | undefined): boolean {
    if (e === undefined) return true;
    if (conflicts(this.serviceName, e.serviceName)) return false;
    if (conflicts(this.ipv4, e.ipv4)) return false;
    if (conflicts(this.ipv6, e.ipv6)) return false;
    if (conflicts(this.port, e.port)) return false;
    this.serviceName ??= e.serviceName;
    this.ipv4 ??= e.ipv4;
    this.ipv6 ??= e.ipv6;
    this.port ??= e.port;
    return true;
  }
}

function conflicts<T>(a: T | undefined, b: T | undefined): boolean {
  return a !== undefined && b !== undefined && a !== b;
}

/** zipkin Span.Builder.merge: the first non-absent value wins; collections union; flags OR. */
function mergeFragments(a: Span, b: Span): Span {
  const tags = a.tags || b.tags ? { ...a.tags, ...b.tags } : undefined;
  return rebuild({
    traceId: a.traceId,
    parentId: a.parentId ?? b.parentId,
    id: a.id,
    kind: a.kind ?? b.kind,
    name: a.name ?? b.name,
    timestamp: a.timestamp ?? b.timestamp,
    duration: a.duration ?? b.duration,
    localEndpoint: mergeEndpoint(a.localEndpoint, b.localEndpoint),
    remoteEndpoint: mergeEndpoint(a.remoteEndpoint, b.remoteEndpoint),
    annotations: mergeAnnotations(a.annotations, b.annotations),
    tags,
    debug: a.debug ?? b.debug,
    shared: a.shared ?? b.shared,
    links: mergeLinks(a.links, b.links),
  });
}

function mergeEndpoint(a: Endpoint | undefined, b: Endpoint | undefined): Endpoint | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const out: Endpoint = {};
  const serviceName = a.serviceName ?? b.serviceName;
  if (serviceName !== undefined) out.serviceName = serviceName;
  const ipv4 = a.ipv4 ?? b.ipv4;
  if (ipv4 !== undefined) out.ipv4 = ipv4;
  const ipv6 = a.ipv6 ?? b.ipv6;
  if (ipv6 !== undefined) out.ipv6 = ipv6;
  const port = a.port ?? b.port;
  if (port !== undefined) out.port = port;
  return out;
}

/** Union, sorted by timestamp then value, without duplicates (the Span invariant). */
function mergeAnnotations(
  a: readonly Annotation[] | undefined,
  b: readonly Annotation[] | undefined,
): Annotation[] | undefined {
  if (!a?.length) return b?.length ? [...b] : undefined;
  if (!b?.length) return [...a];
  const all = [...a, ...b].sort(
    (x, y) => x.timestamp - y.timestamp || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0),
  );
  return all.filter(
    (x, i) => i === 0 || x.timestamp !== all[i - 1]!.timestamp || x.value !== all[i - 1]!.value,
  );
}

function mergeLinks(
  a: readonly SpanLink[] | undefined,
  b: readonly SpanLink[] | undefined,
): SpanLink[] | undefined {
  if (!a?.length) return b?.length ? [...b] : undefined;
  if (!b?.length) return [...a];
  const seen = new Set(a.map((l) => JSON.stringify(l)));
  return [...a, ...b.filter((l) => !seen.has(JSON.stringify(l)))];
}

/**
 * A span with its fields in zipkin's JSON order and absent fields omitted, preserving the invariant
 * that JSON.stringify of a Span is its canonical encoding.
 */
function rebuild(s: { [K in keyof Span]?: Span[K] | undefined } & Pick<Span, 'traceId' | 'id'>): Span {
  const out = { traceId: s.traceId } as Span;
  if (s.parentId !== undefined) out.parentId = s.parentId;
  out.id = s.id;
  if (s.kind !== undefined) out.kind = s.kind;
  if (s.name !== undefined) out.name = s.name;
  if (s.timestamp !== undefined) out.timestamp = s.timestamp;
  if (s.duration !== undefined) out.duration = s.duration;
  if (s.localEndpoint !== undefined) out.localEndpoint = s.localEndpoint;
  if (s.remoteEndpoint !== undefined) out.remoteEndpoint = s.remoteEndpoint;
  if (s.annotations !== undefined) out.annotations = s.annotations;
  if (s.tags !== undefined) out.tags = s.tags;
  if (s.debug === true) out.debug = true;
  // zipkin: a CLIENT is never shared.
  if (s.shared === true && out.kind !== 'CLIENT') out.shared = true;
  if (s.links !== undefined) out.links = s.links;
  return out;
}
