import { describe, expect, it } from 'vitest';
import { mysqlDisplayName, mysqlTarget, parseMysqlUrl } from './mysql-config.js';

const base = { host: 'localhost', port: 3306, database: 'zipkin', maxConnections: 10, useSsl: false };

describe('MYSQL_JDBC_URL', () => {
  it("reads zipkin's JDBC URL: host, port, db, user and password parameters, useSSL", () => {
    expect(
      parseMysqlUrl(
        'jdbc:mysql://db.example:3307/traces?user=zip&password=s3cret&useSSL=true&autoReconnect=true',
      ),
    ).toEqual({
      host: 'db.example',
      port: 3307,
      database: 'traces',
      user: 'zip',
      password: 's3cret',
      useSsl: true,
    });
    expect(parseMysqlUrl('mysql://u:p%40ss@h/d').password).toBe('p@ss');
    expect(parseMysqlUrl('jdbc:mariadb://h:1/d?sslMode=DISABLED').useSsl).toBe(false);
  });

  it('wins over host, port and db; MYSQL_USER and MYSQL_PASS fill what the URL lacks', () => {
    const t = mysqlTarget({ ...base, url: 'jdbc:mysql://other:4000/z2', user: 'root', password: 'pw' });
    expect(t).toEqual({
      host: 'other',
      port: 4000,
      database: 'z2',
      useSsl: false,
      user: 'root',
      password: 'pw',
    });
  });

  it('refuses other schemes without echoing the URL, and never shows a password in the name', () => {
    expect(() => parseMysqlUrl('postgres://u:hunter2@h/d')).toThrow(/^MYSQL_JDBC_URL: expected jdbc:mysql:/);
    expect(() => parseMysqlUrl('postgres://u:hunter2@h/d')).not.toThrow(/hunter2/);
    expect(mysqlDisplayName({ ...base, url: 'mysql://u:hunter2@h:5/d' })).toBe('MySQLStorage(h:5/d)');
  });
});
