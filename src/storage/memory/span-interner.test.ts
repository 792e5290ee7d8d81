import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../model/normalize-span.js';
import { SpanInterner } from './span-interner.js';

const input = {
  traceId: 'a'.repeat(32),
  parentId: '1',
  id: '2',
  kind: 'CLIENT',
  name: 'get',
  timestamp: 10,
  duration: 5,
  localEndpoint: { serviceName: 'fe', ipv4: '10.0.0.1', port: 80 },
  remoteEndpoint: { serviceName: 'be' },
  annotations: [{ timestamp: 11, value: 'ws' }],
  tags: { 'http.path': '/a', long: 'x'.repeat(300) },
  debug: true,
};
/** A fresh copy of every string and object, as a decoder produces for each span. */
const fresh = () => normalizeSpan(JSON.parse(JSON.stringify(input)) as typeof input);

describe('SpanInterner', () => {
  it('returns an equal span with the same key order (the canonical JSON encoding is unchanged)', () => {
    const span = fresh();
    const interned = new SpanInterner().intern(span, span.traceId);
    expect(interned).toEqual(span);
    expect(JSON.stringify(interned)).toBe(JSON.stringify(span));
  });

  it('shares endpoints (frozen), names and short tag values across spans', () => {
    const interner = new SpanInterner();
    const a = interner.intern(fresh(), 'x');
    const b = interner.intern(fresh(), 'x');
    expect(b.localEndpoint).toBe(a.localEndpoint);
    expect(Object.isFrozen(a.localEndpoint)).toBe(true);
    expect(b.remoteEndpoint).toBe(a.remoteEndpoint);
    expect(b.tags).not.toBe(a.tags);
    expect(b.tags).toEqual(a.tags);
  });

  it('keeps working after its tables fill up and start over', () => {
    const interner = new SpanInterner(2);
    for (let i = 0; i < 10; i++) {
      const span = normalizeSpan({ ...fresh(), name: `n${i}`, localEndpoint: { serviceName: `s${i}` } });
      expect(interner.intern(span, span.traceId)).toEqual(span);
    }
  });
});
