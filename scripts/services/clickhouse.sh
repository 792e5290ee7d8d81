#!/usr/bin/env bash
# ClickHouse for the clickhouse store's tests: one node on 127.0.0.1:8123 (HTTP) from Debian's clickhouse-server
# (18.16), data under SKEIN_CLICKHOUSE_DIR (default /var/tmp/skein-clickhouse). ZooKeeper is installed too, for
# the replicated cluster that scripts/clickhouse-cluster.sh starts. Idempotent: exits at once when 8123 answers.
set -euo pipefail
here="$(dirname "$0")"
source "$here/lib.sh"
source "$here/../clickhouse-node.sh"
port_open 127.0.0.1 8123 && exit 0
apt_install clickhouse-server zookeeper
clickhouse_node "${SKEIN_CLICKHOUSE_DIR:-/var/tmp/skein-clickhouse}" 8123 9000 9009
