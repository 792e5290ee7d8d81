#!/usr/bin/env bash
# A local ClickHouse cluster for tests and for trying Skein's scale-out on one machine: ZooKeeper on
# 127.0.0.1:2181 and cluster `skein` of 2 shards x 2 replicas (ReplicatedMergeTree through that ZooKeeper),
# each node with its own ports and folder under SKEIN_CLICKHOUSE_CLUSTER_DIR (default /var/tmp/skein-clickhouse-cluster):
#   shard 1: http 8124, 8125 (tcp 9001, 9002)   shard 2: http 8126, 8127 (tcp 9003, 9004)
# Skein on it: STORAGE_TYPE=clickhouse CLICKHOUSE_URLS=http://127.0.0.1:8124,http://127.0.0.1:8126
#   CLICKHOUSE_CLUSTER=skein CLICKHOUSE_REPLICATED=true
# Idempotent: nodes (and ZooKeeper) that answer are left alone. `stop` stops what this script started.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/services/lib.sh"
source "$here/clickhouse-node.sh"
dir="${SKEIN_CLICKHOUSE_CLUSTER_DIR:-/var/tmp/skein-clickhouse-cluster}"

if [[ "${1:-}" == stop ]]; then
  for pid in "$dir"/*/server.pid "$dir/zk/zk.pid"; do [[ -f "$pid" ]] && kill "$(cat "$pid")" 2>/dev/null || true; done
  exit 0
fi

apt_install clickhouse-server zookeeper
mkdir -p "$dir/zk/data"
if ! port_open 127.0.0.1 2181; then
  cat >"$dir/zk/zoo.cfg" <<CFG
tickTime=2000
dataDir=$dir/zk/data
clientPort=2181
clientPortAddress=127.0.0.1
admin.enableServer=false
maxClientCnxns=200
CFG
  # Debian's zookeeper: the jar and its dependencies, as its zkEnv.sh lists them.
  cp="/etc/zookeeper/conf:$(ls /usr/share/java/*.jar | tr '\n' ':')"
  nohup java -Xmx256m -cp "$cp" -Dzookeeper.log.dir="$dir/zk" org.apache.zookeeper.server.quorum.QuorumPeerMain \
    "$dir/zk/zoo.cfg" >"$dir/zk/zk.log" 2>&1 &
  echo $! >"$dir/zk/zk.pid"
  wait_port zookeeper 127.0.0.1 2181 60 || { tail -n 30 "$dir/zk/zk.log" >&2; exit 1; }
fi

remote_servers="<remote_servers><skein>
  <shard><internal_replication>true</internal_replication>
    <replica><host>127.0.0.1</host><port>9001</port></replica><replica><host>127.0.0.1</host><port>9002</port></replica></shard>
  <shard><internal_replication>true</internal_replication>
    <replica><host>127.0.0.1</host><port>9003</port></replica><replica><host>127.0.0.1</host><port>9004</port></replica></shard>
</skein></remote_servers>
<zookeeper><node><host>127.0.0.1</host><port>2181</port></node></zookeeper>"

n=0
starts=()
for shard in 01 02; do
  for replica in r1 r2; do
    n=$((n + 1))
    clickhouse_node "$dir/s$shard-$replica" $((8123 + n)) $((9000 + n)) $((9010 + n)) \
      "$remote_servers<macros><shard>$shard</shard><replica>$replica</replica></macros>" &
    starts+=($!)
  done
done
# Only the starts are waited for (a bare wait would wait for the servers themselves).
for pid in "${starts[@]}"; do wait "$pid"; done
echo "clickhouse cluster skein: http://127.0.0.1:8124,8125 (shard 1), 8126,8127 (shard 2); zookeeper 127.0.0.1:2181"
