import { describe, expect, it } from 'vitest';
import { DecodeError } from './decode-error.js';
import { normalizeSpan, type SpanInput } from './normalize-span.js';
import { ZIPKIN_V2_FIELDS } from './span.js';

const BASE = { traceId: 'a', id: 'b' };

function fails(input: SpanInput, message: RegExp): void {
  expect(() => normalizeSpan(input)).toThrow(DecodeError);
  expect(() => normalizeSpan(input)).toThrow(message);
}

describe('normalizeSpan ids', () => {
  it('left-pads trace and span ids to 16 characters', () => {
    const span = normalizeSpan({ traceId: 'a', id: 'b', parentId: 'c' });
    expect(span).toStrictEqual({
      traceId: '000000000000000a',
      parentId: '000000000000000c',
      id: '000000000000000b',
    });
  });

  it('pads a 17 to 31 character trace id to 32', () => {
    expect(normalizeSpan({ ...BASE, traceId: '1' + 'f'.repeat(16) }).traceId).toBe(
      '000000000000000' + '1' + 'f'.repeat(16),
    );
  });

  it('a 32-character trace id with 16 leading zeros is the 64-bit id', () => {
    expect(normalizeSpan({ ...BASE, traceId: '0000000000000000' + '48485a3953bb6124' }).traceId).toBe(
      '48485a3953bb6124',
    );
    expect(normalizeSpan({ ...BASE, traceId: '463ac35c9f6413ad48485a3953bb6124' }).traceId).toBe(
      '463ac35c9f6413ad48485a3953bb6124',
    );
  });

  it('rejects upper-case, non-hex, too long and all-zero ids', () => {
    fails({ ...BASE, traceId: '48485A3953BB6124' }, /^traceId should be lower-hex encoded with no prefix/);
    fails({ ...BASE, id: '0x1' }, /^id should be lower-hex/);
    fails({ ...BASE, traceId: 'a'.repeat(33) }, /^traceId should be at most 32 lower-hex characters/);
    fails({ ...BASE, id: 'a'.repeat(17) }, /^id should be at most 16/);
    fails({ ...BASE, traceId: '0'.repeat(32) }, /^traceId must not be all zeros/);
    fails({ ...BASE, id: '0' }, /^id must not be all zeros/);
    fails({ id: 'b' }, /^traceId is required/);
  });

  it('an all-zero parent id or one equal to the span id means no parent', () => {
    expect(normalizeSpan({ ...BASE, parentId: '0000000000000000' }).parentId).toBeUndefined();
    expect(normalizeSpan({ ...BASE, parentId: '000000000000000b' }).parentId).toBeUndefined();
    expect(normalizeSpan({ ...BASE, parentId: '' }).parentId).toBeUndefined();
  });
});

describe('normalizeSpan fields', () => {
  it('lowercases the name; an empty name is absent', () => {
    expect(normalizeSpan({ ...BASE, name: 'GET /Users/{ID}' }).name).toBe('get /users/{id}');
    expect('name' in normalizeSpan({ ...BASE, name: '' })).toBe(false);
  });

  it('accepts the four kinds and rejects anything else', () => {
    for (const kind of ['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'])
      expect(normalizeSpan({ ...BASE, kind }).kind).toBe(kind);
    fails(
      { ...BASE, kind: 'INTERNAL' },
      /^kind should be one of CLIENT, SERVER, PRODUCER, CONSUMER but was INTERNAL/,
    );
  });

  it('timestamp and duration of zero or less are absent; int64 decimal strings are read', () => {
    const span = normalizeSpan({ ...BASE, timestamp: 0, duration: -5 });
    expect('timestamp' in span || 'duration' in span).toBe(false);
    expect(normalizeSpan({ ...BASE, timestamp: '1472470996199000' }).timestamp).toBe(1472470996199000);
    fails({ ...BASE, timestamp: 'yesterday' }, /^timestamp: Expected a number but was STRING/);
  });

  it('debug and shared are kept only when true; shared is cleared on a CLIENT span', () => {
    expect(normalizeSpan({ ...BASE, debug: false, shared: false })).toStrictEqual(normalizeSpan(BASE));
    expect(normalizeSpan({ ...BASE, kind: 'SERVER', shared: true }).shared).toBe(true);
    expect(normalizeSpan({ ...BASE, kind: 'CLIENT', shared: true }).shared).toBeUndefined();
    expect(normalizeSpan({ ...BASE, debug: true }).debug).toBe(true);
  });

  it("builds fields in zipkin's JSON order", () => {
    const span = normalizeSpan({
      shared: true,
      debug: true,
      tags: { a: 'b' },
      annotations: [{ timestamp: 1, value: 'x' }],
      remoteEndpoint: { serviceName: 'r' },
      localEndpoint: { serviceName: 'l' },
      duration: 2,
      timestamp: 1,
      name: 'n',
      kind: 'SERVER',
      id: 'b',
      parentId: 'c',
      traceId: 'a',
    });
    expect(Object.keys(span)).toEqual([...ZIPKIN_V2_FIELDS]);
  });
});

describe('normalizeSpan endpoints', () => {
  const local = (e: Record<string, unknown>) => normalizeSpan({ ...BASE, localEndpoint: e }).localEndpoint;

  it('lowercases the service name; an empty endpoint is absent', () => {
    expect(local({ serviceName: 'FrontEnd' })).toEqual({ serviceName: 'frontend' });
    expect(local({ serviceName: '' })).toBeUndefined();
    expect(local({})).toBeUndefined();
  });

  it('normalizes IPv6 (RFC 5952) and routes each address by what it parses as', () => {
    expect(local({ ipv6: '2001:DB8:0000:0000:0000:0000:0000:0001' })).toEqual({ ipv6: '2001:db8::1' });
    expect(local({ ipv6: '[::1]' })).toEqual({ ipv6: '::1' });
    expect(local({ ipv4: '2001:db8::2' })).toEqual({ ipv6: '2001:db8::2' });
    expect(local({ ipv6: '10.0.0.1' })).toEqual({ ipv4: '10.0.0.1' });
  });

  it('keeps an IPv4 address with leading-zero octets as written, as zipkin does', () => {
    expect(local({ ipv4: '52.0.0.04' })).toEqual({ ipv4: '52.0.0.04' });
    expect(local({ ipv4: '00.0.0.0' })).toEqual({ ipv4: '00.0.0.0' });
    // zipkin drops these: an octet over 255, four digits, three octets
    expect(local({ serviceName: 'a', ipv4: '1.2.3.256' })).toEqual({ serviceName: 'a' });
    expect(local({ serviceName: 'a', ipv4: '1.2.3.0004' })).toEqual({ serviceName: 'a' });
    expect(local({ serviceName: 'a', ipv4: '1.2.3' })).toEqual({ serviceName: 'a' });
  });

  it('an IPv4-mapped IPv6 address is IPv4', () => {
    expect(local({ ipv6: '::ffff:1.2.3.4' })).toEqual({ ipv4: '1.2.3.4' });
    expect(local({ ipv6: '::FFFF:0102:0304' })).toEqual({ ipv4: '1.2.3.4' });
  });

  it('drops unparseable addresses and non-positive ports; rejects ports over 65535', () => {
    expect(local({ serviceName: 'a', ipv4: 'not-an-ip', ipv6: '1::2::3', port: 0 })).toEqual({
      serviceName: 'a',
    });
    expect(local({ port: 65535 })).toEqual({ port: 65535 });
    fails(
      { ...BASE, localEndpoint: { port: 65536 } },
      /^localEndpoint: invalid port 65536: must be at most 65535/,
    );
    fails({ ...BASE, remoteEndpoint: { port: 'http' } }, /^remoteEndpoint: invalid port: http/);
  });
});

describe('normalizeSpan annotations and tags', () => {
  it('sorts annotations by timestamp then value and removes duplicates', () => {
    const span = normalizeSpan({
      ...BASE,
      annotations: [
        { timestamp: 3, value: 'c' },
        { timestamp: 1, value: 'b' },
        { timestamp: 1, value: 'a' },
        { timestamp: 3, value: 'c' },
      ],
    });
    expect(span.annotations).toEqual([
      { timestamp: 1, value: 'a' },
      { timestamp: 1, value: 'b' },
      { timestamp: 3, value: 'c' },
    ]);
  });

  it('an empty annotation list is absent; incomplete or mistyped annotations are DecodeErrors', () => {
    expect('annotations' in normalizeSpan({ ...BASE, annotations: [] })).toBe(false);
    fails(
      { ...BASE, annotations: [{ value: 'x' }] },
      /^Incomplete annotation at annotations\[0\]: timestamp is required/,
    );
    fails(
      { ...BASE, annotations: [{ timestamp: 1 }] },
      /^Incomplete annotation at annotations\[0\]: value is required/,
    );
    fails({ ...BASE, annotations: [null as never] }, /^Incomplete annotation at annotations\[0\]/);
    fails({ ...BASE, annotations: 'cs' as never }, /^annotations: Expected an array but was STRING/);
  });

  it('tags must be strings; an empty map is absent', () => {
    expect(normalizeSpan({ ...BASE, tags: { error: '' } }).tags).toEqual({ error: '' });
    expect('tags' in normalizeSpan({ ...BASE, tags: {} })).toBe(false);
    fails({ ...BASE, tags: { error: true } }, /^tags\.error: Expected a string but was BOOLEAN/);
    fails({ ...BASE, tags: { n: null } }, /^tags\.n: Expected a string but was NULL/);
    fails({ ...BASE, tags: 'a=b' as never }, /^tags: Expected an object but was STRING/);
  });
});

describe('attacker-shaped tag keys', () => {
  it('keeps a "__proto__" tag as data', () => {
    const tags = JSON.parse('{"__proto__":"x","ok":"y"}') as Record<string, unknown>;
    const span = normalizeSpan({ traceId: '1', id: '2', tags });
    expect(Object.keys(span.tags ?? {})).toEqual(['__proto__', 'ok']);
    expect(Object.getPrototypeOf(span.tags)).toBe(Object.prototype);
    expect(JSON.stringify(span.tags)).toBe('{"__proto__":"x","ok":"y"}');
  });
});
