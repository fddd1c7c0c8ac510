#!/usr/bin/env bash
# The benchmark suite: Portico's throughput and latency per operation, read against the machine's
# floors (a fixed-body HTTP server and one durable SQLite insert per request, both served by
# `portico-bench floor`) and against localstripe on the calls both implement; the same session
# creation on 10,000 and on 1,000,000 customers; start-up time, memory and binary size. Then
# scripts/bench-report.py writes the report and checks the targets.
#
#   scripts/bench.sh               the full run (~16 min with the 1M dataset); writes docs/benchmarks.md
#   scripts/bench.sh --no-scale    without the 1,000,000-customer dataset
#   scripts/bench.sh --no-postgres without the PostgreSQL run (a throwaway server, installed
#                                  with apt-get when missing; skipped by --quick as well)
#   scripts/bench.sh --quick       2s per measurement, 1s warm-up, no 1M dataset; the report goes to
#                                  test-output/bench/benchmarks.md (a smoke run: figures are rough)
#   scripts/bench.sh --report FILE write the report there instead
#
# Everything listens on 127.0.0.1 and every process this script starts is stopped when it exits.
# Raw results: test-output/bench/results.jsonl (one `portico-bench measure` line each, with the
# dataset it ran on) and test-output/bench/meta.json (machine, versions, start-up, memory, seeding).
#
# Environment:
#   PORTICO_RELEASE_BIN, PORTICO_BENCH_BIN  prebuilt binaries (otherwise: cargo build --release)
#   BENCH_CONCURRENCY="1 32"  BENCH_DURATION=10s  BENCH_WARMUP=2s  BENCH_STARTUP_RUNS=5
#   BENCH_PAIRED_ROUNDS=4  BENCH_PAIRED_DURATION=5s  (each floor and the operation read against it,
#   back to back at the top concurrency, so that the two see the same machine)
#   BENCH_CUSTOMERS=10000  BENCH_SCALE_CUSTOMERS=1000000  BENCH_SCALE_SUBSCRIBED=10000
#   BENCH_SCALE_CONCURRENCY=32  BENCH_OUT=test-output/bench  BENCH_VENV=.bench/venv (localstripe)
#   KEEP_LOGS=1  keeps the temporary directory (databases, server logs); a run with errors keeps
#                it anyway. Portico logs each request, and each write that lost a race (debug
#                level of portico_store): a 409 in the results can be traced to its write.
#
# Exits non-zero when a measurement saw errors or could not run; a target that is missed is
# reported, not an error.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/instances.sh
source "$root/scripts/instances.sh"

quick=
scale=1
postgres=1
report=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1; scale=; postgres= ;;
    --no-scale) scale= ;;
    --no-postgres) postgres= ;;
    --report) report=${2:?--report needs a file}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ -n "$quick" ]; then
  duration=${BENCH_DURATION:-2s}
  warmup=${BENCH_WARMUP:-1s}
  startup_runs=${BENCH_STARTUP_RUNS:-3}
  idle_wait=1
  paired_rounds=${BENCH_PAIRED_ROUNDS:-1}
  paired_duration=${BENCH_PAIRED_DURATION:-2s}
else
  duration=${BENCH_DURATION:-10s}
  warmup=${BENCH_WARMUP:-2s}
  startup_runs=${BENCH_STARTUP_RUNS:-5}
  idle_wait=3
  paired_rounds=${BENCH_PAIRED_ROUNDS:-4}
  paired_duration=${BENCH_PAIRED_DURATION:-5s}
fi
read -r -a concurrencies <<<"${BENCH_CONCURRENCY:-1 32}"
# The concurrency the targets are judged at (the last one): measured twice, minutes apart.
top_c=${concurrencies[${#concurrencies[@]}-1]}
customers=${BENCH_CUSTOMERS:-10000}
scale_customers=${BENCH_SCALE_CUSTOMERS:-1000000}
scale_subscribed=${BENCH_SCALE_SUBSCRIBED:-10000}
scale_concurrency=${BENCH_SCALE_CONCURRENCY:-32}
localstripe_version=${BENCH_LOCALSTRIPE_VERSION:-1.15.10}
venv=${BENCH_VENV:-$root/.bench/venv}
out=${BENCH_OUT:-$root/test-output/bench}
if [ -z "$report" ]; then
  if [ -n "$quick" ]; then report=$out/benchmarks.md; else report=$root/docs/benchmarks.md; fi
fi

# Portico's operations, in this order: the ones that only read, add sessions or change a field
# first (measured twice at the top concurrency), then the ones that add customers and
# subscriptions (a customer with hundreds more subscriptions would weigh on the others' second run).
portico_ops=(
  customer.retrieve customer.update subscription.retrieve
  session.create session.create.payment_method_update session.create.subscription_cancel
  session.create.subscription_update session.create.subscription_update_confirm
  invoice.preview portal.home portal.update_confirm
)
portico_growing_ops=(customer.create subscription.create)
localstripe_ops=(
  localstripe.customer.create localstripe.customer.retrieve localstripe.customer.update
  localstripe.subscription.create localstripe.subscription.retrieve
)
scale_ops=(session.create session.create.subscription_cancel)
# On PostgreSQL, at the top concurrency: reads, durable writes, and the portal's homepage.
postgres_ops=(
  customer.retrieve customer.update session.create session.create.subscription_update_confirm
  portal.home
)

log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }

# --- processes: only those started here are ever stopped ------------------------------------
started=()
work=
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do wait "$pid" 2>/dev/null || true; done
  if declare -F pg_throwaway_stop >/dev/null; then pg_throwaway_stop; fi
  if [ -n "$work" ]; then
    if [ -n "${KEEP_LOGS:-}" ]; then log "kept $work (server logs: $work/portico-*.log)"; else rm -rf "$work"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop() { # pid: stops one process started here
  local pid=$1 kept=() p
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${started[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  started=("${kept[@]}")
}

ms_now() { date +%s%3N; }

# --- binaries, localstripe -------------------------------------------------------------------
if [ -z "${PORTICO_RELEASE_BIN:-}" ] || [ -z "${PORTICO_BENCH_BIN:-}" ]; then
  log "building release binaries"
  build_release
fi
for b in "$PORTICO_RELEASE_BIN" "$PORTICO_BENCH_BIN"; do
  [ -x "$b" ] || { echo "not an executable: $b" >&2; exit 2; }
done

install_localstripe() {
  if [ -x "$venv/bin/python" ] &&
    "$venv/bin/python" -c 'import localstripe.server, aiohttp' 2>/dev/null; then
    return 0
  fi
  log "installing localstripe $localstripe_version into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's Python keeps the venv module's pip in a package of its own.
    rm -rf "$venv"
    log "python3 -m venv failed: installing Debian's python3-venv"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq python3-venv >&2
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "localstripe==$localstripe_version" >&2
}
install_localstripe

work=$(mktemp -d /tmp/portico-bench.XXXXXX)
rm -rf "$out"
mkdir -p "$out/parts" "$(dirname "$report")"
results=$out/results.jsonl
: >"$results"
bench_started=$(ms_now)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# localstripe as its own server does it (server.py's start()), but bound to 127.0.0.1 only, with
# no access log, starting empty, and keeping its store in this run's directory instead of the
# shared /tmp/localstripe.pickle (it still rewrites the whole store there after every write).
cat >"$work/localstripe-run.py" <<'EOF'
import pickle, sys
from aiohttp import web
import localstripe.resources as resources

port, path = int(sys.argv[1]), sys.argv[2]

def dump_to_disk(self):
    with open(path, 'wb') as f:
        pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)

resources.Store.dump_to_disk = dump_to_disk
from localstripe.server import app  # noqa: E402
web.run_app(app, host='127.0.0.1', port=port, access_log=None, print=None)
EOF

# Small helpers: a measurement's line for the log, a failed measurement's line, the seeding
# summary, the number of measurements with errors.
cat >"$work/util.py" <<'EOF'
import json, os, sys

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == 'show':
    r = json.loads(args[0])
    head = '  %-44s c=%-3s' % (r['op'], r['concurrency'])
    if 'failed' in r:
        print(head, 'FAILED:', r['failed'])
    else:
        errors = ' ERRORS %d: %s' % (r['errors'], r['error_sample']) if r['errors'] else ''
        print(head, '%8.0f/s  p50 %.2f ms  p99 %.2f ms%s'
              % (r['per_second'], r['p50_ms'], r['p99_ms'], errors))
elif cmd == 'failed':
    dataset, op, c, err = args
    text = open(err).read().strip()[-500:] or 'no output'
    print(json.dumps({'dataset': dataset, 'op': op, 'concurrency': int(c), 'failed': text}))
elif cmd == 'seeded':
    summary, wall_ms, db, n, subscribed, path = args
    summary = json.loads(summary)
    size = lambda p: os.path.getsize(p) if os.path.exists(p) else 0
    summary.update(requested_customers=int(n), requested_subscribed=int(subscribed),
                   wall_seconds=round(int(wall_ms) / 1000, 1), db_bytes=size(db),
                   db_files_bytes=sum(size(db + s) for s in ('', '-wal', '-shm')))
    json.dump(summary, open(path, 'w'))
    on_disk = '; database %.1f MiB' % (summary['db_bytes'] / 2**20) if summary['db_bytes'] else ''
    print('  seeded in %.1f s%s' % (summary['wall_seconds'], on_disk), file=sys.stderr)
elif cmd == 'errors':
    rows = [json.loads(line) for line in open(args[0]) if line.strip()]
    print(sum(1 for r in rows if 'failed' in r or r.get('errors')))
EOF

# Start-up time: from launching `portico serve` on an existing database to its first answer to
# an API call (GET /v1/customers?limit=1), polled as fast as a connection can be tried.
cat >"$work/startup.py" <<'EOF'
import http.client, json, os, signal, socket, subprocess, sys, time

runs, binary, db, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
key = os.environ['PORTICO_API_KEYS']
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port

times = []
with open(log, 'ab') as lf:
    for _ in range(runs):
        port = free_port()
        cmd = [binary, 'serve', '--listen', f'127.0.0.1:{port}',
               '--public-url', f'http://127.0.0.1:{port}', '--database-url', db,
               '--rate-limit-per-key', '0', '--rate-limit-per-client', '0']
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=lf, stderr=lf, stdin=subprocess.DEVNULL)
        try:
            while True:
                if p.poll() is not None:
                    sys.exit(f'portico exited ({p.returncode}) before answering; see {log}')
                if time.perf_counter() - t0 > 30:
                    sys.exit('portico did not answer within 30 s')
                c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
                try:
                    c.request('GET', '/v1/customers?limit=1',
                              headers={'Authorization': 'Bearer ' + key})
                    r = c.getresponse()
                    r.read()
                except (ConnectionRefusedError, ConnectionResetError):
                    time.sleep(0.0005)
                    continue
                finally:
                    c.close()
                if r.status != 200:
                    sys.exit(f'first answer: HTTP {r.status}')
                break
            times.append(round((time.perf_counter() - t0) * 1000, 1))
        finally:
            p.terminate()
            p.wait()
print(json.dumps({'runs_ms': times}))
EOF

proc_kb() { # pid field → kB from /proc/PID/status
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# measure DATASET BASE PID OP CONCURRENCY [FIXTURE]: one line into results.jsonl (PID: the
# server's process, whose CPU time per operation is counted beside the load generator's)
measure() {
  local dataset=$1 base=$2 pid=$3 op=$4 c=$5 fixture=${6:-} line
  local args=(measure --base "$base" --server-pid "$pid" --op "$op" --concurrency "$c"
    --duration "$duration" --warmup "$warmup")
  [ -z "$fixture" ] || args+=(--fixture "$fixture")
  if line=$("$PORTICO_BENCH_BIN" "${args[@]}" 2>"$work/measure.err"); then
    line="{\"dataset\":\"$dataset\",${line#\{}"
  else
    line=$(python3 "$work/util.py" failed "$dataset" "$op" "$c" "$work/measure.err")
  fi
  echo "$line" >>"$results"
  python3 "$work/util.py" show "$line" >&2
}

# start_portico DB_URL LOG → portico_pid, portico_url (waits for an answered API call)
start_portico() {
  local port
  port=$(free_port)
  PORTICO_LOG=${PORTICO_LOG:-info,portico_store=debug} PORTICO_API_KEYS=$key PORTICO_DATA_KEYS=$data_key \
    "$PORTICO_RELEASE_BIN" serve --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" \
    --database-url "$1" --rate-limit-per-key 0 --rate-limit-per-client 0 >"$2" 2>&1 &
  portico_pid=$!
  started+=("$portico_pid")
  portico_url=http://127.0.0.1:$port
  wait_for_port "$port" "$portico_pid" "$2"
  curl -fsS -o /dev/null -H "Authorization: Bearer $key" "$portico_url/v1/customers?limit=1"
}

# seed NAME CUSTOMERS SUBSCRIBED [DB_URL] → $work/NAME.db (or DB_URL), $work/NAME.fixture.json,
# parts/seed-NAME.json
seed() {
  local name=$1 n=$2 subscribed=$3 url=${4:-sqlite://$work/$1.db} t0 t1 summary
  log "seeding $name: $n customers, $subscribed subscribed"
  t0=$(ms_now)
  summary=$("$PORTICO_BENCH_BIN" seed --database-url "$url" --key "$key" \
    --customers "$n" --subscribed "$subscribed" --out "$work/$name.fixture.json")
  t1=$(ms_now)
  python3 "$work/util.py" seeded "$summary" "$((t1 - t0))" "$work/$name.db" "$n" "$subscribed" \
    "$out/parts/seed-$name.json"
}

# startup NAME: start-up runs on $work/NAME.db → parts/startup-NAME.json
startup() {
  log "start-up time on the $1 database ($startup_runs runs)"
  PORTICO_LOG=${PORTICO_LOG:-info} PORTICO_API_KEYS=$key PORTICO_DATA_KEYS=$data_key \
    python3 "$work/startup.py" "$startup_runs" "$PORTICO_RELEASE_BIN" "sqlite://$work/$1.db" \
    "$work/startup-$1.log" >"$out/parts/startup-$1.json" &
  started+=("$!")
  local pid=$!
  wait "$pid"
  stop "$pid"
  echo "  $(cat "$out/parts/startup-$1.json")" >&2
}

key="sk_test_bench_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
data_key=$(head -c 32 /dev/urandom | base64)

# --- floors ----------------------------------------------------------------------------------
log "starting the floors"
p=$(free_port)
"$PORTICO_BENCH_BIN" floor http --listen "127.0.0.1:$p" >"$work/floor-http.log" 2>&1 &
started+=("$!")
floor_http_pid=$!
wait_for_port "$p" "$floor_http_pid" "$work/floor-http.log"
floor_http=http://127.0.0.1:$p
p=$(free_port)
"$PORTICO_BENCH_BIN" floor insert --listen "127.0.0.1:$p" --db "$work/floor.db" \
  >"$work/floor-insert.log" 2>&1 &
started+=("$!")
floor_insert_pid=$!
wait_for_port "$p" "$floor_insert_pid" "$work/floor-insert.log"
floor_insert=http://127.0.0.1:$p

# --- 10k dataset -----------------------------------------------------------------------------
seed base "$customers" "$customers"
startup base

log "Portico on the $customers-customer database"
start_portico "sqlite://$work/base.db" "$work/portico-base.log"
sleep "$idle_wait"
echo "{\"idle_rss_kb\": $(proc_kb "$portico_pid" VmRSS), \"idle_hwm_kb\": $(proc_kb "$portico_pid" VmHWM)}" \
  >"$out/parts/rss-idle.json"
echo "  idle: $(cat "$out/parts/rss-idle.json")" >&2

log "measuring the floors"
for c in "${concurrencies[@]}"; do
  measure floor "$floor_http" "$floor_http_pid" floor.http "$c"
  measure floor "$floor_insert" "$floor_insert_pid" floor.insert "$c"
done

log "measuring Portico ($duration each, after ${warmup} warm-up)"
for op in "${portico_ops[@]}"; do
  for c in "${concurrencies[@]}"; do
    measure base "$portico_url" "$portico_pid" "$op" "$c" "$work/base.fixture.json"
  done
done
# The machine's speed drifts by a third over minutes (other work, the host's clock): a floor
# measured in a fast minute and Portico in a slow one, or the other way round, skews the share.
# Here each floor and the operation read against it run back to back, round after round; the
# report reads each round's share, and the median of the rounds.
log "measuring each floor and its operation back to back ($paired_rounds rounds of $paired_duration)"
saved_duration=$duration saved_warmup=$warmup
duration=$paired_duration warmup=1s
for _ in $(seq "$paired_rounds"); do
  measure paired "$floor_http" "$floor_http_pid" floor.http "$top_c"
  measure paired "$portico_url" "$portico_pid" portal.home "$top_c" "$work/base.fixture.json"
  measure paired "$floor_insert" "$floor_insert_pid" floor.insert "$top_c"
  measure paired "$portico_url" "$portico_pid" session.create "$top_c" "$work/base.fixture.json"
done
duration=$saved_duration warmup=$saved_warmup
log "measuring the floors again (the disk and the neighbours vary; the faster run counts)"
for c in "${concurrencies[@]}"; do
  measure floor "$floor_http" "$floor_http_pid" floor.http "$c"
  measure floor "$floor_insert" "$floor_insert_pid" floor.insert "$c"
done
if [ -z "$quick" ]; then
  log "measuring Portico again at c=$top_c (the machine's speed drifts over minutes; as for the floors, the faster run counts)"
  for op in "${portico_ops[@]}"; do
    measure base "$portico_url" "$portico_pid" "$op" "$top_c" "$work/base.fixture.json"
  done
fi
log "measuring the operations that add customers and subscriptions"
for op in "${portico_growing_ops[@]}"; do
  for c in "${concurrencies[@]}"; do
    measure base "$portico_url" "$portico_pid" "$op" "$c" "$work/base.fixture.json"
  done
  [ -n "$quick" ] || measure base "$portico_url" "$portico_pid" "$op" "$top_c" "$work/base.fixture.json"
done
echo "{\"peak_rss_kb\": $(proc_kb "$portico_pid" VmHWM), \"end_rss_kb\": $(proc_kb "$portico_pid" VmRSS), \"end_anon_kb\": $(proc_kb "$portico_pid" RssAnon), \"end_file_kb\": $(proc_kb "$portico_pid" RssFile)}" \
  >"$out/parts/rss-peak.json"
echo "  after the measurements: $(cat "$out/parts/rss-peak.json")" >&2
stop "$portico_pid"

# measure_localstripe OP CONCURRENCY: on a fresh, empty instance
measure_localstripe() {
  local p ls_pid
  p=$(free_port)
  rm -f "$work/localstripe.pickle"
  "$venv/bin/python" "$work/localstripe-run.py" "$p" "$work/localstripe.pickle" \
    >"$work/localstripe.log" 2>&1 &
  ls_pid=$!
  started+=("$ls_pid")
  wait_for_port "$p" "$ls_pid" "$work/localstripe.log"
  measure localstripe "http://127.0.0.1:$p" "$ls_pid" "$1" "$2"
  stop "$ls_pid"
}

log "measuring localstripe (a fresh, empty instance for each measurement)"
for op in "${localstripe_ops[@]}"; do
  for c in "${concurrencies[@]}"; do
    measure_localstripe "$op" "$c"
  done
done
if [ -z "$quick" ]; then
  log "measuring localstripe again at c=$top_c (the faster run counts, as for Portico)"
  for op in "${localstripe_ops[@]}"; do
    measure_localstripe "$op" "$top_c"
  done
fi

# --- PostgreSQL ------------------------------------------------------------------------------
if [ -n "$postgres" ]; then
  # shellcheck source=scripts/pg-throwaway.sh
  source "$root/scripts/pg-throwaway.sh"
  log "starting a throwaway PostgreSQL (syncing to disk, as a production server does)"
  PG_THROWAWAY_FSYNC=on pg_throwaway_start
  seed postgres "$customers" "$customers" "$PG_THROWAWAY_URL"
  log "Portico on PostgreSQL ($customers customers)"
  start_portico "$PG_THROWAWAY_URL" "$work/portico-postgres.log"
  for op in "${postgres_ops[@]}"; do
    measure postgres "$portico_url" "$portico_pid" "$op" "$top_c" "$work/postgres.fixture.json"
  done
  stop "$portico_pid"
  pg_throwaway_stop
fi

# --- 1M dataset ------------------------------------------------------------------------------
if [ -n "$scale" ]; then
  seed scale "$scale_customers" "$scale_subscribed"
  startup scale
  log "Portico on the $scale_customers-customer database"
  start_portico "sqlite://$work/scale.db" "$work/portico-scale.log"
  sleep "$idle_wait"
  echo "{\"idle_rss_kb\": $(proc_kb "$portico_pid" VmRSS)}" >"$out/parts/rss-scale-idle.json"
  for op in "${scale_ops[@]}"; do
    measure scale "$portico_url" "$portico_pid" "$op" "$scale_concurrency" "$work/scale.fixture.json"
  done
  echo "{\"peak_rss_kb\": $(proc_kb "$portico_pid" VmHWM)}" >"$out/parts/rss-scale-peak.json"
  stop "$portico_pid"
fi

# --- metadata, report ------------------------------------------------------------------------
bench_ended=$(ms_now)
echo "{\"start\": \"$load_start\", \"end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" \
  >"$out/parts/loadavg.json"
log "writing $out/meta.json"
BENCH_PAIRED_ROUNDS_USED=$paired_rounds BENCH_PAIRED_DURATION_USED=$paired_duration \
  BENCH_QUICK=$quick BENCH_SCALE=$scale BENCH_POSTGRES=$postgres BENCH_DURATION_USED=$duration BENCH_WARMUP_USED=$warmup \
  BENCH_CONCURRENCY_USED="${concurrencies[*]}" BENCH_SCALE_CONCURRENCY_USED=$scale_concurrency \
  BENCH_SECONDS=$(((bench_ended - bench_started) / 1000)) BENCH_ROOT=$root \
  python3 - "$out" "$PORTICO_RELEASE_BIN" "$venv/bin/python" <<'EOF'
import glob, json, os, platform, subprocess, sys, time

out, binary, ls_python = sys.argv[1:4]
env = os.environ

def run(*cmd, cwd=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None

def cpu_model():
    for line in open('/proc/cpuinfo'):
        if line.startswith('model name'):
            return line.split(':', 1)[1].strip()
    return platform.processor() or None

def mem_total_kb():
    for line in open('/proc/meminfo'):
        if line.startswith('MemTotal:'):
            return int(line.split()[1])

def locked(name):
    try:
        text = open(os.path.join(env['BENCH_ROOT'], 'Cargo.lock')).read()
    except OSError:
        return None
    for block in text.split('[[package]]'):
        if f'name = "{name}"\n' in block:
            for line in block.splitlines():
                if line.startswith('version = '):
                    return line.split('"')[1]

def sqlite_version():
    # Portico and the insert floor link SQLite from libsqlite3-sys's bundled sources.
    crate = locked('libsqlite3-sys')
    if not crate:
        return None
    home = env.get('CARGO_HOME') or os.path.expanduser('~/.cargo')
    for header in glob.glob(f'{home}/registry/src/*/libsqlite3-sys-{crate}/sqlite3/sqlite3.h'):
        for line in open(header):
            if line.startswith('#define SQLITE_VERSION '):
                version = line.split('"')[1]
                return f'{version} (bundled by libsqlite3-sys {crate})'
    return f'bundled by libsqlite3-sys {crate}'

def postgres_version():
    # The server pg-throwaway.sh starts: the first Debian installation it finds.
    servers = sorted(glob.glob('/usr/lib/postgresql/*/bin/postgres'))
    return run(servers[0], '--version') if servers else None

root = env['BENCH_ROOT']
meta = {
    'date': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
    'command': 'scripts/bench.sh' + (' --quick' if env.get('BENCH_QUICK') else
                                      ('' if env.get('BENCH_SCALE') else ' --no-scale') +
                                      ('' if env.get('BENCH_POSTGRES') else ' --no-postgres')),
    'quick': bool(env.get('BENCH_QUICK')),
    'scale': bool(env.get('BENCH_SCALE')),
    'postgres': bool(env.get('BENCH_POSTGRES')),
    'postgres_version': postgres_version() if env.get('BENCH_POSTGRES') else None,
    'duration': env['BENCH_DURATION_USED'],
    'warmup': env['BENCH_WARMUP_USED'],
    'concurrency': [int(c) for c in env['BENCH_CONCURRENCY_USED'].split()],
    'scale_concurrency': int(env['BENCH_SCALE_CONCURRENCY_USED']),
    'paired_rounds': int(env['BENCH_PAIRED_ROUNDS_USED']),
    'paired_duration': env['BENCH_PAIRED_DURATION_USED'],
    'run_seconds': int(env['BENCH_SECONDS']),
    'git_commit': run('git', 'rev-parse', 'HEAD', cwd=root),
    'git_dirty': bool(run('git', 'status', '--porcelain', '--untracked-files=no', cwd=root)),
    'cpu': cpu_model(),
    'nproc': os.cpu_count(),
    'mem_total_kb': mem_total_kb(),
    'kernel': platform.release(),
    'rustc': run('rustc', '--version'),
    'sqlite': sqlite_version(),
    'localstripe': run(ls_python, '-c', 'import importlib.metadata as m; print(m.version("localstripe"))'),
    'aiohttp': run(ls_python, '-c', 'import importlib.metadata as m; print(m.version("aiohttp"))'),
    'python': run(ls_python, '-c', 'import platform; print(platform.python_version())'),
    'binary': {'path': os.path.relpath(binary, root) if binary.startswith(root) else binary,
               'bytes': os.path.getsize(binary),
               'file': run('file', '-b', binary)},
}
for part in sorted(glob.glob(os.path.join(out, 'parts', '*.json'))):
    meta[os.path.basename(part)[:-5]] = json.load(open(part))
json.dump(meta, open(os.path.join(out, 'meta.json'), 'w'), indent=2)
EOF

log "writing $report"
python3 "$root/scripts/bench-report.py" --results "$out" --out "$report"
python3 "$root/scripts/bench-report.py" --results "$out" --targets >&2

errors=$(python3 "$work/util.py" errors "$results")
log "done in $(((bench_ended - bench_started) / 1000)) s"
if [ "$errors" != 0 ]; then
  log "$errors measurement(s) saw errors or failed: see $report and $results"
  KEEP_LOGS=1
  exit 1
fi
