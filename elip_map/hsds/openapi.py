"""The OpenAPI 3.1 document of our HSDS API (served at ``/hsds/openapi.json``).

Response schemas are the shipped HSDS 3.0 schema (``schema/hsds-3.0.json``), so a client (and
schemathesis in our tests) checks every answer against the same rules as our exports.
"""

from __future__ import annotations

import copy
import json

from .catalogue import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE
from .export import HSDS_VERSION
from .validate import schema


def _components() -> dict:
    text = json.dumps(schema()["$defs"]).replace('"#/$defs/', '"#/components/schemas/')
    schemas = json.loads(text)
    schemas["Error"] = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
    return schemas


_PARAMS = {
    "search": {"type": "string"}, "taxonomy_term_id": {"type": "string"}, "taxonomy_id": {"type": "string"},
    "organization_id": {"type": "string"}, "modified_after": {"type": "string", "format": "date-time"},
    "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    "full": {"type": "boolean"}, "full_service": {"type": "boolean"}, "parent_id": {"type": "string"},
    "top_only": {"type": "boolean"},
}
_DESCRIPTIONS = {
    "search": "Words to find in the name or description (case-insensitive).",
    "taxonomy_term_id": "Only records filed under this taxonomy term.",
    "taxonomy_id": "Only records filed under a term of this taxonomy.",
    "organization_id": "Only records of this organization.",
    "modified_after": "Only records changed at or after this date-time (ISO 8601).",
    "page": "Page number, from 1.", "per_page": f"Items per page (default {DEFAULT_PER_PAGE}, at most {MAX_PER_PAGE}).",
    "full": "true: fully nested items.", "full_service": "true: fully nested organizations.",
    "parent_id": "Only terms under this parent term.", "top_only": "true: only top-level terms.",
}
# Path, item schema, filters (besides page and per_page), by-id schema.
LISTS = (
    ("/organizations", "organization", ("search", "modified_after", "full_service"), "organization"),
    ("/services", "service", ("search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "full"),
     "service"),
    ("/service_at_locations", "service_at_location",
     ("search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "full"), "service_at_location"),
    ("/taxonomies", "taxonomy", ("search",), "taxonomy"),
    ("/taxonomy_terms", "taxonomy_term", ("search", "taxonomy_id", "parent_id", "top_only"), "taxonomy_term"),
)


def _json(ref: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _error(description: str) -> dict:
    return {"description": description, **_json("Error")}


def openapi_document() -> dict:
    paths: dict = {"/": {"get": {
        "operationId": "getAPIMetaInformation", "summary": "Information about this API and its relationship with HSDS.",
        "responses": {"200": {"description": "HSDS version and where this document lives.", **_json("api_details")}},
    }}}
    for path, item, filters, full in LISTS:
        params = [{"name": name, "in": "query", "required": False, "description": _DESCRIPTIONS[name],
                   "schema": copy.deepcopy(_PARAMS[name])} for name in (*filters, "page", "per_page")]
        page_schema = {"allOf": [{"$ref": "#/components/schemas/page"}],
                       "properties": {"contents": {"type": "array",
                                                   "items": {"$ref": f"#/components/schemas/{item}"}}},
                       "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page",
                                    "empty", "contents"]}
        paths[path] = {"get": {
            "operationId": f"list_{item}", "summary": f"Paginated list of {path.strip('/').replace('_', ' ')}.",
            "parameters": params,
            "responses": {"200": {"description": "One page of the list.",
                                  "content": {"application/json": {"schema": page_schema}}},
                          "400": _error("A query parameter could not be understood.")},
        }}
        paths[f"{path}/{{id}}"] = {"get": {
            "operationId": f"get_{item}", "summary": f"One {item.replace('_', ' ')}, fully nested.",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": f"The {item.replace('_', ' ')}.", **_json(full)},
                          "404": _error("No public record has this id.")},
        }}
    return {
        "openapi": "3.1.0",
        "info": {"title": "ELIP Service Map: HSDS API", "version": f"HSDS {HSDS_VERSION}",
                 "description": "Read-only Open Referral HSDS 3.0 API over the public listings of the ELIP Service "
                                "Map. Schemas derived from HSDS 3.0 (Open Referral, CC BY-SA 4.0)."},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": "/hsds"}],
        "paths": paths,
        "components": {"schemas": _components()},
    }
