#!/usr/bin/env bash
# Fetches the io.zipkin:zipkin-server exec jar (the oracle of test/differential) into the user's Maven
# repository and prints its path. Never caches inside the repo. Idempotent: a jar already there is reused.
#   ZIPKIN_VERSION  the 3.x release to fetch (default below; the one test/support/zipkin-server.ts expects)
set -euo pipefail
version="${ZIPKIN_VERSION:-3.5.1}"
repo="${MAVEN_REPO:-$HOME/.m2/repository}"
jar="$repo/io/zipkin/zipkin-server/$version/zipkin-server-$version-exec.jar"
if [[ ! -s "$jar" ]]; then
  echo "zipkin-server: fetching io.zipkin:zipkin-server:$version:jar:exec with Maven" >&2
  mvn -q -B dependency:get -Dartifact="io.zipkin:zipkin-server:$version:jar:exec" -Dtransitive=false \
    -Dmaven.repo.local="$repo" >&2
fi
[[ -s "$jar" ]] || { echo "zipkin-server: $jar is missing after the fetch" >&2; exit 1; }
echo "$jar"
