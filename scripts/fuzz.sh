#!/usr/bin/env bash
# The hostile-input check, long: random bodies, paths, methods and headers to the API, random
# fields to every portal form and random portal paths (crates/portico-server/tests/hostile.rs),
# many more cases than the test suite's 256 per property. Nothing may answer 5xx or panic.
#
#   scripts/fuzz.sh [--cases 20000]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=20000
while [ $# -gt 0 ]; do
  case $1 in
    --cases) cases=$2; shift 2 ;;
    *) echo "usage: $0 [--cases N]" >&2; exit 2 ;;
  esac
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! PROPTEST_CASES=$cases cargo test --release -q -p portico-server --test hostile -- --nocapture --test-threads 1 >"$log" 2>&1; then
  cat "$log"
  exit 1
fi
grep -E "inputs tried|test result" "$log"
echo "== fuzz check passed ($cases inputs per property)" >&2
