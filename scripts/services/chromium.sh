#!/usr/bin/env bash
# Debian's chromium for the browser tests (playwright-core drives it; a downloaded browser is not allowed).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v chromium >/dev/null 2>&1 || apt_install chromium
