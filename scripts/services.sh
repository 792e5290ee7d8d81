#!/usr/bin/env bash
# Installs and starts what the tests need on this machine, when it is missing: Debian's chromium, the
# databases and brokers, and the real zipkin-server jar. .ci/run calls it; developers run `npm run services`.
# Each scripts/services/<name>.sh is idempotent. SKEIN_SERVICES=name,name runs only those.
set -euo pipefail
cd "$(dirname "$0")/.."
only=",${SKEIN_SERVICES:-},"
for script in scripts/services/*.sh; do
  name="$(basename "$script" .sh)"
  [[ "$name" == lib ]] && continue
  [[ "$only" == ",," || "$only" == *",$name,"* ]] || continue
  start=$SECONDS
  bash "$script"
  echo "services: $name ready ($((SECONDS - start)) s)"
done
