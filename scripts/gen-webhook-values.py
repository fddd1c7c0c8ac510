#!/usr/bin/env python3
"""Regenerates crates/portico-domain/src/webhook_values.rs from Stripe's published OpenAPI spec:
the event types `enabled_events` accepts and the API versions `api_version` accepts.

Usage: scripts/gen-webhook-values.py [PATH-TO-billing-subset.json]
"""
import json
import pathlib
import sys

repo = pathlib.Path(__file__).resolve().parents[1]
spec_path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared" / "stripe-openapi" / "billing-subset.json"
spec = json.loads(spec_path.read_text())
props = spec["paths"]["/v1/webhook_endpoints"]["post"]["requestBody"]["content"][
    "application/x-www-form-urlencoded"]["schema"]["properties"]
events = props["enabled_events"]["items"]["enum"]
versions = props["api_version"]["enum"]


def const(name: str, doc: str, values: list[str]) -> str:
    body = "".join(f'    "{v}",\n' for v in values)
    return f"/// {doc}\npub const {name}: &[&str] = &[\n{body}];\n"


out = (
    "//! Values the webhook endpoint API accepts, generated from Stripe's OpenAPI spec by\n"
    "//! `scripts/gen-webhook-values.py`; do not edit by hand.\n\n"
    + const("EVENT_TYPES", "What `enabled_events[]` accepts (`*` is every event).", events)
    + "\n"
    + const("API_VERSIONS", "What `api_version` accepts.", versions)
)
target = repo / "crates" / "portico-domain" / "src" / "webhook_values.rs"
target.write_text(out)
print(f"wrote {target}: {len(events)} event types, {len(versions)} API versions")
