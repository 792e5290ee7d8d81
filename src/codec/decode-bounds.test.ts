import { describe, expect, it } from 'vitest';
import { DecodeError } from '../model/decode-error.js';
import { checkDeclaredCount, checkJsonBudget, checkProtobufBudget } from './decode-bounds.js';
import { ExportTraceServiceRequest } from './otlp/otlp-schema.js';

describe('decode bounds', () => {
  it('a declared count the remaining bytes cannot hold is refused, one they can is returned', () => {
    expect(checkDeclaredCount(10, 10, 'a list')).toBe(10);
    expect(() => checkDeclaredCount(11, 10, 'a list')).toThrow(
      new DecodeError('a list declares 11 elements but only 10 bytes remain'),
    );
    expect(() => checkDeclaredCount(3, 10, 'a list', 4)).toThrow(DecodeError);
    expect(() => checkDeclaredCount(-1, 10, 'a list')).toThrow(/invalid size -1/);
  });

  it('JSON: strings full of braces do not count, empty objects do', () => {
    const braces = JSON.stringify(['{'.repeat(2_000_000)]);
    expect(() => checkJsonBudget(braces, 'json')).not.toThrow();
    expect(() => checkJsonBudget(Buffer.from(braces), 'json')).not.toThrow();
    const empties = '[' + '{},'.repeat(500_000) + '{}]';
    expect(() => checkJsonBudget(empties, 'json')).toThrow(/json: too many empty or tiny elements/);
    expect(() => checkJsonBudget(Buffer.from(empties), 'json')).toThrow(DecodeError);
  });

  it('protobuf: real spans with many one-letter boolean attributes pass; nesting is bounded', () => {
    const attributes = Array.from({ length: 50 }, (_, i) => ({
      key: String.fromCharCode(97 + (i % 26)),
      value: { boolValue: true },
    }));
    const spans = Array.from({ length: 2000 }, (_, i) => ({
      traceId: Buffer.alloc(16, 1),
      spanId: Buffer.alloc(8, i % 255),
      name: 'op',
      startTimeUnixNano: 1,
      endTimeUnixNano: 2,
      attributes,
    }));
    const bytes = ExportTraceServiceRequest.encode(
      ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans }] }] }),
    ).finish();
    expect(() => checkProtobufBudget(ExportTraceServiceRequest, bytes, 'req')).not.toThrow();

    // AnyValue{5 array_value: ArrayValue{1 values: AnyValue}} nested 100 deep, in a resource attribute.
    const ld = (field: number, body: Buffer) =>
      Buffer.concat([Buffer.from([(field << 3) | 2]), varint(body.length), body]);
    let value = ld(1, Buffer.from('x'));
    for (let i = 0; i < 100; i++) value = ld(5, ld(1, value));
    const deep = ld(1, ld(1, ld(1, Buffer.concat([ld(1, Buffer.from('k')), ld(2, value)]))));
    expect(() => checkProtobufBudget(ExportTraceServiceRequest, deep, 'req')).toThrow(
      /nested deeper than 64/,
    );
  });
});

function varint(v: number): Buffer {
  const out: number[] = [];
  for (; v > 127; v >>>= 7) out.push((v & 127) | 128);
  out.push(v);
  return Buffer.from(out);
}
