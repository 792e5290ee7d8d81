# Shared helpers for scripts/services/*.sh (sourced, not run). Every service script is idempotent: it does
# nothing when its service already answers, installs only what is missing, and fails loudly when a start
# does not come up within its deadline.

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_port NAME HOST PORT SECONDS: waits for a port, naming what it waited for when the deadline passes.
wait_port() {
  local name="$1" host="$2" port="$3" deadline=$((SECONDS + $4))
  until port_open "$host" "$port"; do
    if ((SECONDS >= deadline)); then
      echo "services: $name did not open $host:$port within $4 s" >&2
      return 1
    fi
    sleep 0.5
  done
}

# apt_install PACKAGE...: installs Debian packages that are not installed yet (apt-get update once per run).
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  echo "services: installing ${missing[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  if [[ -z "${SKEIN_APT_UPDATED:-}" ]]; then apt-get update -qq >/dev/null; export SKEIN_APT_UPDATED=1; fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
