import type { DependencyLink } from '../../model/dependency-link.js';

/**
 * Shares the dependency-link objects that traces cache (most traces repeat the same few edges, each
 * called once), so that caching links costs a trace one small array, not an object per edge. Bounded
 * like SpanInterner: when full it starts over, which costs memory, never correctness.
 */
export class LinkInterner {
  private links = new Map<string, DependencyLink>();

  constructor(private readonly maxEntries = 65_536) {}

  internAll(links: readonly DependencyLink[]): readonly DependencyLink[] {
    return links.map((l) => this.intern(l));
  }

  private intern(l: DependencyLink): DependencyLink {
    const key = `${l.parent}\u0000${l.child}\u0000${l.callCount}\u0000${l.errorCount ?? 0}`;
    const known = this.links.get(key);
    if (known !== undefined) return known;
    if (this.links.size >= this.maxEntries) this.links = new Map();
    // Shared by many traces: frozen so that no caller can change another trace's counts.
    const shared = Object.freeze({ ...l });
    this.links.set(key, shared);
    return shared;
  }
}
