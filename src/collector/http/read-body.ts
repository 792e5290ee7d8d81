import {
  gunzip,
  gunzipSync,
  inflate,
  inflateRaw,
  inflateRawSync,
  inflateSync,
  type ZlibOptions,
} from 'node:zlib';
import type { Readable } from 'node:stream';
import { DecodeError } from '../../model/decode-error.js';
import { KindedError } from '../../model/failure.js';
import type { BodyReservation } from '../body-budget.js';

/** The body is over the configured limit after decompression: transports answer 413. */
export class BodyTooLargeError extends KindedError {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(
      'too-large',
      `Request body is larger than ${limit} bytes after decompression (QUERY_MAX_BODY_BYTES); send smaller batches`,
    );
  }
}

/** Unknown Content-Encoding: transports answer 415. */
export class UnsupportedEncodingError extends KindedError {
  override readonly name = 'UnsupportedEncodingError';
  constructor(message: string) {
    super('unsupported-media-type', message);
  }
}

type Inflater = {
  /** For error messages: zipkin says "Cannot gunzip spans". */
  verb: string;
  sync: (buf: Buffer, opts: ZlibOptions) => Buffer;
  async: (buf: Buffer, opts: ZlibOptions, cb: (err: Error | null, out: Buffer) => void) => void;
};
const GZIP: Inflater = { verb: 'gunzip', sync: gunzipSync, async: gunzip };
const DEFLATE: Inflater = { verb: 'inflate', sync: inflateSync, async: inflate };
const RAW_DEFLATE: Inflater = { verb: 'inflate', sync: inflateRawSync, async: inflateRaw };

/**
 * "Content-Encoding: deflate" means zlib-wrapped deflate (RFC 9110), but many clients send raw deflate.
 * A zlib stream starts with a header whose method nibble is 8 and whose first two bytes are a multiple of 31.
 */
function deflateFlavour(body: Buffer): Inflater {
  const [b0, b1] = [body[0], body[1]];
  const zlibHeader = b0 !== undefined && b1 !== undefined && (b0 & 0x0f) === 8 && ((b0 << 8) | b1) % 31 === 0;
  return zlibHeader ? DEFLATE : RAW_DEFLATE;
}

/**
 * Compressed bodies up to this size are inflated on the event loop: one-shot inflation of a typical
 * 4 KiB batch costs about a fifth of a zlib stream's CPU (measured: bench/RESULTS.md), and even a bomb of
 * this size stops at maxBytes of output within milliseconds. Larger ones go to the libuv pool.
 */
const INFLATE_ON_LOOP_MAX = 16 * 1024;

/**
 * Deflate output is never smaller than its input by more than the format's framing (5 bytes per 64 KiB
 * stored block, plus headers), so a compressed body this much larger than maxBytes cannot inflate to
 * maxBytes or less.
 */
const compressedLimit = (maxBytes: number) => maxBytes + Math.ceil(maxBytes / 8192) + 64 * 1024;

/** For callers that do not share a budget. */
const UNBOUNDED: BodyReservation = { take: () => {}, give: () => {}, release: () => {} };

/**
 * Reads a request body into one Buffer and inflates gzip/deflate with zlib's output limit, so a gzip
 * bomb stops at `maxBytes` of output instead of being inflated in memory first (zipkin #3834). A broken
 * gzip stream is a DecodeError ("Cannot gunzip spans"), as in zipkin. Every byte read and inflated is
 * taken from `reservation` as it arrives (BodiesBusyError when the shared budget is full); the caller
 * releases it when the request is done.
 */
export async function readBody(
  stream: Readable,
  contentEncoding: string | undefined,
  maxBytes: number,
  reservation: BodyReservation = UNBOUNDED,
): Promise<Buffer> {
  const enc = (contentEncoding ?? 'identity').trim().toLowerCase();
  let inflater: Inflater | undefined;
  if (enc === 'gzip' || enc === 'x-gzip') inflater = GZIP;
  else if (enc === 'deflate') inflater = DEFLATE;
  else if (enc !== 'identity' && enc !== '') {
    stream.resume();
    throw new UnsupportedEncodingError(
      `Unsupported Content-Encoding: ${enc.slice(0, 40)} (use gzip, deflate or none)`,
    );
  }
  const body = await readAll(stream, inflater ? compressedLimit(maxBytes) : maxBytes, maxBytes, reservation);
  if (!inflater) return body;
  const inflated = (out: Buffer) => {
    reservation.take(out.length);
    reservation.give(body.length);
    return out;
  };
  if (inflater === DEFLATE) inflater = deflateFlavour(body);
  const using = inflater;
  // zlib: output past maxOutputLength fails with ERR_BUFFER_TOO_LARGE before it is allocated.
  const opts: ZlibOptions = { maxOutputLength: maxBytes };
  if (body.length <= INFLATE_ON_LOOP_MAX) {
    let out: Buffer;
    try {
      out = using.sync(body, opts);
    } catch (e) {
      throw inflateError(using, e as Error, maxBytes);
    }
    return inflated(out);
  }
  const out = await new Promise<Buffer>((resolve, reject) => {
    using.async(body, opts, (err, out) => (err ? reject(inflateError(using, err, maxBytes)) : resolve(out)));
  });
  return inflated(out);
}

function inflateError(inflater: Inflater, e: Error, maxBytes: number): Error {
  if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return new BodyTooLargeError(maxBytes);
  return new DecodeError(`Cannot ${inflater.verb} spans: ${e.message}`);
}

/** The whole stream as one Buffer; past `limit` bytes, BodyTooLargeError(maxBytes) and the rest is drained. */
function readAll(
  stream: Readable,
  limit: number,
  maxBytes: number,
  reservation: BodyReservation,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  // Events rather than for-await: leaving a for-await loop destroys the stream, and the socket with it,
  // before the 413 could be written.
  return new Promise<Buffer>((resolve, reject) => {
    const fail = (e: Error) => {
      stream.off('data', onData);
      // Read and discard the rest of the upload so the client can read our answer.
      stream.resume();
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) return fail(new BodyTooLargeError(maxBytes));
      try {
        reservation.take(chunk.length);
      } catch (e) {
        return fail(e as Error);
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)));
    stream.once('error', fail);
    stream.once('aborted', () => fail(new Error('client aborted the request')));
  });
}
