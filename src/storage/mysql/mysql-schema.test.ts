import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { requireService } from '../../../test/support/require-service.js';
import { ensureMysqlSchema } from './mysql-schema.js';

const available = await requireService('MariaDB', '127.0.0.1', 3306);
const db = `skein_schema_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(!available)('mysql schema', () => {
  afterAll(async () => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    await c.query(`DROP DATABASE IF EXISTS ${db}`);
    await c.end();
  });

  it('creates Zipkin tables in an empty database, and uses an older Zipkin database as it is', async () => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    try {
      await c.query(`CREATE DATABASE ${db}`);
      await c.changeUser({ database: db });
      expect(await ensureMysqlSchema(c)).toEqual({
        hasTraceIdHigh: true,
        hasRemoteServiceName: true,
        hasIpv6: true,
        hasDependencies: true,
        hasErrorCount: true,
        utf8mb4: true,
      });
      // A database from before remote_service_name and ipv6: detected, not altered.
      await c.query('ALTER TABLE zipkin_spans DROP COLUMN remote_service_name');
      await c.query('ALTER TABLE zipkin_annotations DROP COLUMN endpoint_ipv6');
      const features = await ensureMysqlSchema(c);
      expect(features.hasRemoteServiceName).toBe(false);
      expect(features.hasIpv6).toBe(false);
      expect(features.hasTraceIdHigh).toBe(true);
    } finally {
      await c.end();
    }
  });
});
