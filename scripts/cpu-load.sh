#!/usr/bin/env bash
# Keeps one core busy (a tight loop in one process) for SECONDS (default 900), to run the test suite the way
# a loaded CI machine does: `bash scripts/cpu-load.sh 600 & npm test; kill %1`.
# The test suite must pass and stay fast under it (no timing assertions, every wait with a deadline).
set -euo pipefail
seconds="${1:-900}"
exec timeout "$seconds" node -e 'for (;;) {}'
