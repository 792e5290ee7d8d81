/** CLICKHOUSE_* settings, as the server's config parsed them. */
export interface ClickhouseOptions {
  /** CLICKHOUSE_URLS: HTTP endpoints of ClickHouse nodes; Skein spreads calls over them. */
  urls: string[];
  database: string;
  user: string;
  password: string;
  /** CLICKHOUSE_CLUSTER: the cluster (remote_servers) name; unset: one node. */
  cluster?: string;
  /** CLICKHOUSE_REPLICATED: ReplicatedMergeTree tables (needs ZooKeeper and {shard}/{replica} macros). */
  replicated: boolean;
  /** RETENTION in ms: day partitions wholly older than this are dropped. Unset or 0: keep everything. */
  retentionMs?: number;
  /** CLICKHOUSE_INSERT_QUORUM with CLICKHOUSE_REPLICATED: replicas that must have a write before it is acknowledged. */
  insertQuorum?: number;
  /** Per-request timeout of the HTTP client (writes included), so a hung node fails a call. */
  requestTimeoutMs?: number;
}
