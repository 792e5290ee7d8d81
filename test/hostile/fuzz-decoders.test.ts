import { describe, expect, it } from 'vitest';
import { decodeJsonV1List } from '../../src/codec/json-v1/json-v1-codec.js';
import { decodeJsonV2List } from '../../src/codec/json-v2/json-v2-codec.js';
import { decodeOtlpTraces } from '../../src/codec/otlp/otlp-codec.js';
import { decodeProto3List } from '../../src/codec/proto3/proto3-codec.js';
import { decodeThriftList } from '../../src/codec/thrift/thrift-codec.js';
import { decodePostSpansRequest } from '../../src/codec/jaeger/jaeger-proto-codec.js';
import { decodeJaegerAgentPacket, decodeJaegerThriftBatch } from '../../src/codec/jaeger/jaeger-thrift-codec.js';
import { Random } from '../../src/demo/random.js';
import { isDecodeError } from '../../src/model/decode-error.js';
import type { Span } from '../../src/model/span.js';
import { encodeSeed, FUZZ_FORMATS, mutate, seedSpans, type FuzzFormat } from './fuzz-corpus.js';

/**
 * Issue 15: a fuzz test per decoder. Each decoder gets the same seeded mutations of valid messages every
 * run; for every one it must either decode or throw a DecodeError (a 400 / INVALID_ARGUMENT with a
 * message). Any other throw (TypeError, RangeError, a protobufjs or thrift library error) is what a
 * transport answers with 500, so it is a failure here, reported with the case that reproduces it.
 * What a decoded message may claim is bounded too: never more spans out than a small multiple of its bytes.
 */
const DECODERS: Record<FuzzFormat, (b: Uint8Array) => readonly Span[]> = {
  'zipkin-json-v1': decodeJsonV1List,
  'zipkin-json-v2': decodeJsonV2List,
  'zipkin-thrift': decodeThriftList,
  'zipkin-proto3': decodeProto3List,
  'otlp-json': (b) => decodeOtlpTraces(b, 'json').spans,
  'otlp-proto': (b) => decodeOtlpTraces(b, 'protobuf').spans,
  'jaeger-thrift-binary': (b) => decodeJaegerThriftBatch(b, 'binary'),
  'jaeger-thrift-compact': (b) => decodeJaegerThriftBatch(b, 'compact'),
  'jaeger-agent-compact': (b) => decodeJaegerAgentPacket(b, 'compact'),
  'jaeger-agent-binary': (b) => decodeJaegerAgentPacket(b, 'binary'),
  'jaeger-proto': decodePostSpansRequest,
};

/** Mutations per decoder and seed message: fixed, so a run is the same work on any machine. */
const CASES = 600;
const SEEDS = [1, 2, 3];

describe('decoder fuzzing: every mutation decodes or is a DecodeError', () => {
  for (const format of FUZZ_FORMATS) {
    it(format, () => {
      const decode = DECODERS[format];
      const failures: string[] = [];
      let decoded = 0;
      let refused = 0;
      for (const seed of SEEDS) {
        const spans = seedSpans(seed);
        const valid = encodeSeed(format, spans);
        // The corpus itself must be valid, or every mutation would only test the error path.
        expect(decode(valid).length, `${format} seed ${seed} decodes`).toBeGreaterThan(0);
        const rng = new Random(seed * 7919);
        for (let i = 0; i < CASES; i++) {
          const bytes = mutate(format, valid, rng);
          try {
            const out = decode(bytes);
            decoded++;
            if (out.length > bytes.length + 1)
              failures.push(`seed ${seed} case ${i}: ${out.length} spans out of ${bytes.length} bytes`);
          } catch (e) {
            if (isDecodeError(e)) {
              refused++;
              if (!e.message) failures.push(`seed ${seed} case ${i}: DecodeError without a message`);
            } else {
              failures.push(`seed ${seed} case ${i}: ${(e as Error)?.name}: ${(e as Error)?.message}`);
            }
          }
          if (failures.length >= 5) break;
        }
      }
      expect(failures, `${format}: mutations that would be a 500`).toEqual([]);
      // Both paths were exercised: some mutations still decode, most are refused.
      expect(refused, `${format}: refused`).toBeGreaterThan(0);
      expect(decoded + refused).toBe(CASES * SEEDS.length);
    });
  }
});
