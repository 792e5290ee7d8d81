import { describe, expect, it } from 'vitest';
import { limitSpan, truncateString, type LimitedField, type SpanLimits } from './span-limits.js';
import type { Span } from './span.js';

const LIMITS: SpanLimits = {
  maxNameLength: 8,
  maxTagKeyLength: 4,
  maxTagValueLength: 5,
  maxTags: 3,
  maxAnnotations: 2,
};
const base: Span = { traceId: '0000000000000001', id: '0000000000000002' };

function run(span: Span) {
  const counts: Partial<Record<LimitedField, number>> = {};
  const out = limitSpan(span, LIMITS, (f, n) => (counts[f] = (counts[f] ?? 0) + n));
  return { out, counts };
}

describe('limitSpan', () => {
  it('returns the same object when nothing is over a limit', () => {
    const span: Span = { ...base, name: 'get', tags: { a: '1' }, localEndpoint: { serviceName: 'svc' } };
    const { out, counts } = run(span);
    expect(out).toBe(span);
    expect(counts).toEqual({});
  });

  it('truncates names, service names, keys and values, drops excess tags and annotations, and counts each', () => {
    const span: Span = {
      ...base,
      name: 'a-very-long-name',
      localEndpoint: { serviceName: 'frontend-service', ipv4: '10.0.0.1' },
      remoteEndpoint: { serviceName: 'backend-service' },
      annotations: [
        { timestamp: 1, value: 'early' },
        { timestamp: 2, value: 'second-long' },
        { timestamp: 3, value: 'late' },
      ],
      tags: { k: 'v', longkey: 'x', other: 'value-too-long', z: 'z' },
    };
    const { out, counts } = run(span);
    expect(out.name).toBe('a-very-l');
    expect(out.localEndpoint).toEqual({ serviceName: 'frontend', ipv4: '10.0.0.1' });
    expect(out.remoteEndpoint).toEqual({ serviceName: 'backend-' });
    expect(out.annotations).toEqual([
      { timestamp: 1, value: 'early' },
      { timestamp: 2, value: 'secon' },
    ]);
    expect(out.tags).toEqual({ k: 'v', long: 'x', othe: 'value' });
    expect(counts).toEqual({
      name: 1,
      serviceName: 2,
      annotations: 1,
      annotationValue: 1,
      tags: 1,
      tagKey: 2,
      tagValue: 1,
    });
    // The input is not changed.
    expect(span.name).toBe('a-very-long-name');
  });

  it('a truncated key that collides with an earlier one is dropped, not overwritten', () => {
    const { out, counts } = run({ ...base, tags: { abcdX: '1', abcdY: '2' } });
    expect(out.tags).toEqual({ abcd: '1' });
    expect(counts.tags).toBe(1);
  });

  it('never splits a surrogate pair', () => {
    expect(truncateString('ab😀cd', 3)).toBe('ab');
    expect(truncateString('ab😀cd', 4)).toBe('ab😀');
  });
});
