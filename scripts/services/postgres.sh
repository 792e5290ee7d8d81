#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:5432 with trust auth and database `test`, for the postgres store's tests.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
port_open 127.0.0.1 5432 && exit 0
command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
cluster="$(ls /etc/postgresql | sort -V | tail -1)"
pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
wait_port postgres 127.0.0.1 5432 60
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='test'\"" | grep -q 1 ||
  su postgres -c "createdb test"
