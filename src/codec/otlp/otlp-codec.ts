import { decodeOtlpJson } from './otlp-json-codec.js';
import { decodeOtlpProto } from './otlp-proto-codec.js';
import { otlpToSpans, type OtlpSpans } from './otlp-span-mapper.js';

export type OtlpFormat = 'protobuf' | 'json';

/**
 * Decodes an ExportTraceServiceRequest into model spans. Throws DecodeError when the request itself
 * cannot be read (OTLP: 400 / INVALID_ARGUMENT); invalid spans inside a readable request are counted in
 * `rejectedSpans` instead (OTLP: partial_success).
 */
export function decodeOtlpTraces(bytes: Uint8Array, format: OtlpFormat): OtlpSpans {
  return otlpToSpans(format === 'json' ? decodeOtlpJson(bytes) : decodeOtlpProto(bytes));
}
