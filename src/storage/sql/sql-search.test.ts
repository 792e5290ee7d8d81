import { describe, expect, it } from 'vitest';
import { parseQueryRequest } from '../query-request.js';
import { mysqlDialect, postgresDialect } from './sql-dialect.js';
import { buildSearchQuery, type SearchTables } from './sql-search.js';

const tables: SearchTables = { traces: 'traces', terms: 'terms', spans: 'spans' };
const hostile = `x'); DROP TABLE traces; --"`;
const request = parseQueryRequest(
  {
    serviceName: hostile,
    spanName: hostile,
    remoteServiceName: hostile,
    annotationQuery: `${hostile}=${hostile} and ${hostile}`,
    minDuration: 1,
    maxDuration: 2,
    endTs: 1_700_000_000_000,
    lookback: 60_000,
    limit: 10,
  },
  { nowMs: 1_700_000_000_000, lookbackMs: 60_000 },
);

describe('buildSearchQuery', () => {
  it('binds every value, so hostile names never reach the SQL text', () => {
    const { sql, params } = buildSearchQuery(postgresDialect, tables, request, undefined, 26, true);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain("'");
    expect(
      params.filter((p) => typeof p === 'string' && p.includes('DROP TABLE')).length,
    ).toBeGreaterThanOrEqual(3);
    // one placeholder per parameter, numbered in order
    const placeholders = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(placeholders).toEqual(params.map((_, i) => i + 1));
  });

  it('writes positional placeholders for MySQL with the same parameters', () => {
    const pg = buildSearchQuery(postgresDialect, tables, request, { ts: 5, traceId: 'a' }, 26, true);
    const my = buildSearchQuery(mysqlDialect, tables, request, { ts: 5, traceId: 'a' }, 26, true);
    expect(my.params).toEqual(pg.params);
    expect(my.sql.split('?').length - 1).toBe(my.params.length);
    expect(my.sql).not.toMatch(/\$\d/);
  });

  it('joins criteria on the low 64 bits when STRICT_TRACE_ID is false', () => {
    const { sql } = buildSearchQuery(postgresDialect, tables, request, undefined, 26, false);
    expect(sql).toContain('x.trace_low = t.trace_low');
    expect(sql).not.toContain('x.trace_id = t.trace_id');
  });
});
