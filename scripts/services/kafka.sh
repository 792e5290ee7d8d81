#!/usr/bin/env bash
# Kafka on 127.0.0.1:9092 for test/queues: one KRaft broker (broker and controller in one JVM) from the Apache
# Kafka jars on Maven Central. The jars go to the local Maven repository (~/.m2), the broker's config, data and
# log under SKEIN_KAFKA_DIR (default /var/tmp/skein-kafka). Idempotent: exits at once when 9092 answers.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
port_open 127.0.0.1 9092 && exit 0

version="${SKEIN_KAFKA_VERSION:-4.1.1}"
dir="${SKEIN_KAFKA_DIR:-/var/tmp/skein-kafka}"
libs="$HOME/.m2/skein-kafka-$version"
mkdir -p "$dir"

if [[ ! -f "$libs/.complete" ]]; then
  # copy-dependencies needs a project: a throwaway pom naming the broker (and the log4j2 binding it logs with).
  pom="$(mktemp -d)"
  cat >"$pom/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>skein</groupId><artifactId>kafka-broker</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
  </dependencies>
</project>
POM
  echo "services: fetching the Kafka $version broker jars from Maven Central" >&2
  mvn -q -B -f "$pom/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  rm -rf "$pom"
  touch "$libs/.complete"
fi

cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS

java_opts=(-Xms256m -Xmx512m -XX:+UseSerialGC -cp "$libs/*")
# A storage dir is formatted once; its meta.properties says so.
if [[ ! -f "$dir/data/meta.properties" ]]; then
  java "${java_opts[@]}" kafka.tools.StorageTool format -t "$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid)" \
    -c "$dir/server.properties" >"$dir/format.log" 2>&1 || {
    cat "$dir/format.log" >&2
    exit 1
  }
fi
# setsid: its own session, so the broker outlives the shell or test run that (re)started it (a test that
# restarts it must not leave it to die with that test process group).
setsid nohup java "${java_opts[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
echo $! >"$dir/kafka.pid"
wait_port kafka 127.0.0.1 9092 90 || {
  tail -n 40 "$dir/kafka.log" >&2
  exit 1
}
