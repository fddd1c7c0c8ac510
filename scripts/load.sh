#!/usr/bin/env bash
# The load test: release servers under a sustained mix of API calls and portal page views (new
# customers and subscriptions, portal sessions opened and browsed, invoice previews, lists,
# whole cancel flows through the pages) at a fixed concurrency for a bounded time. Prints the
# report (per-operation latency, errors, latency per 10 s window, server memory each minute)
# and writes it to test-output/; exits non-zero if any operation failed.
#
#   scripts/load.sh [--duration 2m] [--concurrency 64] [--backend sqlite|postgres] [--instances N]
#
# With --instances N > 1 the servers share the database behind one address (a proxy handing
# connections to each in turn). Installs PostgreSQL (apt-get) when asked for and missing.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=2m concurrency=64 backend=sqlite instances=1
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    --instances) instances=$2; shift 2 ;;
    *) echo "usage: $0 [--duration 2m] [--concurrency 64] [--backend sqlite|postgres] [--instances N]" >&2; exit 2 ;;
  esac
done
# shellcheck source=scripts/instances.sh
source scripts/instances.sh
trap instances_stop EXIT
build_release
instances_start "$backend" "$instances"
mkdir -p test-output
out=test-output/load-$backend-x$instances-c$concurrency.json
pid_args=()
for pid in "${INSTANCES_PIDS[@]}"; do pid_args+=(--pid "$pid"); done
echo "== load: $duration at concurrency $concurrency on $backend, $instances instance(s), $INSTANCES_URL" >&2
status=0
"$PORTICO_BENCH_BIN" load --base "$INSTANCES_URL" --key "$INSTANCES_KEY" \
  --concurrency "$concurrency" --duration "$duration" "${pid_args[@]}" --out "$out" >/dev/null || status=$?
python3 scripts/load-summary.py "$out"
echo "report: $out"
exit $status
