/**
 * A set of trace records stored compactly: one record by itself (the common case for high-cardinality
 * keys such as unique tag values), or a Set once a second record joins. Saves a Set allocation per key.
 */
export type Refs<T extends object> = T | Set<T>;

export function addRef<T extends object>(map: Map<string, Refs<T>>, key: string, item: T): void {
  const refs = map.get(key);
  if (refs === undefined) map.set(key, item);
  else if (refs instanceof Set) refs.add(item);
  else if (refs !== item) map.set(key, new Set([refs, item]));
}

/** Removes `item` under `key`; drops the key when nothing is left. Returns whether the map is now empty. */
export function removeRef<T extends object>(map: Map<string, Refs<T>>, key: string, item: T): boolean {
  const refs = map.get(key);
  if (refs === item) map.delete(key);
  else if (refs instanceof Set) {
    refs.delete(item);
    if (refs.size === 1) map.set(key, refs.values().next().value as T);
  }
  return map.size === 0;
}

export function refCount<T extends object>(refs: Refs<T>): number {
  return refs instanceof Set ? refs.size : 1;
}

export function hasRef<T extends object>(refs: Refs<T>, item: T): boolean {
  return refs instanceof Set ? refs.has(item) : refs === item;
}

export function refItems<T extends object>(refs: Refs<T>): Iterable<T> {
  return refs instanceof Set ? refs : [refs];
}
