#!/usr/bin/env bash
# The kill -9 check: a server under a sustained write load (customers, subscriptions, portal
# sessions, cancel flows completed through the pages) is killed with SIGKILL, restarted on the
# same database, and everything it answered 2xx must be there, nothing half-applied (every
# subscription with its paid invoice and lines and its events), and every event delivered to a
# webhook endpoint once the new server is up. Runs on SQLite and on a throwaway PostgreSQL.
#
#   scripts/durability.sh [--seconds 30] [--rounds 3] [--backend sqlite|postgres|both]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=30 rounds=3 backend=both
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds 30] [--rounds 3] [--backend sqlite|postgres|both]" >&2; exit 2 ;;
  esac
done
# shellcheck source=scripts/instances.sh
source scripts/instances.sh
trap pg_throwaway_stop EXIT
if [ ! -x .venv/bin/pytest ] || ! .venv/bin/python -c 'import stripe, requests' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r tests/sdk/requirements.txt
fi
build_release
export PORTICO_BIN=$PORTICO_RELEASE_BIN PORTICO_DURABILITY_SECONDS=$seconds
run() {
  local r
  for r in $(seq 1 "$rounds"); do
    echo "== round $r of $rounds on $1" >&2
    local log
    log=$(mktemp)
    if ! .venv/bin/pytest -q -s tests/sdk/test_durability_process.py >"$log" 2>&1; then
      cat "$log"; rm -f "$log"; exit 1
    fi
    grep -E "^durability|passed" "$log"; rm -f "$log"
  done
}
if [ "$backend" != postgres ]; then run sqlite; fi
if [ "$backend" != sqlite ]; then
  pg_throwaway_start
  PORTICO_TEST_DATABASE_URL=$PG_THROWAWAY_URL run postgres
fi
echo "== durability check passed" >&2
