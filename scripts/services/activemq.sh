#!/usr/bin/env bash
# ActiveMQ for test/queues: Debian's activemq package (5.17), instance "skein" with OpenWire on
# 127.0.0.1:61616 and STOMP on 127.0.0.1:61613 (Skein's ActiveMQ collector speaks STOMP). Debian's package
# ships the instance "main" disabled and with OpenWire only, so this script writes its own instance from
# it and enables that one. It is started with Debian's init script (start-stop-daemon, no systemd needed).
# Idempotent: exits at once when 61613 answers. SKEIN_ACTIVEMQ_RESTART=1 restarts a running broker (tests).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [[ -n "${SKEIN_ACTIVEMQ_RESTART:-}" ]] && port_open 127.0.0.1 61613; then
  /etc/init.d/activemq stop skein >/dev/null 2>&1 || true
  # wait until the port closed, so the start below is a new broker and not the old one still running
  for _ in $(seq 1 60); do port_open 127.0.0.1 61613 || break; sleep 0.5; done
  if port_open 127.0.0.1 61613; then
    echo "services: 61613 still answers after stopping instance skein: is another ActiveMQ running there?" >&2
    exit 1
  fi
fi
port_open 127.0.0.1 61613 && exit 0
[[ -f /usr/share/activemq/bin/activemq.jar ]] || apt_install activemq

instance=/etc/activemq/instances-available/skein
if [[ ! -f "$instance/activemq.xml" ]] || ! grep -q 'name="stomp"' "$instance/activemq.xml"; then
  mkdir -p "$instance"
  cp /etc/activemq/instances-available/main/log4j2.properties "$instance/"
  # Debian's main instance plus a STOMP connector.
  sed 's|<transportConnector name="openwire" uri="tcp://127.0.0.1:61616"/>|&\n            <transportConnector name="stomp" uri="stomp://127.0.0.1:61613"/>|' \
    /etc/activemq/instances-available/main/activemq.xml >"$instance/activemq.xml"
  grep -q 'name="stomp"' "$instance/activemq.xml" || {
    echo "services: could not add the STOMP connector to $instance/activemq.xml" >&2
    exit 1
  }
fi
ln -sfn "$instance" /etc/activemq/instances-enabled/skein
mkdir -p /var/lib/activemq/skein /var/run/activemq
chown -R activemq:activemq /var/lib/activemq/skein /var/run/activemq
rm -f /var/run/activemq/skein.pid
/etc/init.d/activemq start skein >/dev/null
wait_port activemq 127.0.0.1 61613 120 || {
  tail -n 40 /var/lib/activemq/skein/data/activemq.log >&2 2>/dev/null || true
  exit 1
}
