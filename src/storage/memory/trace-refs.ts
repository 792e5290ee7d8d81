/** A trace record as the search index sees it: evicted records stay referenced until compaction. */
export interface Evictable {
  evicted: boolean;
}

/**
 * The traces under one index key, stored compactly: one record by itself (the common case for
 * high-cardinality keys such as unique tag values), else an array of records (8 bytes per entry, as
 * Node is built without V8 pointer compression, against ~40 for a Set entry). Arrays may hold evicted
 * records and repeats; readers skip both, and `compactRefs` drops them.
 */
export type Refs<T extends Evictable> = T | T[];

/** Adds `item` under `key`. Returns whether a reference was added (false when `item` was just added). */
export function addRef<T extends Evictable>(map: Map<string, Refs<T>>, key: string, item: T): boolean {
  const refs = map.get(key);
  if (refs === undefined) {
    map.set(key, item);
  } else if (Array.isArray(refs)) {
    // Spans of one trace usually arrive together, so comparing with the last entry catches most repeats.
    if (refs[refs.length - 1] === item) return false;
    refs.push(item);
  } else if (refs === item) {
    return false;
  } else if (refs.evicted) {
    map.set(key, item);
  } else {
    map.set(key, [refs, item]);
  }
  return true;
}

export function refCount<T extends Evictable>(refs: Refs<T>): number {
  return Array.isArray(refs) ? refs.length : 1;
}

/** Whether any live record is referenced; looks at the newest entries first, which are the likeliest live. */
export function hasLive<T extends Evictable>(refs: Refs<T> | undefined): boolean {
  if (refs === undefined) return false;
  if (!Array.isArray(refs)) return !refs.evicted;
  for (let i = refs.length - 1; i >= 0; i--) if (!refs[i]!.evicted) return true;
  return false;
}

/** The distinct live records referenced. */
export function liveItems<T extends Evictable>(refs: Refs<T>): T[] {
  if (!Array.isArray(refs)) return refs.evicted ? [] : [refs];
  const out: T[] = [];
  const seen = new Set<T>();
  for (const item of refs) {
    if (item.evicted || seen.has(item)) continue;
    seen.add(item);
    out.push(item);
  }
  return out;
}

/**
 * Drops evicted records and repeats from every key of `map`, and keys left with nothing. Returns how many
 * references remain.
 */
export function compactRefs<T extends Evictable>(map: Map<string, Refs<T>>): number {
  let remaining = 0;
  for (const [key, refs] of map) {
    const live = liveItems(refs);
    if (live.length === 0) map.delete(key);
    else if (live.length === 1) map.set(key, live[0]!);
    else map.set(key, live);
    remaining += live.length;
  }
  return remaining;
}
