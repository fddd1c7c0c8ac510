#!/usr/bin/env python3
"""Prints a `portico-bench load` report (JSON, the file named or stdin) as a few lines."""
import json, sys
r = json.load(open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin)
a = r["all"]
print(f"{r['operations']} operations in {r['seconds']} s ({a['per_second']}/s), errors: {r['errors']}")
print(f"latency ms: p50 {a['p50_ms']}  p90 {a['p90_ms']}  p99 {a['p99_ms']}  max {a['max_ms']}")
print("per operation:")
for op, s in r["per_operation"].items():
    print(f"  {op:<22} {s['operations']:>7}  p50 {s['p50_ms']:>7}  p99 {s['p99_ms']:>8}  errors {s['errors']}")
print("p99 ms per 10 s window:", " ".join(str(w["p99_ms"]) for w in r["windows"]))
for m in r["server_rss_mib"]:
    print(f"server {m['pid']} RSS MiB: first {m['first']}, each minute {m['each_minute']}, last {m['last']}, peak {m['peak']}")
for e in r["error_samples"]:
    print("error:", e)
