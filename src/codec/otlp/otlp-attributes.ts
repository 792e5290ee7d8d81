import type { OtlpAnyValue, OtlpKeyValue } from './otlp-types.js';

/**
 * OpenTelemetry's rule for non-OTLP formats (common/README.md, "attribute mapping to non-OTLP"):
 * strings as-is, booleans "true"/"false", numbers in decimal, bytes as base64, arrays and maps as JSON.
 */
export function anyValueToString(v: OtlpAnyValue | undefined): string {
  if (v == null) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  const j = anyValueToJson(v);
  return typeof j === 'string' ? j : JSON.stringify(j);
}

/** The JSON form of an AnyValue, as used inside arrays, maps and event annotations. */
export function anyValueToJson(v: OtlpAnyValue | undefined): unknown {
  if (v == null) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    // int64: a JSON number when it survives the trip through a double, else its decimal string.
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined)
    return Number.isFinite(v.doubleValue) ? v.doubleValue : String(v.doubleValue);
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValueToJson);
  if (v.kvlistValue !== undefined) return keyValuesToJson(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue).toString('base64');
  return null;
}

export function keyValuesToJson(kvs: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) out[kv.key] = anyValueToJson(kv.value);
  return out;
}

/** Stringified attributes; a later duplicate key wins, as in an OTel SDK's attribute map. */
export function keyValuesToTags(
  kvs: OtlpKeyValue[] | undefined,
  into: Record<string, string> = {},
): Record<string, string> {
  for (const kv of kvs ?? []) into[kv.key] = anyValueToString(kv.value);
  return into;
}
