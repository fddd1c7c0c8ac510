#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1 for tests and prints its URL.
#   source scripts/pg-throwaway.sh   → defines pg_throwaway_start / pg_throwaway_stop
# Installs Debian's postgresql package when no server binaries are found. PostgreSQL refuses to
# run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

# Only a server this shell started is ever stopped by it (not one a parent script started).
PG_THROWAWAY_DIR=

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

pg_install_if_missing() {
  if ! pg_bindir >/dev/null; then
    echo "== installing PostgreSQL (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
  fi
}

# pg_throwaway_start → sets PG_THROWAWAY_DIR and PG_THROWAWAY_URL. The server does not sync
# to disk (tests need no durability) unless PG_THROWAWAY_FSYNC=on (the benchmark's durable writes).
pg_throwaway_start() {
  pg_install_if_missing
  local bin port dir run=()
  bin=$(pg_bindir)
  dir=$(mktemp -d /tmp/portico-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U portico --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=${PG_THROWAWAY_FSYNC:-off} -c max_connections=200" start >/dev/null
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U portico portico
  PG_THROWAWAY_DIR=$dir
  PG_THROWAWAY_URL="postgres://portico@127.0.0.1:$port/portico"
  export PG_THROWAWAY_URL
}

pg_throwaway_stop() {
  [ -n "${PG_THROWAWAY_DIR:-}" ] || return 0
  local bin run=()
  bin=$(pg_bindir)
  [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$bin/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_THROWAWAY_DIR"
  PG_THROWAWAY_DIR=
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  pg_throwaway_start
  echo "$PG_THROWAWAY_URL"
  echo "stop with: $(pg_bindir)/pg_ctl -D $PG_THROWAWAY_DIR/data stop" >&2
fi
