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
  // Events rather than for-await: leaving a for-await loop destroys the stream, and the socket with it,
  // before the 413 could be written.
  await new Promise<void>((resolve, reject) => {
    const fail = (e: Error) => {
      source.off('data', onData);
      if (source !== stream) source.destroy();
      // Read and discard the rest of the upload so the client can read our answer.
      stream.resume();
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) fail(new BodyTooLargeError(maxBytes));
      else chunks.push(chunk);
    };
    source.on('data', onData);
    source.once('end', () => resolve());
    source.once('error', (e) =>
      fail(source !== stream ? new DecodeError(`Cannot gunzip spans: ${e.message}`) : e),
    );
    stream.once('aborted', () => fail(new Error('client aborted the request')));
  });
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}
