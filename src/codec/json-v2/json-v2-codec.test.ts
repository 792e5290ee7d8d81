import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../model/decode-error.js';
import type { Span } from '../../model/span.js';
import {
  decodeJsonV2List,
  decodeJsonV2Span,
  encodeJsonV2List,
  encodeJsonV2Span,
  encodeJsonV2Traces,
} from './json-v2-codec.js';

/** Every v2 field, in zipkin's write order, as zipkin itself would write it. */
const EVERY_FIELD =
  '{"traceId":"86154a4ba6e913854d1e00c0db9010db","parentId":"86154a4ba6e91385","id":"4d1e00c0db9010db",' +
  '"kind":"SERVER","name":"get /api","timestamp":1472470996199000,"duration":207000,' +
  '"localEndpoint":{"serviceName":"frontend","ipv4":"127.0.0.1","ipv6":"2001:db8::c001","port":8080},' +
  '"remoteEndpoint":{"serviceName":"backend","ipv4":"192.168.99.101","port":9000},' +
  '"annotations":[{"timestamp":1472470996238000,"value":"foo"},{"timestamp":1472470996403000,"value":"bar"}],' +
  '"tags":{"clnt/finagle.version":"6.45.0","http.path":"/api"},"debug":true,"shared":true}';

const MINIMAL = '{"traceId":"000000000000000a","id":"000000000000000b"}';

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function expectDecodeError(body: string, message: string | RegExp): void {
  let thrown: unknown;
  try {
    decodeJsonV2List(body);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(DecodeError);
  if (typeof message === 'string') expect((thrown as Error).message).toBe(message);
  else expect((thrown as Error).message).toMatch(message);
}

describe('JSON v2 round trip', () => {
  it('every field round-trips byte for byte', () => {
    const body = `[${EVERY_FIELD}]`;
    expect(encodeJsonV2List(decodeJsonV2List(body))).toBe(body);
  });

  it('decodes every field into the model', () => {
    const [span] = decodeJsonV2List(bytes(`[${EVERY_FIELD}]`));
    expect(span).toStrictEqual<Span>({
      traceId: '86154a4ba6e913854d1e00c0db9010db',
      parentId: '86154a4ba6e91385',
      id: '4d1e00c0db9010db',
      kind: 'SERVER',
      name: 'get /api',
      timestamp: 1472470996199000,
      duration: 207000,
      localEndpoint: { serviceName: 'frontend', ipv4: '127.0.0.1', ipv6: '2001:db8::c001', port: 8080 },
      remoteEndpoint: { serviceName: 'backend', ipv4: '192.168.99.101', port: 9000 },
      annotations: [
        { timestamp: 1472470996238000, value: 'foo' },
        { timestamp: 1472470996403000, value: 'bar' },
      ],
      tags: { 'clnt/finagle.version': '6.45.0', 'http.path': '/api' },
      debug: true,
      shared: true,
    });
  });

  it('a minimal span and a list of several round-trip', () => {
    const body = `[${MINIMAL},${EVERY_FIELD},${MINIMAL.replace('0b', '0c')}]`;
    expect(encodeJsonV2List(decodeJsonV2List(body))).toBe(body);
  });

  it('128-bit and 64-bit trace ids are kept apart', () => {
    const body =
      '[{"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"a"},{"traceId":"48485a3953bb6124","id":"a"}]';
    const spans = decodeJsonV2List(body);
    expect(spans.map((s) => s.traceId)).toEqual(['463ac35c9f6413ad48485a3953bb6124', '48485a3953bb6124']);
    expect(encodeJsonV2List(spans)).toBe(
      '[{"traceId":"463ac35c9f6413ad48485a3953bb6124","id":"000000000000000a"},' +
        '{"traceId":"48485a3953bb6124","id":"000000000000000a"}]',
    );
  });

  it('IPv6-only endpoints round-trip', () => {
    const body =
      '[{"traceId":"000000000000000a","id":"000000000000000b","localEndpoint":{"serviceName":"svc","ipv6":"2001:db8::1","port":443},' +
      '"remoteEndpoint":{"ipv6":"fe80::1"}}]';
    expect(encodeJsonV2List(decodeJsonV2List(body))).toBe(body);
  });

  it('unicode, quotes, control characters and U+2028 round-trip (U+2028/9 escaped as zipkin does)', () => {
    const body =
      '[{"traceId":"000000000000000a","id":"000000000000000b","name":"γειά σου 世界 🎉",' +
      '"annotations":[{"timestamp":1,"value":"line\\nbreak \\"quoted\\" back\\\\slash \\u0001 \\u2028 \\u2029"}],' +
      '"tags":{"emoji.🎉":"✓ naïve café","json":"{\\"a\\":[1,2]}"}}]';
    const spans = decodeJsonV2List(bytes(body));
    expect(spans[0]?.annotations?.[0]?.value).toBe('line\nbreak "quoted" back\\slash \u0001 \u2028 \u2029');
    expect(spans[0]?.tags?.['emoji.🎉']).toBe('✓ naïve café');
    expect(encodeJsonV2List(spans)).toBe(body);
  });

  it('a 1 KiB tag value round-trips', () => {
    const big = 'x'.repeat(1024);
    const body = `[{"traceId":"000000000000000a","id":"000000000000000b","tags":{"big":"${big}"}}]`;
    const spans = decodeJsonV2List(body);
    expect(spans[0]?.tags?.big).toHaveLength(1024);
    expect(encodeJsonV2List(spans)).toBe(body);
  });

  it('tags are written in key order, as zipkin (TreeMap) does, even for integer-like keys', () => {
    const span: Span = {
      traceId: '000000000000000a',
      id: '000000000000000b',
      tags: { z: '1', '10': 'b', '9': 'a', a: '2' },
    };
    expect(encodeJsonV2Span(span)).toBe(
      '{"traceId":"000000000000000a","id":"000000000000000b","tags":{"10":"b","9":"a","a":"2","z":"1"}}',
    );
  });

  it('writes zipkin field order even when the span object has another key order', () => {
    const span = {
      shared: true,
      id: '000000000000000b',
      name: 'n',
      kind: 'SERVER',
      traceId: '000000000000000a',
    } as Span;
    expect(encodeJsonV2Span(span)).toBe(
      '{"traceId":"000000000000000a","id":"000000000000000b","kind":"SERVER","name":"n","shared":true}',
    );
  });

  it('links are an extension: written only with {extensions: true}, and read back', () => {
    const span: Span = {
      traceId: '000000000000000a',
      id: '000000000000000b',
      links: [
        { traceId: '000000000000000c', spanId: '000000000000000d', type: 'FOLLOWS_FROM', tags: { k: 'v' } },
      ],
    };
    expect(encodeJsonV2List([span])).toBe('[{"traceId":"000000000000000a","id":"000000000000000b"}]');
    const withLinks = encodeJsonV2List([span], { extensions: true });
    expect(withLinks).toBe(
      '[{"traceId":"000000000000000a","id":"000000000000000b","links":[{"traceId":"000000000000000c",' +
        '"spanId":"000000000000000d","type":"FOLLOWS_FROM","tags":{"k":"v"}}]}]',
    );
    expect(decodeJsonV2List(withLinks)).toStrictEqual([span]);
  });

  it('encodes lists of traces in the /api/v2/traces shape', () => {
    const a = decodeJsonV2List(`[${MINIMAL}]`);
    expect(encodeJsonV2Traces([a, a])).toBe(`[[${MINIMAL}],[${MINIMAL}]]`);
    expect(encodeJsonV2Traces([])).toBe('[]');
  });

  it('decodes a single span object', () => {
    expect(decodeJsonV2Span(bytes(EVERY_FIELD))).toStrictEqual(decodeJsonV2List(`[${EVERY_FIELD}]`)[0]);
    expect(() => decodeJsonV2Span('[]')).toThrow(/Malformed reading Span from json: expected an object/);
  });
});

describe('JSON v2 leniency and normalization', () => {
  it('skips null and unknown fields', () => {
    const body =
      '[{"traceId":"000000000000000a","parentId":null,"id":"000000000000000b","kind":null,"name":null,' +
      '"timestamp":null,"duration":null,"localEndpoint":null,"remoteEndpoint":null,"annotations":null,' +
      '"tags":null,"debug":null,"shared":null,"somethingNew":{"nested":[1,2]},"localEndpoint2":1}]';
    expect(encodeJsonV2List(decodeJsonV2List(body))).toBe(`[${MINIMAL}]`);
  });

  it('empty bodies and empty lists decode to no spans; whitespace and a BOM around the list are fine', () => {
    expect(decodeJsonV2List('')).toEqual([]);
    expect(decodeJsonV2List(new Uint8Array(0))).toEqual([]);
    expect(decodeJsonV2List('[]')).toEqual([]);
    expect(decodeJsonV2List(` \n[${MINIMAL}]\n`)).toHaveLength(1);
    expect(decodeJsonV2List(`\ufeff[${MINIMAL}]`)).toHaveLength(1);
  });

  it('normalizes short ids, upper-case names and IPv4-mapped IPv6 addresses', () => {
    const [span] = decodeJsonV2List(
      '[{"traceId":"a","id":"b","name":"GET","localEndpoint":{"serviceName":"FrontEnd","ipv6":"::ffff:10.0.0.1"}}]',
    );
    expect(span).toStrictEqual<Span>({
      traceId: '000000000000000a',
      id: '000000000000000b',
      name: 'get',
      localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1' },
    });
  });

  it('reads bytes the same as a string', () => {
    const body = `[${EVERY_FIELD}]`;
    expect(decodeJsonV2List(bytes(body))).toStrictEqual(decodeJsonV2List(body));
  });
});

describe('JSON v2 rejection', () => {
  it('truncated JSON', () => {
    expectDecodeError(`[${EVERY_FIELD}`.slice(0, 50), /^Malformed reading List<Span> from json: .+/);
  });

  it('not a list: names what was found', () => {
    expectDecodeError(
      MINIMAL,
      "Malformed reading List<Span> from json: expected '[' at byte 0 but found '{': send a list of spans, e.g. [{...}]",
    );
    expectDecodeError('\n\u0002', /expected '\[' at byte 1 but found byte 0x02/);
  });

  it('a list element that is not an object', () => {
    expectDecodeError(
      `[${MINIMAL},"x"]`,
      'Malformed reading List<Span> from json: expected a span object at $[1] but was STRING',
    );
  });

  it('bad hex ids, upper-case ids and all-zero ids, naming the span', () => {
    expectDecodeError(
      '[{"traceId":"xyz","id":"b"}]',
      /^traceId should be lower-hex encoded with no prefix: xyz reading List<Span> from json at \$\[0\]$/,
    );
    expectDecodeError(
      `[${MINIMAL},{"traceId":"ABCDEF","id":"b"}]`,
      /traceId should be lower-hex .* at \$\[1\]$/,
    );
    expectDecodeError('[{"traceId":"a","id":"0x1"}]', /^id should be lower-hex/);
    expectDecodeError(
      '[{"traceId":"00000000000000000000000000000000","id":"b"}]',
      /^traceId must not be all zeros/,
    );
    expectDecodeError('[{"traceId":"a","id":"0000000000000000"}]', /^id must not be all zeros/);
    expectDecodeError(
      '[{"traceId":"a","id":"b","parentId":"12345678901234567"}]',
      /^parentId should be at most 16/,
    );
    expectDecodeError('[{"traceId":"a"}]', /^id is required/);
    expectDecodeError('[{"traceId":1,"id":"b"}]', /^traceId: Expected a string but was NUMBER/);
  });

  it('non-string tag values', () => {
    expectDecodeError(
      '[{"traceId":"a","id":"b","tags":{"error":true}}]',
      /^tags\.error: Expected a string but was BOOLEAN/,
    );
    expectDecodeError(
      '[{"traceId":"a","id":"b","tags":{"n":1}}]',
      /^tags\.n: Expected a string but was NUMBER/,
    );
    expectDecodeError(
      '[{"traceId":"a","id":"b","tags":{"n":null}}]',
      /^tags\.n: Expected a string but was NULL/,
    );
    expectDecodeError(
      '[{"traceId":"a","id":"b","tags":["x"]}]',
      /^tags: Expected an object but was BEGIN_ARRAY/,
    );
  });

  it('an invalid kind', () => {
    expectDecodeError(
      '[{"traceId":"a","id":"b","kind":"SERVICE"}]',
      /^kind should be one of CLIENT, SERVER, PRODUCER, CONSUMER but was SERVICE/,
    );
  });

  it('a port over 65535', () => {
    expectDecodeError(
      '[{"traceId":"a","id":"b","localEndpoint":{"port":65536}}]',
      /^localEndpoint: invalid port 65536/,
    );
  });

  it('incomplete or mistyped annotations', () => {
    expectDecodeError(
      '[{"traceId":"a","id":"b","annotations":[{"timestamp":1}]}]',
      /^Incomplete annotation at annotations\[0\]/,
    );
    expectDecodeError(
      '[{"traceId":"a","id":"b","annotations":[null]}]',
      /^Incomplete annotation at annotations\[0\]/,
    );
    expectDecodeError(
      '[{"traceId":"a","id":"b","annotations":"cs"}]',
      /^annotations: Expected an array but was STRING/,
    );
  });

  it('a v1 body (binaryAnnotations, or annotations with an endpoint) is the wrong flavour', () => {
    const wrong = 'Expected a JSON_V2 encoded list, but received: JSON_V1';
    expectDecodeError('[{"traceId":"a","id":"b","binaryAnnotations":[]}]', wrong);
    expectDecodeError(
      '[{"traceId":"a","id":"b","annotations":[{"timestamp":1,"value":"cs","endpoint":{"serviceName":"web"}}]}]',
      wrong,
    );
  });
});
