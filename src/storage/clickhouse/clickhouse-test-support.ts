import type { ClickhouseOptions } from './clickhouse-config.js';

/** The single ClickHouse node the tests use (scripts/services/clickhouse.sh). */
export const TEST_CH: ClickhouseOptions = {
  urls: [process.env.SKEIN_TEST_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123'],
  database: 'skein_test',
  user: 'default',
  password: '',
  replicated: false,
};

export const TEST_CH_PORT = Number(new URL(TEST_CH.urls[0]!).port);

/** A database name no other test file or run uses, so runs in parallel do not see each other's rows. */
export function uniqueDatabase(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}
