"""Validate Portico's JSON output against Stripe's published OpenAPI schemas.

The shared folder holds two subsets of Stripe's OpenAPI 3.0 document
(`billing-subset.json` and `portal-subset.json`); their `components.schemas`
are merged here and translated into a JSON Schema (draft 2020-12) document:

* `nullable: true`            -> the value may also be `null`
* `$ref: #/components/...`    -> `$ref: #/$defs/...`; a reference to a schema
                                 that was cut from the subsets matches anything
* `x-*` vendor keys, `description`, `title`, `format` -> dropped
* `maxLength: 5000` -> dropped (the spec's placeholder for an ordinary string;
                       other limits such as 2048 or 22 are kept)
* object schemas that list `properties` and say nothing about
  `additionalProperties` are closed (`additionalProperties: false`), so a
  field Stripe does not document is reported.  Set the environment variable
  `PORTICO_SCHEMA_ALLOW_EXTRA=1` to turn that off.
* the few fields Stripe's answers carry and only its SDK spec lists
  (`SDK_SPEC_FIELDS`: a product's `type`, the `plan` of a subscription item
  and of a schedule phase's item) are added to their schemas, as required.

`validate(obj)` picks the schema from `obj["object"]`:
`list` envelopes use the list schema of the endpoint named by `url` (and so
validate every item), `{"deleted": true}` stubs use `deleted_<object>`, and an
error body (`{"error": {...}}`) uses `error`.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import pathlib
from typing import Any, Dict, Optional

import jsonschema

_REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED_DIR = pathlib.Path(os.environ.get("PORTICO_SHARED_DIR", str(_REPO.parent / "shared")))
OPENAPI_DIR = SHARED_DIR / "stripe-openapi"
SUBSET_FILES = ("portal-subset.json", "billing-subset.json")

ALLOW_EXTRA = os.environ.get("PORTICO_SCHEMA_ALLOW_EXTRA", "") not in ("", "0", "false")

_DROP_KEYS = {"description", "title", "format", "nullable"}


class SchemaError(AssertionError):
    """Raised when an object does not match its Stripe schema."""


@functools.lru_cache(maxsize=1)
def _openapi() -> Dict[str, Any]:
    schemas: Dict[str, Any] = {}
    paths: Dict[str, Any] = {}
    for name in SUBSET_FILES:
        with open(OPENAPI_DIR / name, encoding="utf-8") as f:
            doc = json.load(f)
        for key, value in doc["components"]["schemas"].items():
            schemas.setdefault(key, value)
        for key, value in doc.get("paths", {}).items():
            paths.setdefault(key, value)
    return {"schemas": schemas, "paths": paths}


def _convert(node: Any, known: set, closed: bool) -> Any:
    """Translate one OpenAPI 3.0 schema node into JSON Schema."""
    if isinstance(node, list):
        return [_convert(n, known, closed) for n in node]
    if not isinstance(node, dict):
        return node

    if "$ref" in node:
        target = node["$ref"].rsplit("/", 1)[-1]
        out: Dict[str, Any] = {"$ref": f"#/$defs/{target}"} if target in known else {}
    else:
        out = {}
        for key, value in node.items():
            if key.startswith("x-") or key in _DROP_KEYS:
                continue
            if key == "properties":
                out[key] = {k: _convert(v, known, closed) for k, v in value.items()}
            elif key in ("items", "additionalProperties", "not"):
                out[key] = _convert(value, known, closed) if isinstance(value, dict) else value
            elif key == "maxLength" and value == 5000:
                # 5000 is the spec generator's placeholder for "a string"; the request side
                # allows longer values for some of these fields (product description: 40000).
                continue
            elif key in ("anyOf", "oneOf", "allOf"):
                out[key] = [_convert(v, known, closed) for v in value]
            else:
                out[key] = copy.deepcopy(value)
        if closed and "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False

    if node.get("nullable") is True:
        return {"anyOf": [out, {"type": "null"}]} if out else out
    return out


# Fields Stripe's answers carry that its public OpenAPI spec leaves out, while its SDK spec (the
# one SDKs are generated from) keeps them, as required: async-stripe cannot decode the object
# without them. Each is added to the closed schema here, with its own shape.
_PLAN = {
    "type": "object",
    "required": [
        "id", "object", "active", "amount", "amount_decimal", "billing_scheme", "created",
        "currency", "interval", "interval_count", "livemode", "metadata", "meter", "nickname",
        "product", "tiers_mode", "transform_usage", "trial_period_days", "usage_type",
    ],
    "properties": {
        "id": {"type": "string"},
        "object": {"enum": ["plan"]},
        "active": {"type": "boolean"},
        "amount": {"type": ["integer", "null"]},
        "amount_decimal": {"type": ["string", "null"]},
        "billing_scheme": {"enum": ["per_unit", "tiered"]},
        "created": {"type": "integer"},
        "currency": {"type": "string"},
        "interval": {"enum": ["day", "month", "week", "year"]},
        "interval_count": {"type": "integer"},
        "livemode": {"type": "boolean"},
        "metadata": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
        "meter": {"type": ["string", "null"]},
        "nickname": {"type": ["string", "null"]},
        "product": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/product"}, {"type": "null"}]},
        "tiers": {"type": "array", "items": {"$ref": "#/$defs/price_tier"}},
        "tiers_mode": {"enum": ["graduated", "volume", None]},
        "transform_usage": {"type": ["object", "null"]},
        "trial_period_days": {"type": ["integer", "null"]},
        "usage_type": {"enum": ["licensed", "metered"]},
    },
    "additionalProperties": False,
}
SDK_SPEC_FIELDS = {
    "product": {"type": {"enum": ["good", "service"]}},
    "subscription_item": {"plan": _PLAN},
    "subscription_schedule_configuration_item": {
        "plan": {"anyOf": [{"type": "string"}, _PLAN]},
    },
}


@functools.lru_cache(maxsize=1)
def _defs() -> Dict[str, Any]:
    spec = _openapi()
    known = set(spec["schemas"])
    closed = not ALLOW_EXTRA
    defs = {name: _convert(s, known, closed) for name, s in spec["schemas"].items()}
    for name, fields in SDK_SPEC_FIELDS.items():
        schema = defs[name]
        schema["properties"].update(copy.deepcopy(fields))
        schema["required"] = sorted(set(schema.get("required", [])) | set(fields))
    return defs


def json_schema_for(name: str) -> Dict[str, Any]:
    """A self-contained JSON Schema for the named component schema."""
    defs = _defs()
    if name not in defs:
        raise KeyError(f"no schema named {name!r} in the OpenAPI subsets")
    return {"$ref": f"#/$defs/{name}", "$defs": defs}


def _list_schema_for(url: str) -> Optional[Dict[str, Any]]:
    spec = _openapi()
    path = url.split("?", 1)[0]
    op = spec["paths"].get(path, {}).get("get")
    if not op:
        return None
    try:
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    except KeyError:
        return None
    known = set(spec["schemas"])
    converted = _convert(schema, known, not ALLOW_EXTRA)
    return {**converted, "$defs": _defs()}


_GENERIC_LIST = {
    "type": "object",
    "required": ["object", "data", "has_more", "url"],
    "properties": {
        "object": {"enum": ["list"]},
        "data": {"type": "array"},
        "has_more": {"type": "boolean"},
        "url": {"type": "string", "pattern": "^/v1/"},
    },
    "additionalProperties": False,
}


def _check(instance: Any, schema: Dict[str, Any], what: str) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for err in errors[:20]:
            where = "/".join(str(p) for p in err.absolute_path) or "<root>"
            detail = err.message
            if err.context:
                # anyOf failure: show the most specific sub-errors too
                subs = sorted(err.context, key=lambda e: -len(list(e.absolute_path)))[:3]
                detail += " | " + "; ".join(
                    f"{'/'.join(str(p) for p in s.absolute_path)}: {s.message}" for s in subs
                )
            lines.append(f"  at {where}: {detail[:500]}")
        raise SchemaError(f"{what} does not match Stripe's schema:\n" + "\n".join(lines))


def schema_name_for(obj: Dict[str, Any]) -> str:
    if "error" in obj and "object" not in obj:
        return "error"
    kind = obj.get("object")
    if not isinstance(kind, str):
        raise SchemaError(f"object has no string `object` field: {obj!r:.300}")
    if obj.get("deleted") is True:
        return f"deleted_{kind}"
    return kind


def validate(obj: Any) -> None:
    """Validate a Stripe JSON object (a dict, as sent on the wire).

    Raises SchemaError (an AssertionError) describing every mismatch.
    """
    if not isinstance(obj, dict):
        raise SchemaError(f"expected a JSON object, got {type(obj).__name__}")
    name = schema_name_for(obj)
    if name == "list":
        url = obj.get("url")
        schema = _list_schema_for(url) if isinstance(url, str) else None
        if schema is None:
            _check(obj, _GENERIC_LIST, "list envelope")
            for i, item in enumerate(obj.get("data") or []):
                try:
                    validate(item)
                except SchemaError as e:
                    raise SchemaError(f"list item {i}: {e}") from None
        else:
            _check(obj, schema, f"list at {url}")
        return
    _check(obj, json_schema_for(name), name)
