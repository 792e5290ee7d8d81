import type { DependencyLink } from '../model/dependency-link.js';
import type { Span } from '../model/span.js';

/**
 * Computes dependency links from whole traces with zipkin's DependencyLinker rules
 * (reference/zipkin.md section 5). Shared by every store so each gets a dependency graph without a batch job.
 * Each element of `traces` is all stored spans of one trace (raw, unmerged; merging happens here).
 * The result is aggregated: one link per (parent, child), sorted by parent then child.
 */
export function linkDependencies(traces: Iterable<readonly Span[]>): DependencyLink[] {
  void traces;
  throw new Error('TODO: dependency linker (in progress)');
}
