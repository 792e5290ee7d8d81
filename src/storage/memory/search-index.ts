import type { Span } from '../../model/span.js';
import type { QueryRequest } from '../query-request.js';
import { addRef, refCount, removeRef, type Refs } from './trace-refs.js';

/**
 * Name and tag indexes over trace records (never over span copies): which traces have a span of a local
 * service, of (service, span name), of (service, remote service), and with a tag key=value. They narrow a
 * search to candidates; the trace matcher decides. They also answer the name lists and autocomplete.
 */
export class SearchIndex<T extends object> {
  private readonly services = new Map<string, Refs<T>>();
  private readonly spanNames = new Map<string, Map<string, Refs<T>>>();
  private readonly remoteServices = new Map<string, Map<string, Refs<T>>>();
  private readonly tags = new Map<string, Map<string, Refs<T>>>();

  add(span: Span, trace: T): void {
    const service = span.localEndpoint?.serviceName;
    if (service !== undefined) {
      addRef(this.services, service, trace);
      if (span.name !== undefined) addRef(inner(this.spanNames, service), span.name, trace);
      const remote = span.remoteEndpoint?.serviceName;
      if (remote !== undefined) addRef(inner(this.remoteServices, service), remote, trace);
    }
    if (span.tags) {
      for (const key in span.tags) addRef(inner(this.tags, key), span.tags[key]!, trace);
    }
  }

  /** Removes `trace` from every entry `span` put it in; used when the whole trace is evicted. */
  remove(span: Span, trace: T): void {
    const service = span.localEndpoint?.serviceName;
    if (service !== undefined) {
      removeRef(this.services, service, trace);
      if (span.name !== undefined) removeInner(this.spanNames, service, span.name, trace);
      const remote = span.remoteEndpoint?.serviceName;
      if (remote !== undefined) removeInner(this.remoteServices, service, remote, trace);
    }
    if (span.tags) {
      for (const key in span.tags) removeInner(this.tags, key, span.tags[key]!, trace);
    }
  }

  /**
   * The smallest indexed set every match must belong to: `undefined` when no criterion is indexed (scan
   * the time window), `null` when an indexed criterion has no trace at all (nothing can match).
   */
  candidates(request: QueryRequest): Refs<T> | null | undefined {
    const sets: (Refs<T> | undefined)[] = [];
    const { serviceName, spanName, remoteServiceName } = request;
    if (serviceName !== undefined) {
      sets.push(this.services.get(serviceName));
      if (spanName !== undefined) sets.push(this.spanNames.get(serviceName)?.get(spanName));
      if (remoteServiceName !== undefined) {
        sets.push(this.remoteServices.get(serviceName)?.get(remoteServiceName));
      }
    }
    for (const [key, value] of request.annotationQuery.tags) {
      // "k=" means "has tag k or annotation k" (zipkin), which this index cannot narrow.
      if (value !== '') sets.push(this.tags.get(key)?.get(value));
    }
    if (sets.length === 0) return undefined;
    let best: Refs<T> | undefined;
    for (const set of sets) {
      if (set === undefined) return null;
      if (best === undefined || refCount(set) < refCount(best)) best = set;
    }
    return best;
  }

  serviceNames(): string[] {
    return [...this.services.keys()].sort();
  }

  spanNamesOf(service: string): string[] {
    return sortedKeys(this.spanNames.get(service));
  }

  remoteServiceNamesOf(service: string): string[] {
    return sortedKeys(this.remoteServices.get(service));
  }

  tagValuesOf(key: string): string[] {
    return sortedKeys(this.tags.get(key));
  }

  clear(): void {
    this.services.clear();
    this.spanNames.clear();
    this.remoteServices.clear();
    this.tags.clear();
  }
}

function inner<T extends object>(
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

function removeInner<T extends object>(
  outer: Map<string, Map<string, Refs<T>>>,
  outerKey: string,
  key: string,
  trace: T,
): void {
  const map = outer.get(outerKey);
  if (map && removeRef(map, key, trace)) outer.delete(outerKey);
}

function sortedKeys(map: Map<string, unknown> | undefined): string[] {
  return map ? [...map.keys()].sort() : [];
}
