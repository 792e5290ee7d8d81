/** Anything ordered by a trace timestamp in epoch microseconds; 0 means "no timestamp". */
export interface Timed {
  ts: number;
}

/**
 * Bucket width. Traces mostly arrive in timestamp order, so a bucket is usually appended to in order and
 * stays sorted; one second keeps buckets small enough to sort on demand when they are not.
 */
const BUCKET_MICROS = 1_000_000;

interface Bucket<T> {
  items: T[];
  sorted: boolean;
}

/**
 * Items ordered by timestamp for window queries (newest first) and eviction (oldest first), without a
 * balanced tree: a sorted array of bucket ids over per-second buckets. Items without a timestamp (ts 0)
 * sort oldest, so they are evicted first and never fall in a query window.
 *
 * Callers must `remove` an item before changing its `ts` and `add` it again after.
 */
export class TimeIndex<T extends Timed> {
  private readonly buckets = new Map<number, Bucket<T>>();
  /**
   * Ascending bucket ids from index `head` on. Eviction empties the oldest buckets, at the front: moving
   * `head` instead of splicing keeps that O(1) (a splice at the front copies every id; a day of data is
   * 86,400 of them). The dead prefix is dropped once it is half the array.
   */
  private ids: number[] = [];
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(item: T): void {
    const id = bucketId(item.ts);
    const bucket = this.buckets.get(id);
    if (!bucket) {
      // A one-element literal holds exactly one slot; an empty array grows to 17 on its first push, and
      // when traces are sparse (a second per bucket) most buckets keep one trace (~120 bytes per trace).
      this.buckets.set(id, { items: [item], sorted: true });
      const at = upperBound(this.ids, this.head, id);
      if (at === this.head && this.head > 0) this.ids[--this.head] = id;
      else this.ids.splice(at, 0, id);
      this.count++;
      return;
    }
    const last = bucket.items[bucket.items.length - 1];
    if (last !== undefined && last.ts > item.ts) bucket.sorted = false;
    bucket.items.push(item);
    this.count++;
  }

  remove(item: T): boolean {
    const id = bucketId(item.ts);
    const bucket = this.buckets.get(id);
    if (!bucket) return false;
    const at = bucket.items.lastIndexOf(item);
    if (at === -1) return false;
    bucket.items.splice(at, 1);
    this.count--;
    if (bucket.items.length === 0) {
      this.buckets.delete(id);
      const at = upperBound(this.ids, this.head, id) - 1;
      if (at === this.head) {
        this.head++;
        if (this.head >= 1024 && this.head * 2 >= this.ids.length) {
          this.ids = this.ids.slice(this.head);
          this.head = 0;
        }
      } else this.ids.splice(at, 1);
    }
    return true;
  }

  oldest(): T | undefined {
    const id = this.ids[this.head];
    if (id === undefined) return undefined;
    return this.sortedItems(id)[0];
  }

  /** Items with fromMicros <= ts <= toMicros and ts > 0, newest first. */
  *newestFirst(fromMicros: number, toMicros: number): Generator<T> {
    const from = Math.max(fromMicros, 1);
    if (toMicros < from) return;
    const lowId = bucketId(from);
    for (let i = upperBound(this.ids, this.head, bucketId(toMicros)) - 1; i >= this.head; i--) {
      const id = this.ids[i]!;
      if (id < lowId) return;
      const items = this.sortedItems(id);
      for (let j = items.length - 1; j >= 0; j--) {
        const item = items[j]!;
        if (item.ts > toMicros) continue;
        if (item.ts < from) break;
        yield item;
      }
    }
  }

  clear(): void {
    this.buckets.clear();
    this.ids = [];
    this.head = 0;
    this.count = 0;
  }

  private sortedItems(id: number): T[] {
    const bucket = this.buckets.get(id)!;
    if (!bucket.sorted) {
      bucket.items.sort((a, b) => a.ts - b.ts);
      bucket.sorted = true;
    }
    return bucket.items;
  }
}

function bucketId(ts: number): number {
  return Math.floor(ts / BUCKET_MICROS);
}

/** Index of the first element at or after `lo` greater than `value`. */
function upperBound(sorted: readonly number[], lo: number, value: number): number {
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
