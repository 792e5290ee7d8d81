/**
 * Thrown when bytes or a span cannot be accepted. The message is shown to the sender as-is
 * (HTTP 400 text, OTLP Status.message, gRPC INVALID_ARGUMENT details), so it must say what was wrong
 * and where, e.g. "Malformed reading List<Span> from json: expected '[' at byte 0".
 *
 * It lives in model (not codec) because span validation is a model rule and model imports nothing.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export function isDecodeError(e: unknown): e is DecodeError {
  return e instanceof DecodeError;
}
