import { Buffer } from 'node:buffer';
import { DecodeError } from '../../model/decode-error.js';
import { checkJsonBudget } from '../decode-bounds.js';

/** What the top-level JSON value of a span list must be, and what each element must be. */
export type JsonObject = Record<string, unknown>;

/**
 * Parses a JSON span list body. An empty (or blank) body is an empty list, as zipkin treats it.
 * Throws DecodeError "Malformed reading List<Span> from json: ..." naming where parsing stopped.
 */
export function parseJsonList(bytes: Uint8Array | string): unknown[] {
  // zipkin detects proto3 by 0x0a followed by a non-zero length byte; 0x0a is also JSON whitespace, so
  // check before skipping blanks, or the error would point at the length byte as garbage.
  if (typeof bytes !== 'string' && bytes[0] === 0x0a && bytes.length > 1 && !isBlank(bytes[1]!) && bytes[1] !== 0x5b && bytes[1] !== 0) {
    throw new DecodeError(
      'Malformed reading List<Span> from json: this is a PROTO3 body; send it with Content-Type: application/x-protobuf',
    );
  }
  const text = typeof bytes === 'string' ? bytes : toText(bytes);
  let start = 0;
  // A UTF-8 byte order mark is legal at the start of a document but JSON.parse rejects it.
  if (text.charCodeAt(0) === 0xfeff) start = 1;
  while (start < text.length && isBlank(text.charCodeAt(start))) start++;
  if (start === text.length) return [];
  if (text.charCodeAt(start) !== 0x5b /* [ */) {
    throw new DecodeError(
      `Malformed reading List<Span> from json: expected '[' at byte ${start} ${seen(text, start)}`,
    );
  }
  checkJsonBudget(text, 'Malformed reading List<Span> from json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(start === 0 ? text : text.slice(start));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DecodeError(`Malformed reading List<Span> from json: ${why}`);
  }
  // The first character was '[' and the parse succeeded, so this is always an array.
  return parsed as unknown[];
}

/** Parses one JSON span object (not a list). */
export function parseJsonObject(bytes: Uint8Array | string): JsonObject {
  const text = typeof bytes === 'string' ? bytes : toText(bytes);
  checkJsonBudget(text, 'Malformed reading Span from json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DecodeError(`Malformed reading Span from json: ${why}`);
  }
  if (!isJsonObject(parsed)) {
    throw new DecodeError(
      `Malformed reading Span from json: expected an object but was ${jsonTypeName(parsed)}`,
    );
  }
  return parsed;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Names a JSON value's type the way zipkin's reader does in its errors (BEGIN_OBJECT, STRING...). */
export function jsonTypeName(v: unknown): string {
  if (v === null) return 'NULL';
  if (Array.isArray(v)) return 'BEGIN_ARRAY';
  switch (typeof v) {
    case 'object':
      return 'BEGIN_OBJECT';
    case 'string':
      return 'STRING';
    case 'number':
      return 'NUMBER';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return typeof v;
  }
}

/**
 * Adds where in the list a span failed to the validation message, once: "<cause> reading List<Span>
 * from json at $[3]" (zipkin words its errors "<cause> reading List<Span> from json").
 */
export function atSpan(e: unknown, index: number): unknown {
  if (e instanceof DecodeError && !e.message.includes(' reading List<Span> from json')) {
    return new DecodeError(`${e.message} reading List<Span> from json at $[${index}]`);
  }
  return e;
}

function toText(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buf.toString('utf8');
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Says what was found instead of '[' and, for the common mistakes, what to do about it. */
function seen(text: string, at: number): string {
  const c = text.charCodeAt(at);
  if (c === 0x7b /* { */) return "but found '{': send a list of spans, e.g. [{...}]";
  if (c === 10 || c === 11 || c === 12) {
    return `but found byte 0x0${c.toString(16)}: this looks like a binary (proto3 or thrift) body; check the Content-Type`;
  }
  if (c >= 0x20 && c < 0x7f) return `but found '${text[at]}'`;
  return `but found byte 0x${c.toString(16).padStart(2, '0')}`;
}
