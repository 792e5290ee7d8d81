#!/usr/bin/env bash
# MariaDB on 127.0.0.1:3306 (root, no password, database `test`), for the mysql store's tests.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
port_open 127.0.0.1 3306 && exit 0
command -v mariadbd >/dev/null 2>&1 || apt_install mariadb-server
start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
wait_port mariadb 127.0.0.1 3306 60
mariadb -uroot -e 'CREATE DATABASE IF NOT EXISTS test'
