#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests, on the loopback address.
#
#   scripts/with-postgres.sh COMMAND [ARG...]   start a cluster, run COMMAND with
#                                               LIGHTTOUCH_TEST_PG set, stop and remove it
#   scripts/with-postgres.sh ctl crash|start|restart
#                                               (inside COMMAND) kill the cluster the way a
#                                               crash does, start it again, or both
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` user (Debian's package creates it). The superuser `postgres` logs
# in from 127.0.0.1 without a password; every other role needs its SCRAM
# password, as on a school's server. LIGHTTOUCH_TEST_PG holds the superuser's
# URL; LIGHTTOUCH_TEST_PGDATA the cluster's folder. The server also speaks
# TLS, with a certificate for 127.0.0.1 and localhost signed by a throwaway
# CA whose certificate is in LIGHTTOUCH_TEST_PG_CA (for sslmode=verify-full).
set -euo pipefail

bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "with-postgres: PostgreSQL's server programs are not installed; run scripts/install-deps.sh (package postgresql)" >&2
  exit 69
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_ctl_run() {
  local data=$1; shift
  as_owner "$bin/pg_ctl" -D "$data" "$@"
}

if [ "${1:-}" = ctl ]; then
  data=${LIGHTTOUCH_TEST_PGDATA:?with-postgres ctl runs inside scripts/with-postgres.sh}
  # The server outlives this script: it must not keep the caller's descriptors
  # open (Foundation's Process learns that its child ended when they close).
  for fd in $(ls /proc/$$/fd); do
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
  case "${2:-}" in
    crash) pg_ctl_run "$data" -m immediate -w stop >/dev/null ;;
    start) pg_ctl_run "$data" -l "$data/log" -w start >/dev/null ;;
    restart) pg_ctl_run "$data" -m immediate -w stop >/dev/null; pg_ctl_run "$data" -l "$data/log" -w start >/dev/null ;;
    *) echo "with-postgres: ctl crash|start|restart" >&2; exit 64 ;;
  esac
  exit 0
fi

[ $# -gt 0 ] || { echo "usage: scripts/with-postgres.sh COMMAND [ARG...]" >&2; exit 64; }

data=$(mktemp -d /tmp/lighttouch-pg.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$data"
chmod 700 "$data"
# A free port: ask the kernel for one.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  pg_ctl_run "$data/db" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$data"
}
trap cleanup EXIT

as_owner "$bin/initdb" -D "$data/db" -U postgres -A scram-sha-256 --auth-local=trust --no-instructions >"$data/initdb.log" 2>&1 \
  || { cat "$data/initdb.log" >&2; exit 70; }
cat >"$data/db/pg_hba.conf" <<HBA
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
HBA
# TLS: a CA made for this cluster signs the server's certificate.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=LightTouch test CA" \
  -keyout "$data/ca.key" -out "$data/ca.crt" >"$data/openssl.log" 2>&1 || { cat "$data/openssl.log" >&2; exit 70; }
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$data/db/server.key" -out "$data/server.csr" \
  >>"$data/openssl.log" 2>&1 || { cat "$data/openssl.log" >&2; exit 70; }
printf 'subjectAltName = IP:127.0.0.1, DNS:localhost\n' >"$data/san.ext"
openssl x509 -req -in "$data/server.csr" -CA "$data/ca.crt" -CAkey "$data/ca.key" -CAcreateserial -days 2 \
  -extfile "$data/san.ext" -out "$data/db/server.crt" >>"$data/openssl.log" 2>&1 || { cat "$data/openssl.log" >&2; exit 70; }
chmod 600 "$data/db/server.key"
[ "$(id -u)" -eq 0 ] && chown postgres: "$data/db/server.key" "$data/db/server.crt"
chmod 644 "$data/ca.crt"
cat >>"$data/db/postgresql.conf" <<CONF
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'

listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
fsync = off
max_connections = 200
CONF
pg_ctl_run "$data/db" -l "$data/db/log" -w start >/dev/null || { cat "$data/db/log" >&2; exit 70; }

export LIGHTTOUCH_TEST_PG="postgresql://postgres@127.0.0.1:$port/postgres?sslmode=disable"
export LIGHTTOUCH_TEST_PGDATA="$data/db"
export LIGHTTOUCH_TEST_PG_CA="$data/ca.crt"
export LIGHTTOUCH_TEST_PG_SCRIPT="$(cd "$(dirname "$0")" && pwd)/with-postgres.sh"
echo "with-postgres: PostgreSQL $("$bin/postgres" -V | awk '{print $3}') on 127.0.0.1:$port ($data/db)" >&2
set +e
"$@"
status=$?
exit $status
