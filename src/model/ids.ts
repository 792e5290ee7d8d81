import { DecodeError } from './decode-error.js';

const HEX = /^[0-9a-f]+$/;
const ZEROS16 = '0000000000000000';

/**
 * zipkin: trace ids are 64 or 128-bit lower-hex, left-padded to 16 or 32 characters; a 128-bit id whose
 * high half is zero is the 64-bit id; all zeros is invalid; uppercase is rejected rather than guessed.
 */
export function normalizeTraceId(raw: string, field = 'traceId'): string {
  const id = checkHex(raw, 32, field);
  let padded = id.length <= 16 ? id.padStart(16, '0') : id.padStart(32, '0');
  if (padded.length === 32 && padded.startsWith(ZEROS16)) padded = padded.slice(16);
  if (/^0+$/.test(padded)) throw new DecodeError(`${field} must not be all zeros`);
  return padded;
}

/** A span or parent id: lower-hex up to 16 characters, left-padded to 16; all zeros is invalid. */
export function normalizeSpanId(raw: string, field = 'id'): string {
  const id = checkHex(raw, 16, field).padStart(16, '0');
  if (id === ZEROS16) throw new DecodeError(`${field} must not be all zeros`);
  return id;
}

/** A parent id of all zeros means "no parent" (zipkin). Returns undefined for that case. */
export function normalizeParentId(raw: string | undefined | null): string | undefined {
  if (raw == null || raw === '') return undefined;
  const id = checkHex(raw, 16, 'parentId').padStart(16, '0');
  return id === ZEROS16 ? undefined : id;
}

function checkHex(raw: string, max: number, field: string): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new DecodeError(`${field} is required`);
  if (raw.length > max) {
    throw new DecodeError(`${field} should be at most ${max} lower-hex characters: ${clip(raw)}`);
  }
  if (!HEX.test(raw)) {
    throw new DecodeError(`${field} should be lower-hex encoded with no prefix: ${clip(raw)}`);
  }
  return raw;
}

/**
 * Parses a user-given trace id (query path, trace-id box): trimmed, lowercased, validated like a stored
 * id. Returns undefined when it is not a valid id, so callers can answer 400.
 */
export function parseTraceIdParam(raw: string): string | undefined {
  const id = raw.trim().toLowerCase();
  try {
    return normalizeTraceId(id);
  } catch {
    return undefined;
  }
}

/**
 * A trace id given to the Zipkin query API (GET /api/v2/trace/{id}, traceMany): trimmed, then checked as
 * zipkin-server checks it, with its messages, so clients that match on them keep working. Uppercase is
 * rejected (400), as Zipkin does: stored ids are lower-hex, and accepting a case Zipkin rejects would make
 * links that work only on Skein. (The Jaeger API and the UI's trace-id box lowercase via parseTraceIdParam.)
 */
export function zipkinTraceIdParam(raw: string): { id: string } | { error: string } {
  const id = raw.trim();
  if (id === '') return { error: 'traceId is empty' };
  if (id.length > 32) return { error: 'traceId.length > 32' };
  if (!HEX.test(id)) return { error: `${clip(id)} should be lower-hex encoded with no prefix` };
  if (/^0+$/.test(id)) return { error: 'traceId is all zeros' };
  return { id: normalizeTraceId(id) };
}

/** The right-most 16 hex characters: the key used when STRICT_TRACE_ID=false and for dependency linking. */
export function lowTraceId(traceId: string): string {
  return traceId.length === 32 ? traceId.slice(16) : traceId;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
