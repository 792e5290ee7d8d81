#!/usr/bin/env bash
# The real zipkin-server jar, the oracle of test/differential (cached in ~/.m2, fetched with Maven).
set -euo pipefail
bash "$(dirname "$0")/../zipkin-server.sh" >/dev/null
