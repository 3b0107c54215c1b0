"""Checking HSDS objects against the HSDS 3.0 schema shipped in ``schema/`` (see its README)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "hsds-3.0.json"
OBJECTS = ("organization", "service", "location", "address", "phone", "contact", "schedule", "language",
           "service_at_location", "attribute", "taxonomy_term", "taxonomy", "accessibility", "page", "api_details")

_formats = FormatChecker()


@_formats.checks("uri")
def _is_uri(value) -> bool:
    """jsonschema checks 'uri' only with an extra package; an absolute URI needs a scheme and a place."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


@functools.cache
def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@functools.cache
def validator(name: str) -> Draft202012Validator:
    if name not in OBJECTS:
        raise ValueError(f"no HSDS schema for '{name}'")
    root = schema()
    return Draft202012Validator({**root, "$ref": f"#/$defs/{name}"}, format_checker=_formats)


def problems(obj, name: str, limit: int = 20) -> list[str]:
    """Plain-words list of what makes ``obj`` invalid as an HSDS ``name`` (empty when valid)."""
    out = []
    for error in validator(name).iter_errors(obj):
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        out.append(f"{where}: {error.message}")
        if len(out) >= limit:
            break
    return out
