# Sourced by scripts/services/clickhouse.sh and scripts/clickhouse-cluster.sh (not run): starts one
# clickhouse-server (Debian's 18.16 or newer) with its own config, data and log under one folder, so several
# nodes can share a machine on separate ports. Needs scripts/services/lib.sh sourced first.

# clickhouse_node DIR HTTP_PORT TCP_PORT INTERSERVER_PORT [EXTRA_XML]: starts the node unless its HTTP port
# already answers. EXTRA_XML goes into <yandex> as is (remote_servers, zookeeper, macros for a cluster).
clickhouse_node() {
  local dir="$1" http="$2" tcp="$3" interserver="$4" extra="${5:-}"
  port_open 127.0.0.1 "$http" && return 0
  mkdir -p "$dir/data/tmp" "$dir/data/user_files" "$dir/log"
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog>
    <size>50M</size><count>2</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <interserver_http_port>$interserver</interserver_http_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/data/tmp/</tmp_path>
  <user_files_path>$dir/data/user_files/</user_files_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <max_concurrent_queries>100</max_concurrent_queries>
  <!-- Small caches: several nodes share a small machine. -->
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
  $extra
</yandex>
XML
  cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  # The Debian package ships the server binary only as /usr/sbin/clickhouse-server (a multi-tool link).
  nohup clickhouse-server --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 &
  echo $! >"$dir/server.pid"
  wait_port "clickhouse $dir" 127.0.0.1 "$http" 60 || {
    tail -n 30 "$dir/log/stdout.log" "$dir/log/error.log" >&2 2>/dev/null
    return 1
  }
}
