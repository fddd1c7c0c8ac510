#!/usr/bin/env bash
# Starts Portico servers for the reliability scripts (load, cluster): release builds, N instances
# on one database (a throwaway PostgreSQL, or one SQLite file), and — with more than one — a proxy
# in front of them on one address, as a TCP load balancer would put them.
#   source scripts/instances.sh
#   instances_start sqlite|postgres N   → INSTANCES_URL, INSTANCES_PIDS, INSTANCES_KEY, INSTANCES_DIR
#   instances_stop
set -euo pipefail

_instances_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/pg-throwaway.sh
source "$_instances_root/scripts/pg-throwaway.sh"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_for_port() { # port pid log
  local i
  for i in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then echo "process $2 exited; its log:" >&2; tail -20 "$3" >&2; return 1; fi
    sleep 0.1
  done
  echo "nothing listening on $1 after 30s" >&2
  return 1
}

# Builds portico and portico-bench: release, or debug with PORTICO_PROFILE=debug (the test
# suite's quick runs, where the figures do not matter).
build_release() {
  local profile=${PORTICO_PROFILE:-release} flag=--release
  [ "$profile" = debug ] && flag=
  echo "== building $profile binaries" >&2
  (cd "$_instances_root" && cargo build $flag -q -p portico -p portico-bench)
  PORTICO_RELEASE_BIN=$_instances_root/target/$profile/portico
  PORTICO_BENCH_BIN=$_instances_root/target/$profile/portico-bench
  export PORTICO_RELEASE_BIN PORTICO_BENCH_BIN
}

# instances_start BACKEND N [PORT]: N servers (and a proxy when N > 1) on one database.
instances_start() {
  local backend=$1 n=$2 port=${3:-} db i p pid
  [ -n "${PORTICO_RELEASE_BIN:-}" ] || build_release
  INSTANCES_DIR=$(mktemp -d /tmp/portico-instances.XXXXXX)
  INSTANCES_KEY="sk_test_portico_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  INSTANCES_PIDS=()
  INSTANCES_PROXY_PID=
  case $backend in
    sqlite) db="sqlite://$INSTANCES_DIR/portico.db" ;;
    postgres)
      pg_throwaway_start
      db=$PG_THROWAWAY_URL ;;
    *) echo "backend is sqlite or postgres" >&2; return 2 ;;
  esac
  [ -n "$port" ] || port=$(free_port)
  INSTANCES_URL="http://127.0.0.1:$port"
  local data_key targets=()
  data_key=$(head -c 32 /dev/urandom | base64)
  for i in $(seq 1 "$n"); do
    if [ "$n" = 1 ]; then p=$port; else p=$(free_port); fi
    # Production settings, except: rate limits off (this measures the server, not its limits).
    # Secrets through the environment, not the command line (which `ps` shows to anyone).
    PORTICO_LOG=${PORTICO_LOG:-info} PORTICO_API_KEYS=$INSTANCES_KEY PORTICO_DATA_KEYS=$data_key \
      "$PORTICO_RELEASE_BIN" serve \
      --listen "127.0.0.1:$p" --public-url "$INSTANCES_URL" --database-url "$db" \
      --rate-limit-per-key 0 --rate-limit-per-client 0 \
      >"$INSTANCES_DIR/portico-$i.log" 2>&1 &
    pid=$!
    INSTANCES_PIDS+=("$pid")
    wait_for_port "$p" "$pid" "$INSTANCES_DIR/portico-$i.log"
    targets+=(--to "127.0.0.1:$p")
    echo "instance $i: pid $pid on 127.0.0.1:$p (log $INSTANCES_DIR/portico-$i.log)" >&2
  done
  if [ "$n" -gt 1 ]; then
    "$PORTICO_BENCH_BIN" proxy --listen "127.0.0.1:$port" "${targets[@]}" >"$INSTANCES_DIR/proxy.log" 2>&1 &
    INSTANCES_PROXY_PID=$!
    wait_for_port "$port" "$INSTANCES_PROXY_PID" "$INSTANCES_DIR/proxy.log"
  fi
  INSTANCES_DB=$db
  export INSTANCES_URL INSTANCES_KEY INSTANCES_DIR INSTANCES_DB
}

instances_stop() {
  local pid
  [ -n "${INSTANCES_PROXY_PID:-}" ] && kill "$INSTANCES_PROXY_PID" 2>/dev/null || true
  for pid in "${INSTANCES_PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${INSTANCES_PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  INSTANCES_PIDS=()
  pg_throwaway_stop
  if [ -n "${INSTANCES_DIR:-}" ] && [ -z "${KEEP_LOGS:-}" ]; then rm -rf "$INSTANCES_DIR"; fi
}
