import { describe, expect, it } from 'vitest';
import { mysqlFailure } from './mysql-errors.js';
import {
  bigintColumnToHex,
  hexToBigintColumn,
  ipv4FromColumn,
  ipv4ToColumn,
  traceIdColumns,
  traceIdFromColumns,
} from './mysql-ids.js';

describe('mysql id columns', () => {
  it('maps hex ids to signed BIGINT as Java longs and back', () => {
    expect(hexToBigintColumn('0000000000000001')).toBe('1');
    expect(hexToBigintColumn('ffffffffffffffff')).toBe('-1');
    expect(hexToBigintColumn('8000000000000000')).toBe('-9223372036854775808');
    expect(bigintColumnToHex('-1')).toBe('ffffffffffffffff');
    expect(bigintColumnToHex('-9223372036854775808')).toBe('8000000000000000');
    expect(bigintColumnToHex(255)).toBe('00000000000000ff');
  });

  it('splits 128-bit trace ids into trace_id_high and trace_id, 64-bit ones with high 0', () => {
    const id = '463ac35c9f6413ad48485a3953bb6124';
    const cols = traceIdColumns(id);
    expect(cols).toEqual({
      high: hexToBigintColumn('463ac35c9f6413ad'),
      low: hexToBigintColumn('48485a3953bb6124'),
    });
    expect(traceIdFromColumns(cols.high, cols.low)).toBe(id);
    expect(traceIdColumns('48485a3953bb6124').high).toBe('0');
    expect(traceIdFromColumns('0', hexToBigintColumn('48485a3953bb6124'))).toBe('48485a3953bb6124');
  });

  it('maps IPv4 to the signed big-endian INT zipkin writes', () => {
    expect(ipv4ToColumn('127.0.0.1')).toBe(2130706433);
    expect(ipv4ToColumn('192.168.99.101')).toBe(-1062706331);
    expect(ipv4FromColumn(-1062706331)).toBe('192.168.99.101');
    expect(ipv4FromColumn(2130706433)).toBe('127.0.0.1');
  });
});

describe('mysqlFailure', () => {
  it('maps connection failures to transient and too many connections to over-capacity', () => {
    expect(mysqlFailure('write', Object.assign(new Error('x'), { code: 'ECONNREFUSED' })).kind).toBe(
      'transient',
    );
    expect(
      mysqlFailure('write', Object.assign(new Error('x'), { code: 'PROTOCOL_CONNECTION_LOST' })).kind,
    ).toBe('transient');
    expect(mysqlFailure('write', Object.assign(new Error('x'), { code: 'ER_CON_COUNT_ERROR' })).kind).toBe(
      'over-capacity',
    );
    expect(mysqlFailure('read', Object.assign(new Error('bad'), { code: 'ER_PARSE_ERROR' })).kind).toBe(
      'terminal',
    );
  });
});
