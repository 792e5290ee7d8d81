import { createHash } from 'node:crypto';
import type { Span } from '../../model/span.js';

/**
 * The search index of the SQLite store is one table of terms: (term, ts, tid, svc). `svc` is the local
 * service of the span that produced the term ('' when it has none), so a search with serviceName looks
 * terms up for that service only, as zipkin requires (reference/zipkin.md section 1: every criterion is satisfied by
 * a span of that service). The writer derives the terms from a span; the reader derives the same strings
 * from a QueryRequest; retention derives them again from the stored span to delete them, so the three
 * must share this module.
 */
export interface Term {
  term: string;
  svc: string;
}

/** The term of a span's local service: it answers `serviceName=` alone. */
export const serviceTerm = (svc: string): string => bounded('s:', svc);

/**
 * Terms longer than this are stored as a hash: a 1 KiB tag value would otherwise make the index as big as
 * the data. A hash can collide, so search post-filters every candidate with the trace matcher anyway.
 */
const MAX_TERM_CHARS = 128;

function bounded(prefix: string, text: string): string {
  if (text.length <= MAX_TERM_CHARS) return prefix + text;
  return `${prefix}#${createHash('sha1').update(text).digest('base64')}`;
}

export const remoteTerm = (remote: string): string => bounded('r:', remote);
export const nameTerm = (name: string): string => bounded('n:', name);
/** annotationQuery `k=v`: an exact tag match. */
export const tagTerm = (key: string, value: string): string => bounded('t:', `${key}=${value}`);
/** A bare annotationQuery word matches a tag key... */
export const tagKeyTerm = (key: string): string => bounded('k:', key);
/** ...or an annotation value. */
export const annotationTerm = (value: string): string => bounded('a:', value);

/** Every distinct term of one span. */
export function spanTerms(span: Span): Term[] {
  const svc = span.localEndpoint?.serviceName ?? '';
  const terms = new Set<string>();
  if (svc !== '') terms.add(serviceTerm(svc));
  const remote = span.remoteEndpoint?.serviceName;
  if (remote !== undefined) terms.add(remoteTerm(remote));
  if (span.name !== undefined) terms.add(nameTerm(span.name));
  if (span.tags) {
    for (const key in span.tags) {
      terms.add(tagKeyTerm(key));
      terms.add(tagTerm(key, span.tags[key]!));
    }
  }
  if (span.annotations) for (const a of span.annotations) terms.add(annotationTerm(a.value));
  return [...terms].map((term) => ({ term, svc }));
}
