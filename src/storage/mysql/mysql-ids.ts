/**
 * Zipkin's MySQL schema (zipkin-storage/mysql-v1 mysql.sql) keeps ids as signed BIGINT (trace_id_high,
 * trace_id, id, parent_id) and IPv4 addresses as a signed INT (endpoint_ipv4), as Java's long and int.
 * These convert Skein's lower-hex ids and dotted addresses to those column values and back. BIGINT values
 * travel as decimal strings (mysql2 bigNumberStrings), because a JavaScript number loses precision past 2^53.
 */

/** A 16-hex id (or 16 hex of a 32-hex trace id) as the signed decimal a BIGINT column holds. */
export function hexToBigintColumn(hex: string): string {
  return BigInt.asIntN(64, BigInt(`0x${hex}`)).toString();
}

/** A BIGINT column value (decimal string, number or bigint) as 16 lower-hex characters. */
export function bigintColumnToHex(value: string | number | bigint): string {
  return BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, '0');
}

/** A trace id split into zipkin's trace_id_high (0 for 64-bit ids, zipkin: "If non zero, ... 128 bit") and trace_id. */
export function traceIdColumns(traceId: string): { high: string; low: string } {
  if (traceId.length === 32) {
    return { high: hexToBigintColumn(traceId.slice(0, 16)), low: hexToBigintColumn(traceId.slice(16)) };
  }
  return { high: '0', low: hexToBigintColumn(traceId) };
}

/** trace_id_high and trace_id back to a trace id: 16 hex when high is 0, as zipkin reads it. */
export function traceIdFromColumns(high: string | number | bigint, low: string | number | bigint): string {
  const lowHex = bigintColumnToHex(low);
  return BigInt(high) === 0n ? lowHex : bigintColumnToHex(high) + lowHex;
}

/** A dotted IPv4 address as zipkin's endpoint_ipv4 (ByteBuffer.getInt: big-endian, signed). */
export function ipv4ToColumn(ipv4: string): number {
  const parts = ipv4.split('.').map(Number);
  return (parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]! | 0;
}

/** endpoint_ipv4 back to a dotted address. */
export function ipv4FromColumn(value: number): string {
  const u = value >>> 0;
  return [u >>> 24, (u >>> 16) & 0xff, (u >>> 8) & 0xff, u & 0xff].join('.');
}

/** A 16-hex id as the BigInt bound to a BIGINT parameter (exact; a decimal string would compare as a double). */
export function idParam(hex: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}

/** A trace id's (trace_id_high, trace_id) parameters. */
export function traceIdParams(traceId: string): { high: bigint; low: bigint } {
  return traceId.length === 32
    ? { high: idParam(traceId.slice(0, 16)), low: idParam(traceId.slice(16)) }
    : { high: 0n, low: idParam(traceId) };
}
