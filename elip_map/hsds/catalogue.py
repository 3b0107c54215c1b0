"""What the HSDS API publishes, built once per directory state: public listings only, indexed by id.

Pure functions over the objects of ``export.build_directory(public=True)``; the Flask routes in
``api`` only parse the request, call ``page_of`` or look an id up, and send the bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from ..rules.text import fold
from .export import HSDS_VERSION, build_directory, taxonomy, taxonomy_terms

MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000
DEFAULT_PER_PAGE = 50


def flat(obj: dict) -> dict:
    """The one-to-one fields of an object: what HSDS list endpoints carry for each item."""
    return {k: v for k, v in obj.items() if not isinstance(v, (list, dict))}


@dataclass
class Entry:
    flat: dict
    full: dict
    text: str  # folded name and description, for ``search``
    modified: dt.datetime | None = None
    organization_id: str | None = None
    term_ids: frozenset[str] = frozenset()
    parent_id: str | None = None
    taxonomy_id: str | None = None


@dataclass
class Catalogue:
    organizations: list[Entry] = field(default_factory=list)
    services: list[Entry] = field(default_factory=list)
    service_at_locations: list[Entry] = field(default_factory=list)
    taxonomies: list[Entry] = field(default_factory=list)
    taxonomy_terms: list[Entry] = field(default_factory=list)

    index: dict[tuple[str, str], dict] = field(default_factory=dict)  # (kind, id) -> full object

    def by_id(self, kind: str, object_id: str) -> dict | None:
        return self.index.get((kind, object_id))


def _fold(*parts) -> str:
    """Search text: case and accents folded as everywhere in the product ('acces' finds 'Accès')."""
    return " ".join(fold(p) for p in parts if isinstance(p, str))


def build_catalogue(session) -> Catalogue:
    directory = build_directory(session, public=True)
    cat = Catalogue()
    for org in directory.organizations:
        org_flat = flat(org)
        cat.organizations.append(Entry(flat=org_flat, full=org, text=_fold(org.get("name"), org.get("alternate_name"),
                                                                          org.get("description")),
                                       modified=directory.modified.get(org["id"]), organization_id=org["id"]))
        locations = {loc["id"]: loc for loc in org.get("locations", [])}
        for svc in org.get("services", []):
            terms = frozenset(a["taxonomy_term_id"] for a in svc.get("attributes", []) if a.get("taxonomy_term_id"))
            links = [{**link, "location": locations[link["location_id"]]} for link in svc.get("service_at_locations", [])]
            full = {**svc, "organization": org_flat, "service_at_locations": links}
            text = _fold(svc.get("name"), svc.get("description"), org.get("name"))
            modified = directory.modified.get(svc["id"])
            cat.services.append(Entry(flat=flat(svc), full=full, text=text, modified=modified,
                                      organization_id=org["id"], term_ids=terms))
            for link in links:
                link_full = {**link, "service": {**svc, "service_at_locations": [
                    {k: v for k, v in link.items() if k != "location"}]}}
                cat.service_at_locations.append(Entry(
                    flat=flat(link), full=link_full, modified=modified, organization_id=org["id"], term_ids=terms,
                    text=_fold(svc.get("name"), svc.get("description"), org.get("name"), link["location"].get("name"))))
    tax = taxonomy()
    cat.taxonomies.append(Entry(flat=tax, full=tax, text=_fold(tax["name"], tax["description"])))
    for term in taxonomy_terms():
        cat.taxonomy_terms.append(Entry(flat=term, full=term, text=_fold(term["name"], term["code"], term["description"]),
                                        taxonomy_id=term["taxonomy_id"], parent_id=term.get("parent_id")))
    for kind in ("organizations", "services", "service_at_locations", "taxonomies", "taxonomy_terms"):
        cat.index.update(((kind, e.full["id"]), e.full) for e in getattr(cat, kind))
    return cat


class BadQuery(ValueError):
    """A query parameter that cannot be understood; the message is shown to the caller."""


def _int(args, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,12}", raw):  # plain ASCII digits only (int() would also take '1_0' or '١')
        raise BadQuery(f"'{name}' must be a whole number")
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise BadQuery(f"'{name}' must be between {low} and {high}" if high else f"'{name}' must be {low} or more")
    return value


def _bool(args, name: str) -> bool:
    raw = args.get(name)
    if raw is None or raw == "false":
        return False
    if raw == "true":
        return True
    raise BadQuery(f"'{name}' must be true or false")


def parse_datetime(raw: str) -> dt.datetime:
    """A naive UTC datetime (as the directory stores them) from RFC 3339 / ISO 8601 text.

    RFC 3339 allows what Python's parser refuses: lower-case 't' and 'z', more than six decimals,
    and the leap second :60 (read as :59.999999).
    """
    text = raw.strip().upper()
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    text = re.sub(r"(T\d\d:\d\d):60(\.\d+)?", r"\1:59.999999", text)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadQuery("'modified_after' must be an ISO 8601 date-time, like 2026-01-31T00:00:00Z") from None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def page_of(entries: list[Entry], args, *, filters: tuple[str, ...]) -> dict:
    """One page of ``entries`` after the HSDS filters named in ``filters`` (search always applies)."""
    page = _int(args, "page", 1, 1, MAX_PAGE)
    per_page = _int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    full = _bool(args, "full") or _bool(args, "full_service")
    chosen = entries
    search = fold(args.get("search") or "")
    if search:
        chosen = [e for e in chosen if search in e.text]
    if "organization_id" in filters and args.get("organization_id"):
        chosen = [e for e in chosen if e.organization_id == args["organization_id"]]
    if "taxonomy_term_id" in filters and args.get("taxonomy_term_id"):
        chosen = [e for e in chosen if args["taxonomy_term_id"] in e.term_ids]
    if "taxonomy_id" in filters and args.get("taxonomy_id"):
        wanted = args["taxonomy_id"]
        chosen = [e for e in chosen if (e.taxonomy_id == wanted if e.taxonomy_id else
                                        bool(e.term_ids) and wanted == taxonomy()["id"])]
    if "modified_after" in filters and "modified_after" in args:  # present but empty is an error, not "any time"
        since = parse_datetime(args["modified_after"])
        chosen = [e for e in chosen if e.modified is not None and e.modified >= since]
    if "parent_id" in filters and args.get("parent_id"):
        chosen = [e for e in chosen if e.parent_id == args["parent_id"]]
    if "top_only" in filters and _bool(args, "top_only"):
        chosen = [e for e in chosen if not e.parent_id]
    total = len(chosen)
    pages = math.ceil(total / per_page)
    contents = [e.full if full else e.flat for e in chosen[(page - 1) * per_page: page * per_page]]
    return {"total_items": total, "total_pages": pages, "page_number": page, "size": len(contents),
            "first_page": page == 1, "last_page": page >= pages, "empty": total == 0, "contents": contents}


def api_details(openapi_url: str) -> dict:
    return {"version": HSDS_VERSION, "openapi_url": openapi_url,
            "description": "The ELIP Service Map directory (Edmonton): public listings of newcomer services, "
                           "read-only, in HSDS 3.0"}
