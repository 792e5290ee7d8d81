import { describe, expect, it } from 'vitest';
import { boundFutureTimestamps, FUTURE_TIMESTAMP_TAG } from './future-timestamps.js';
import type { Span } from './span.js';

const base: Span = { traceId: '0000000000000001', id: '0000000000000002' };
const NOW = 1_700_000_000_000_000;
const HOUR = 3_600_000_000;

describe('boundFutureTimestamps', () => {
  it('keeps a span within the bound as the same object', () => {
    const span = { ...base, timestamp: NOW + HOUR, annotations: [{ timestamp: NOW + HOUR, value: 'a' }] };
    expect(boundFutureTimestamps(span, NOW, HOUR)).toBe(span);
  });

  it('moves a far-future timestamp and its far-future annotations to arrival, keeping tags', () => {
    const span: Span = {
      ...base,
      timestamp: 1e308,
      annotations: [
        { timestamp: NOW - 5, value: 'early' },
        { timestamp: 1e308, value: 'late' },
      ],
      tags: { k: 'v' },
    };
    const out = boundFutureTimestamps(span, NOW, HOUR);
    expect(out.timestamp).toBe(NOW);
    expect(out.annotations).toEqual([
      { timestamp: NOW - 5, value: 'early' },
      { timestamp: NOW, value: 'late' },
    ]);
    expect(out.tags).toEqual({ k: 'v', [FUTURE_TIMESTAMP_TAG]: '1e+308' });
    expect(span.timestamp).toBe(1e308);
  });

  it('a far-future annotation alone moves to the span timestamp', () => {
    const out = boundFutureTimestamps(
      { ...base, timestamp: NOW - 10, annotations: [{ timestamp: 2 ** 63, value: 'x' }] },
      NOW,
      HOUR,
    );
    expect(out.timestamp).toBe(NOW - 10);
    expect(out.annotations).toEqual([{ timestamp: NOW - 10, value: 'x' }]);
    expect(out.tags![FUTURE_TIMESTAMP_TAG]).toBe(String(2 ** 63));
  });
});
