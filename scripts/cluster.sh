#!/usr/bin/env bash
# Several `portico serve` instances on one PostgreSQL, behind one address, on loopback.
#
#   scripts/cluster.sh [--instances 3] [--port 12111]
#       starts a throwaway PostgreSQL, the instances and a proxy; prints the address and the API
#       key; stops everything on Ctrl-C.
#   scripts/cluster.sh --check [--instances 3] [--duration 30s]
#       the multi-instance check: the two-instance tests (a portal session used across
#       instances, concurrent changes to one subscription through both losing nothing,
#       idempotency across instances, one default configuration), then a mixed load through the
#       proxy with every answer checked; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
instances=3 port=12111 check= duration=30s
while [ $# -gt 0 ]; do
  case $1 in
    --instances) instances=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --check) check=1; shift ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "usage: $0 [--check] [--instances N] [--port P] [--duration D]" >&2; exit 2 ;;
  esac
done
# shellcheck source=scripts/instances.sh
source scripts/instances.sh
trap instances_stop EXIT
trap 'exit 130' INT TERM

if [ -z "$check" ]; then
  instances_start postgres "$instances" "$port"
  cat <<INFO

$instances Portico instances on one PostgreSQL, behind $INSTANCES_URL
  API key:   $INSTANCES_KEY
  try:       curl $INSTANCES_URL/v1/customers -u $INSTANCES_KEY: -d email=ada@example.com
  database:  $INSTANCES_DB
  logs:      $INSTANCES_DIR
Ctrl-C stops them all.
INFO
  KEEP_LOGS=
  while true; do sleep 3600; done
fi

# --- the check ------------------------------------------------------------------------------
if [ ! -x .venv/bin/pytest ] || ! .venv/bin/python -c 'import stripe, requests' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r tests/sdk/requirements.txt
fi
build_release
echo "== two instances on PostgreSQL: sessions, concurrent updates, idempotency" >&2
pg_throwaway_start
PORTICO_BIN=$PORTICO_RELEASE_BIN PORTICO_TEST_DATABASE_URL=$PG_THROWAWAY_URL \
  .venv/bin/pytest -q tests/sdk/test_cluster_process.py
pg_throwaway_stop
echo "== $instances instances behind one address: mixed load for $duration" >&2
instances_start postgres "$instances"
pid_args=()
for pid in "${INSTANCES_PIDS[@]}"; do pid_args+=(--pid "$pid"); done
mkdir -p test-output
"$PORTICO_BENCH_BIN" load --base "$INSTANCES_URL" --key "$INSTANCES_KEY" --concurrency 32 \
  --duration "$duration" "${pid_args[@]}" --out "$root/test-output/cluster-load.json" >/dev/null ||
  { python3 scripts/load-summary.py test-output/cluster-load.json; exit 1; }
python3 scripts/load-summary.py test-output/cluster-load.json
echo "== cluster check passed" >&2
