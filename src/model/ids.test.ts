import { describe, expect, it } from 'vitest';
import { zipkinTraceIdParam } from './ids.js';

// Each message is zipkin-server 3.x's answer to the same GET /api/v2/trace/{id} (checked against the real
// server by test/differential/zipkin-differential.test.ts).
describe('zipkinTraceIdParam', () => {
  it('trims, pads and folds a zero high half like a stored id', () => {
    expect(zipkinTraceIdParam(' abc ')).toEqual({ id: '0000000000000abc' });
    expect(zipkinTraceIdParam('0000000000000000000000000000abcd')).toEqual({ id: '000000000000abcd' });
    expect(zipkinTraceIdParam('1'.repeat(32))).toEqual({ id: '1'.repeat(32) });
  });

  it("rejects what zipkin rejects, in zipkin's words", () => {
    expect(zipkinTraceIdParam('ABC')).toEqual({ error: 'ABC should be lower-hex encoded with no prefix' });
    expect(zipkinTraceIdParam('0x1')).toEqual({ error: '0x1 should be lower-hex encoded with no prefix' });
    expect(zipkinTraceIdParam('a'.repeat(33))).toEqual({ error: 'traceId.length > 32' });
    expect(zipkinTraceIdParam(' ')).toEqual({ error: 'traceId is empty' });
    expect(zipkinTraceIdParam('0000000000000000')).toEqual({ error: 'traceId is all zeros' });
  });
});
