import type { Span } from '../../model/span.js';
import type { QueryRequest } from '../query-request.js';
import { addRef, compactRefs, hasLive, refCount, type Evictable, type Refs } from './trace-refs.js';

/**
 * Name and tag indexes over trace records (never over span copies): which traces have a span of a local
 * service, of (service, span name), of (service, remote service), and with a tag key=value. They narrow a
 * search to candidates; the trace matcher decides. They also answer the name lists and autocomplete.
 *
 * Eviction is lazy to keep the index small: an evicted record is only flagged, every reader skips flagged
 * records (so evicted traces vanish from searches and name lists at once), and once about half of the
 * references point at evicted records, one pass drops them all. Amortized, that is O(1) per reference.
 */
export class SearchIndex<T extends Evictable> {
  private readonly services = new Map<string, Refs<T>>();
  private readonly spanNames = new Map<string, Map<string, Refs<T>>>();
  private readonly remoteServices = new Map<string, Map<string, Refs<T>>>();
  private readonly tags = new Map<string, Map<string, Refs<T>>>();
  private references = 0;
  /** An upper bound of the references to evicted records. */
  private evictedReferences = 0;

  add(span: Span, trace: T): void {
    const service = span.localEndpoint?.serviceName;
    if (service !== undefined) {
      this.count(addRef(this.services, service, trace));
      if (span.name !== undefined) this.count(addRef(inner(this.spanNames, service), span.name, trace));
      const remote = span.remoteEndpoint?.serviceName;
      if (remote !== undefined) this.count(addRef(inner(this.remoteServices, service), remote, trace));
    }
    if (span.tags) {
      for (const key in span.tags) this.count(addRef(inner(this.tags, key), span.tags[key]!, trace));
    }
  }

  /** Call after flagging `trace` evicted, with its spans; compacts when evicted references dominate. */
  evicted(spans: readonly Span[]): void {
    const keys = new Set<string>();
    for (const span of spans) {
      const service = span.localEndpoint?.serviceName;
      if (service !== undefined) {
        keys.add(`s\0${service}`);
        if (span.name !== undefined) keys.add(`n\0${service}\0${span.name}`);
        const remote = span.remoteEndpoint?.serviceName;
        if (remote !== undefined) keys.add(`r\0${service}\0${remote}`);
      }
      if (span.tags) for (const key in span.tags) keys.add(`t\0${key}\0${span.tags[key]!}`);
    }
    this.evictedReferences += keys.size;
    if (this.evictedReferences * 2 > this.references) this.compact();
  }

  /**
   * The indexed reference lists every match must belong to, smallest first: `undefined` when no criterion
   * is indexed (scan the time window), `null` when an indexed criterion has no live trace (nothing
   * matches).
   */
  candidateLists(request: QueryRequest): Refs<T>[] | null | undefined {
    const lists: (Refs<T> | undefined)[] = [];
    const { serviceName, spanName, remoteServiceName } = request;
    if (serviceName !== undefined) {
      // A trace under (service, span name) or (service, remote service) has a span of the service, so
      // the service's own list only narrows when neither is asked for.
      if (spanName === undefined && remoteServiceName === undefined)
        lists.push(this.services.get(serviceName));
      if (spanName !== undefined) lists.push(this.spanNames.get(serviceName)?.get(spanName));
      if (remoteServiceName !== undefined) {
        lists.push(this.remoteServices.get(serviceName)?.get(remoteServiceName));
      }
    }
    for (const [key, value] of request.annotationQuery.tags) {
      // "k=" means "has tag k or annotation k" (zipkin), which this index cannot narrow.
      if (value !== '') lists.push(this.tags.get(key)?.get(value));
    }
    if (lists.length === 0) return undefined;
    const found: Refs<T>[] = [];
    for (const list of lists) {
      if (list === undefined) return null;
      found.push(list);
    }
    found.sort((a, b) => refCount(a) - refCount(b));
    return hasLive(found[0]) ? found : null;
  }

  /** The smallest of candidateLists(request). */
  candidates(request: QueryRequest): Refs<T> | null | undefined {
    const lists = this.candidateLists(request);
    return lists ? lists[0] : lists;
  }

  serviceNames(): string[] {
    return liveKeys(this.services);
  }

  spanNamesOf(service: string): string[] {
    return liveKeys(this.spanNames.get(service));
  }

  remoteServiceNamesOf(service: string): string[] {
    return liveKeys(this.remoteServices.get(service));
  }

  tagValuesOf(key: string): string[] {
    return liveKeys(this.tags.get(key));
  }

  clear(): void {
    this.services.clear();
    this.spanNames.clear();
    this.remoteServices.clear();
    this.tags.clear();
    this.references = 0;
    this.evictedReferences = 0;
  }

  private count(added: boolean): void {
    if (added) this.references++;
  }

  private compact(): void {
    let remaining = compactRefs(this.services);
    for (const nested of [this.spanNames, this.remoteServices, this.tags]) {
      for (const [key, map] of nested) {
        remaining += compactRefs(map);
        if (map.size === 0) nested.delete(key);
      }
    }
    this.references = remaining;
    this.evictedReferences = 0;
  }
}

function inner<T extends Evictable>(
  outer: Map<string, Map<string, Refs<T>>>,
  key: string,
): Map<string, Refs<T>> {
  let map = outer.get(key);
  if (!map) {
    map = new Map();
    outer.set(key, map);
  }
  return map;
}

function liveKeys<T extends Evictable>(map: Map<string, Refs<T>> | undefined): string[] {
  if (!map) return [];
  const keys: string[] = [];
  for (const [key, refs] of map) if (hasLive(refs)) keys.push(key);
  return keys.sort();
}
