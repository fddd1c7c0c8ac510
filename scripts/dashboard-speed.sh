#!/usr/bin/env bash
# How fast the operator dashboard's pages are with 10,000 customers in the account: seeds an
# account (`portico-bench seed`: customers with cards, subscriptions, paid invoices and their
# events), starts a release `portico serve`, signs in with the account's key, loads every page
# (lists, searches, detail pages, the builder, settings, events, webhooks, test clocks) 20 times
# each, and prints the server time each took (the pages' Server-Timing header) and the time the
# client saw. Exits non-zero when a page's median server time is 50 ms or more.
#
#   scripts/dashboard-speed.sh                 10,000 customers
#   DASH_CUSTOMERS=1000 scripts/dashboard-speed.sh
#
# Environment: PORTICO_RELEASE_BIN, PORTICO_BENCH_BIN (prebuilt binaries), DASH_ROUNDS=20.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/instances.sh
source "$root/scripts/instances.sh"

customers=${DASH_CUSTOMERS:-10000}
rounds=${DASH_ROUNDS:-20}
work=$(mktemp -d /tmp/portico-dashboard-speed.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${PORTICO_RELEASE_BIN:-}" ] || [ -z "${PORTICO_BENCH_BIN:-}" ]; then build_release; fi
key="sk_test_dash_$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
data_key=$(head -c 32 /dev/urandom | base64)

echo "== seeding $customers customers" >&2
PORTICO_DATA_KEYS=$data_key "$PORTICO_BENCH_BIN" seed --database-url "sqlite://$work/dash.db" --key "$key" \
  --customers "$customers" --subscribed "$customers" --out "$work/fixture.json" >/dev/null

port=$(free_port)
PORTICO_API_KEYS=$key PORTICO_DATA_KEYS=$data_key "$PORTICO_RELEASE_BIN" serve \
  --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" \
  --database-url "sqlite://$work/dash.db" >"$work/server.log" 2>&1 &
pid=$!
wait_for_port "$port" "$pid" "$work/server.log"

python3 - "http://127.0.0.1:$port" "$key" "$work/fixture.json" "$rounds" "$customers" <<'EOF'
import json, re, statistics, sys, time, urllib.parse, urllib.request

base, key, fixture, rounds, customers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
fx = json.load(open(fixture))
cookies = {}

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None

opener = urllib.request.build_opener(NoRedirect)

def request(path, data=None):
    req = urllib.request.Request(base + path, data=data)
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if data is not None:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    t0 = time.perf_counter()
    try:
        resp = opener.open(req)
    except urllib.error.HTTPError as e:
        resp = e
    body = resp.read().decode()
    client = (time.perf_counter() - t0) * 1000
    for h in resp.headers.get_all("Set-Cookie") or []:
        name, value = h.split(";")[0].split("=", 1)
        cookies[name] = value
    timing = resp.headers.get("Server-Timing") or ""
    m = re.search(r"dur=([\d.]+)", timing)
    return resp.status, body, float(m.group(1)) if m else None, client

status, page, _, _ = request("/dashboard/login")
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
status, _, _, _ = request("/dashboard/login", urllib.parse.urlencode({"csrf": csrf, "key": key}).encode())
assert status == 303, f"sign-in answered {status}"

sub = fx["subscribed"][0]
status, page, _, _ = request("/dashboard/events")
event = re.search(r'href="/dashboard/events/(evt_[A-Za-z0-9]+)"', page).group(1)
status, page, _, _ = request("/dashboard/objects/invoices")
invoice = re.search(r'href="/dashboard/objects/invoices/(in_[A-Za-z0-9]+)"', page).group(1)
api = urllib.request.Request(f"{base}/v1/customers/{sub['customer']}", headers={"Authorization": f"Bearer {key}"})
email = json.load(urllib.request.urlopen(api))["email"]

pages = [
    ("overview", "/dashboard/home"),
    ("portal settings", "/dashboard/settings"),
    ("a configuration", f"/dashboard/settings/{fx['config']}"),
    ("deep-link builder", f"/dashboard/links?customer={sub['customer']}"),
    ("customers", "/dashboard/objects/customers"),
    ("customers, by email", f"/dashboard/objects/customers?q={urllib.parse.quote(email)}"),
    ("a customer", f"/dashboard/objects/customers/{sub['customer']}"),
    ("subscriptions", "/dashboard/objects/subscriptions"),
    ("subscriptions, by email", f"/dashboard/objects/subscriptions?q={urllib.parse.quote(email)}"),
    ("a subscription", f"/dashboard/objects/subscriptions/{sub['subscription']}"),
    ("invoices", "/dashboard/objects/invoices"),
    ("an invoice", f"/dashboard/objects/invoices/{invoice}"),
    ("payment methods", "/dashboard/objects/payment_methods"),
    ("coupons", "/dashboard/objects/coupons"),
    ("promotion codes", "/dashboard/objects/promotion_codes"),
    ("portal sessions", "/dashboard/objects/portal_sessions"),
    ("events", "/dashboard/events"),
    ("events, by type", "/dashboard/events?type=invoice.paid"),
    ("events, by type pattern", "/dashboard/events?type=customer.subscription.*"),
    ("events, undelivered", "/dashboard/events?webhooks=pending"),
    ("an event", f"/dashboard/events/{event}"),
    ("webhooks", "/dashboard/webhooks"),
    ("test clocks", "/dashboard/clocks"),
]
print(f"\nDashboard pages with {int(customers):,} customers in the account, {rounds} loads each (release build, SQLite):\n")
print(f"| Page | server p50 ms | server max ms | client p50 ms |")
print(f"| --- | ---: | ---: | ---: |")
slow = []
for name, path in pages:
    server, client = [], []
    for _ in range(rounds):
        status, _, s, c = request(path)
        assert status == 200, f"{path} answered {status}"
        server.append(s)
        client.append(c)
    p50 = statistics.median(server)
    print(f"| {name} | {p50:.2f} | {max(server):.2f} | {statistics.median(client):.2f} |")
    if p50 >= 50:
        slow.append(name)
if slow:
    print(f"\nslower than 50 ms (median): {', '.join(slow)}")
    sys.exit(1)
print("\nevery page's median server time is under 50 ms")
EOF
