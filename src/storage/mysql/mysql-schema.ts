import type { Connection, PoolConnection } from 'mysql2/promise';

/**
 * Skein's DDL for Zipkin's MySQL schema (same tables, columns and indexes as zipkin-storage/mysql-v1
 * mysql.sql), so zipkin-server and Skein can share one database. Run only when the tables are missing:
 * an existing Zipkin database is used as it is. One difference: new tables are utf8mb4 (zipkin's file says
 * utf8, which is MySQL's 3-byte utf8mb3), so names with characters outside the BMP (emoji) are stored as
 * sent; zipkin-server reads and writes utf8mb4 tables alike. In an older utf8mb3 database such characters
 * are replaced (mysql-rows.ts fitVarchar).
 */
const DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS zipkin_spans (
    trace_id_high BIGINT NOT NULL DEFAULT 0,
    trace_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    name VARCHAR(255) NOT NULL,
    remote_service_name VARCHAR(255),
    parent_id BIGINT,
    debug BIT(1),
    start_ts BIGINT,
    duration BIGINT,
    PRIMARY KEY (trace_id_high, trace_id, id),
    INDEX (trace_id_high, trace_id),
    INDEX (name),
    INDEX (remote_service_name),
    INDEX (start_ts)
  ) ENGINE=InnoDB ROW_FORMAT=COMPRESSED CHARACTER SET=utf8mb4 COLLATE utf8mb4_general_ci`,
  `CREATE TABLE IF NOT EXISTS zipkin_annotations (
    trace_id_high BIGINT NOT NULL DEFAULT 0,
    trace_id BIGINT NOT NULL,
    span_id BIGINT NOT NULL,
    a_key VARCHAR(255) NOT NULL,
    a_value BLOB,
    a_type INT NOT NULL,
    a_timestamp BIGINT,
    endpoint_ipv4 INT,
    endpoint_ipv6 BINARY(16),
    endpoint_port SMALLINT,
    endpoint_service_name VARCHAR(255),
    UNIQUE KEY (trace_id_high, trace_id, span_id, a_key, a_timestamp),
    INDEX (trace_id_high, trace_id, span_id),
    INDEX (trace_id_high, trace_id),
    INDEX (endpoint_service_name),
    INDEX (a_type),
    INDEX (a_key),
    INDEX (trace_id, span_id, a_key)
  ) ENGINE=InnoDB ROW_FORMAT=COMPRESSED CHARACTER SET=utf8mb4 COLLATE utf8mb4_general_ci`,
  `CREATE TABLE IF NOT EXISTS zipkin_dependencies (
    day DATE NOT NULL,
    parent VARCHAR(255) NOT NULL,
    child VARCHAR(255) NOT NULL,
    call_count BIGINT,
    error_count BIGINT,
    PRIMARY KEY (day, parent, child)
  ) ENGINE=InnoDB ROW_FORMAT=COMPRESSED CHARACTER SET=utf8mb4 COLLATE utf8mb4_general_ci`,
];

/** The optional parts of the schema zipkin's Schema check detects; older Zipkin databases lack some. */
export interface MysqlSchemaFeatures {
  hasTraceIdHigh: boolean;
  hasRemoteServiceName: boolean;
  hasIpv6: boolean;
  hasDependencies: boolean;
  hasErrorCount: boolean;
  /** Whether the text columns are utf8mb4 (Skein-created) rather than utf8mb3 (zipkin's mysql.sql). */
  utf8mb4: boolean;
}

/** Creates the schema when zipkin_spans is missing, then reports which optional columns the database has. */
export async function ensureMysqlSchema(conn: Connection | PoolConnection): Promise<MysqlSchemaFeatures> {
  let columns = await readColumns(conn);
  if (!columns.has('zipkin_spans.id')) {
    for (const sql of DDL) await conn.query(sql);
    columns = await readColumns(conn);
  }
  return {
    hasTraceIdHigh:
      columns.has('zipkin_spans.trace_id_high') && columns.has('zipkin_annotations.trace_id_high'),
    hasRemoteServiceName: columns.has('zipkin_spans.remote_service_name'),
    hasIpv6: columns.has('zipkin_annotations.endpoint_ipv6'),
    hasDependencies: columns.has('zipkin_dependencies.parent'),
    hasErrorCount: columns.has('zipkin_dependencies.error_count'),
    utf8mb4: columns.get('zipkin_spans.name') === 'utf8mb4',
  };
}

/** table.column (lowercase) -> its character set (null for non-text columns). */
async function readColumns(conn: Connection | PoolConnection): Promise<Map<string, string | null>> {
  const [rows] = await conn.query(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, CHARACTER_SET_NAME AS cs FROM information_schema.COLUMNS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('zipkin_spans', 'zipkin_annotations', 'zipkin_dependencies')`,
  );
  return new Map(
    (rows as { t: string; c: string; cs: string | null }[]).map((r) => [`${r.t}.${r.c}`.toLowerCase(), r.cs]),
  );
}
