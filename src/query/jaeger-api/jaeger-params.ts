import { KindedError } from '../../model/failure.js';
import { parseTraceIdParam } from '../../model/ids.js';

/**
 * Parameter parsing shared by the Jaeger internal API and the api_v3 gateway, with the rules and error
 * texts of jaeger's query parsers (jaeger-query.md section 2.3 and 2.4).
 */

/** A 400 in the Jaeger API. */
export function invalid(message: string): KindedError {
  return new KindedError('invalid', message);
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Go's time.ParseDuration ("1.2ms", "100us", "1h30m", "-1.5s", "0"), in nanoseconds. Throws Error with
 * Go's message (`time: invalid duration "x"`) so callers can prefix the parameter name as jaeger does.
 */
export function parseGoDuration(text: string): number {
  const bad = () => new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s.startsWith('-')) sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw bad();
  let total = 0;
  const term = /^(\d*)(?:\.(\d*))?([^\d.]+)/;
  while (s !== '') {
    const m = term.exec(s);
    if (!m && /^\d*(\.\d*)?$/.test(s))
      throw new Error(`time: missing unit in duration ${JSON.stringify(text)}`);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) throw bad();
    const unit = UNIT_NS[m[3]!];
    if (unit === undefined)
      throw new Error(`time: unknown unit ${JSON.stringify(m[3])} in duration ${JSON.stringify(text)}`);
    total += Number(`${m[1] || '0'}.${m[2] ?? '0'}`) * unit;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** A Go duration parameter in microseconds (Skein's unit), with jaeger's "unable to parse param" error. */
export function durationParamMicros(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    return parseGoDuration(raw) / 1000;
  } catch (e) {
    throw invalid(`unable to parse param '${name}': ${(e as Error).message}`);
  }
}

/** An integer parameter (jaeger strconv.ParseInt), undefined when absent or empty. */
export function intParam(name: string, raw: string | undefined, prefix = true): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[-+]?\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    const go = `strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`;
    throw invalid(prefix ? `unable to parse param '${name}': ${go}` : go);
  }
  return Number(raw);
}

/** jaeger strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False. */
export function boolParam(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  throw invalid(
    `unable to parse param '${name}': strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`,
  );
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * A trace id as Jaeger accepts it (jaeger-idl model/v1/ids.go TraceIDFromString): 1-32 hex characters in
 * any case, read as a 128-bit number (so "1", 16 and 32 zero-padded spellings are one trace), or since
 * jaeger d5c3dd639 the base64 form of the 16 bytes. Returns Skein's stored form (16 hex when the high
 * half is zero). All zeros is never a stored trace: undefined, which callers answer as not found.
 */
export function parseJaegerTraceId(raw: string): string | undefined {
  let hex = raw;
  if (!/^[0-9a-fA-F]+$/.test(raw) && raw.length <= 24 && BASE64.test(raw)) {
    const bytes = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 16) hex = bytes.toString('hex');
  }
  if (hex.length > 32) throw invalid(`TraceID cannot be longer than 32 hex characters: ${raw}`);
  if (hex === '' || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw invalid(`strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  // Drop leading zeros beyond the 64-bit width so a 17-31 character id pads like a 128-bit number.
  const trimmed = hex.replace(/^0+/, '');
  if (trimmed === '') return undefined;
  return parseTraceIdParam(trimmed.length <= 16 ? trimmed : trimmed.padStart(32, '0'));
}

/** Every value of each query parameter, from the raw URL (the app's parser keeps only the first). */
export function queryParams(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
}

/** A parameter's first value; empty strings and bare keys (`&minDuration&`) count as absent. */
export function param(params: URLSearchParams, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = params.get(n);
    if (v !== null && v !== '') return v;
  }
  return undefined;
}
