import protobuf from 'protobufjs';
import { DecodeError } from '../model/decode-error.js';

/**
 * How much a message may claim in memory while it is decoded, in one place for every decoder (issue 15:
 * a 32 KiB gzip body declaring 33 million spans once took the server to 4.6 GB and SIGABRT).
 *
 * Two rules:
 * - A declared count (a thrift list size) larger than the bytes left could hold is a lie: refused before
 *   anything loops or allocates (checkDeclaredCount).
 * - Formats without declared counts (protobuf, JSON) still let tiny elements become large objects: a
 *   2-byte empty protobuf message becomes a ~220-byte decoded object, `{}` in JSON a ~100-byte one
 *   (measured: 64 MiB of them is 6 GB). Before the library decodes, a cheap scan adds up an estimate of
 *   what the decoded objects cost and refuses a body whose estimate is over DECODE_AMPLIFICATION times
 *   its bytes (DecodeBudget). Real spans stay far below it (ids, names and values are bytes that cost
 *   about their size); only bodies made mostly of empty structure exceed it.
 */

/** Decoded objects may cost at most this many times the bytes of the message... */
export const DECODE_AMPLIFICATION = 32;
/** ...plus this allowance, so small messages are never refused by the estimate. */
export const DECODE_ALLOWANCE_BYTES = 1024 * 1024;
/** Deeper nesting than any of our schemas has (OTLP AnyValue may nest; 64 levels is plenty). */
export const MAX_NESTING_DEPTH = 64;

/**
 * Refuses a declared element count that cannot be true: each element takes at least `minElementBytes`
 * of the `remainingBytes`. Returns the count for use.
 */
export function checkDeclaredCount(
  declared: number,
  remainingBytes: number,
  what: string,
  minElementBytes = 1,
): number {
  if (!Number.isInteger(declared) || declared < 0) {
    throw new DecodeError(`${what} declares an invalid size ${declared}`);
  }
  if (declared * minElementBytes > remainingBytes) {
    throw new DecodeError(`${what} declares ${declared} elements but only ${remainingBytes} bytes remain`);
  }
  return declared;
}

/** The estimated decoded cost a message of `wireBytes` may spend; spend() throws DecodeError past it. */
export class DecodeBudget {
  private left: number;

  constructor(
    private readonly wireBytes: number,
    private readonly what: string,
  ) {
    this.left = wireBytes * DECODE_AMPLIFICATION + DECODE_ALLOWANCE_BYTES;
  }

  spend(cost: number, where: string): void {
    this.left -= cost;
    if (this.left < 0) this.refuse(where);
  }

  refuse(where: string): never {
    throw new DecodeError(
      `${this.what}: too many empty or tiny elements for a ${this.wireBytes}-byte message (at ${where}); ` +
        `the decoded objects would take more than ${DECODE_AMPLIFICATION} times the message size`,
    );
  }
}

/** What one decoded JSON object or array costs (measured: `{}` is about 100 bytes of heap). */
const JSON_CONTAINER_COST = 128;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Refuses JSON text whose objects and arrays would cost more than the budget once parsed, before
 * JSON.parse builds them. Counting '{' and '[' with the native indexOf is an upper bound that settles
 * almost every body; only when it is over the budget are strings skipped to count exactly.
 */
export function checkJsonBudget(text: string | Buffer, what: string): void {
  const max = Math.floor((text.length * DECODE_AMPLIFICATION + DECODE_ALLOWANCE_BYTES) / JSON_CONTAINER_COST);
  if (countOf(text, OPEN_OBJECT) + countOf(text, OPEN_ARRAY) <= max) return;
  const at = (i: number) => (typeof text === 'string' ? text.charCodeAt(i) : text[i]!);
  let containers = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = at(i);
    if (c === QUOTE) {
      for (i++; i < text.length && at(i) !== QUOTE; i++) if (at(i) === BACKSLASH) i++;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++containers > max) new DecodeBudget(text.length, what).refuse(`byte ${i}`);
      if (++depth > 10_000) break; // JSON.parse itself reports nesting this deep
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

function countOf(text: string | Buffer, c: number): number {
  let n = 0;
  if (typeof text === 'string') {
    const ch = String.fromCharCode(c);
    for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) n++;
  } else {
    for (let i = text.indexOf(c); i !== -1; i = text.indexOf(c, i + 1)) n++;
  }
  return n;
}

/**
 * What one decoded message of a type costs: the object, a slot per field, and protobufjs's own
 * instance and toObject copies (measured: an empty OTLP Span, 16 fields, about 220 bytes; a KeyValue
 * with its AnyValue about 190).
 */
const messageCosts = new WeakMap<protobuf.Type, number>();
function costOf(type: protobuf.Type): number {
  let cost = messageCosts.get(type);
  if (cost === undefined) {
    cost = 32 + 16 * type.fieldsArray.length;
    messageCosts.set(type, cost);
  }
  return cost;
}

const resolvedRoots = new WeakSet<protobuf.Namespace>();

/**
 * Walks protobuf wire bytes as `type` without building anything: every nested message is charged its
 * cost to a DecodeBudget, every length must fit in its parent, nesting is bounded. Throws DecodeError;
 * wire errors the walk meets (truncation) are left for the decoder to report in its own words, so the
 * walk stops quietly at them.
 */
export function checkProtobufBudget(type: protobuf.Type, bytes: Uint8Array, what: string): void {
  if (!resolvedRoots.has(type.root)) {
    type.root.resolveAll();
    resolvedRoots.add(type.root);
  }
  const reader = protobuf.Reader.create(bytes);
  const budget = new DecodeBudget(bytes.length, what);
  try {
    walk(type, reader, bytes.length, budget, 0, type.name);
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    // A truncated or malformed wire: the decoder that runs next says what is wrong.
  }
}

function walk(
  type: protobuf.Type,
  reader: protobuf.Reader,
  end: number,
  budget: DecodeBudget,
  depth: number,
  path: string,
): void {
  if (depth > MAX_NESTING_DEPTH) {
    throw new DecodeError(`${path}: messages nested deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  budget.spend(costOf(type), path);
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    const field = type.fieldsById[tag >>> 3];
    const sub = field?.resolvedType;
    if (wireType === 2 && field && !field.map && sub instanceof protobuf.Type) {
      const len = reader.uint32();
      const subEnd = reader.pos + len;
      if (subEnd > end) {
        throw new DecodeError(
          `${path}.${field.name} declares ${len} bytes but only ${end - reader.pos} remain`,
        );
      }
      walk(sub, reader, subEnd, budget, depth + 1, `${path}.${field.name}`);
      reader.pos = subEnd;
    } else {
      reader.skipType(wireType);
    }
  }
}
