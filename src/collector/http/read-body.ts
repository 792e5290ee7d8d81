import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { DecodeError } from '../../model/decode-error.js';

/** The body is over the configured limit after decompression: transports answer 413. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`Request body is larger than ${limit} bytes after decompression (QUERY_MAX_BODY_BYTES); send smaller batches`);
  }
}

/** Unknown Content-Encoding: transports answer 415. */
export class UnsupportedEncodingError extends Error {
  override readonly name = 'UnsupportedEncodingError';
}

/**
 * Reads a request body into one Buffer, inflating gzip/deflate on the fly and counting the inflated bytes
 * as they stream. A gzip bomb therefore stops at `maxBytes` of output instead of being inflated in memory
 * first (zipkin #3834). A broken gzip stream is a DecodeError ("Cannot gunzip spans"), as in zipkin.
 */
export async function readBody(stream: Readable, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const enc = (contentEncoding ?? 'identity').trim().toLowerCase();
  let source: Readable = stream;
  if (enc === 'gzip' || enc === 'x-gzip') source = stream.pipe(createGunzip());
  else if (enc === 'deflate') source = stream.pipe(createInflate());
  else if (enc !== 'identity' && enc !== '') {
    stream.resume();
    throw new UnsupportedEncodingError(`Unsupported Content-Encoding: ${enc.slice(0, 40)} (use gzip, deflate or none)`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        // Stop inflating immediately; drain the socket so the 413 can be written.
        source.destroy();
        if (source !== stream) stream.resume();
        throw new BodyTooLargeError(maxBytes);
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw e;
    if (source !== stream) {
      stream.resume();
      throw new DecodeError(`Cannot gunzip spans: ${(e as Error).message}`);
    }
    throw e;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}
