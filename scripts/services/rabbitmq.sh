#!/usr/bin/env bash
# RabbitMQ on 127.0.0.1:5672 (guest/guest) for test/queues: Debian's rabbitmq-server.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
port_open 127.0.0.1 5672 && exit 0
command -v rabbitmq-server >/dev/null 2>&1 || apt_install rabbitmq-server
rabbitmq-server -detached
rabbitmqctl await_startup --timeout 120 >/dev/null
wait_port rabbitmq 127.0.0.1 5672 60
