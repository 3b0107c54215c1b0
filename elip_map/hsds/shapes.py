"""Every JSON shape HSDS 3.0 publishes, brought to one: a list of fully nested organizations.

Recognised: our own package (``{"organizations": [...]}``), a single organization, a single service
(with its ``organization`` embedded or named by ``organization_id``), a single service-at-location,
taxonomy terms, a list of any of these, an API page (``{"contents": [...], "total_items": ...}``) and a
list of pages (so a page of ``/taxonomy_terms`` can come with the pages of ``/organizations``).
Services found outside their organization are put back into it; locations reached only through a
service's ``service_at_locations[].location`` join their organization's ``locations``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ShapeError(ValueError):
    """The JSON is none of the HSDS shapes (the message says what was found, in plain words)."""


@dataclass
class Collected:
    organizations: list[dict] = field(default_factory=list)
    taxonomy_terms: dict[str, dict] = field(default_factory=dict)  # id -> term
    shape: str = ""
    notes: list[str] = field(default_factory=list)


def _kind(obj: dict) -> str:
    if isinstance(obj.get("contents"), list) and ("total_items" in obj or "page_number" in obj or "empty" in obj):
        return "page"
    if isinstance(obj.get("organizations"), list):
        return "package"
    if "service" in obj and isinstance(obj.get("service"), dict):
        return "service_at_location"
    if ("status" in obj or "service_at_locations" in obj or isinstance(obj.get("organization"), dict)
            or "organization_id" in obj) and "name" in obj:
        return "service"
    if "code" in obj or "taxonomy_id" in obj or "term_uri" in obj:  # organizations have none of these
        return "taxonomy_term"
    if "name" in obj:
        return "organization"
    return "unknown"


def _items(document) -> tuple[list[tuple[str, dict]], str, list[dict]]:
    """(kind, object) pairs in source order, the shape's name, and any top-level taxonomy terms."""
    terms: list[dict] = []
    if isinstance(document, dict):
        kind = _kind(document)
        if kind == "package":
            terms = [t for t in document.get("taxonomy_terms") or [] if isinstance(t, dict)]
            return [("organization", o) for o in document["organizations"]], "package", terms
        if kind == "page":
            items, _, _ = _items(document["contents"])
            return items, "page", terms
        if kind == "unknown":
            raise ShapeError("the JSON file is not HSDS: it is neither an organization, a service, a list of them, "
                             "an API page ('contents') nor a package ('organizations')")
        return [(kind, document)], kind, terms
    if isinstance(document, list):
        out: list[tuple[str, dict]] = []
        pages = 0
        for item in document:
            if not isinstance(item, dict):
                raise ShapeError("the JSON list holds something other than HSDS objects")
            kind = _kind(item)
            if kind in ("page", "package"):
                pages += kind == "page"
                sub, _, sub_terms = _items(item)
                out.extend(sub)
                terms.extend(sub_terms)
            elif kind == "unknown":
                raise ShapeError(f"item {len(out) + 1} of the JSON list is not an HSDS organization or service")
            else:
                out.append((kind, item))
        return out, (f"{pages} pages" if pages else "list"), terms
    raise ShapeError("the JSON file is not HSDS (it holds neither an object nor a list)")


def _page_notes(document) -> list[str]:
    """Say so when the pages in the file are not the whole list (the rest was not imported)."""
    pages = [document] if isinstance(document, dict) else [d for d in document if isinstance(d, dict)]
    pages = [p for p in pages if _kind(p) == "page"]
    if not pages:
        return []
    numbers = sorted({p.get("page_number") for p in pages if isinstance(p.get("page_number"), int)})
    total = max((p.get("total_pages") for p in pages if isinstance(p.get("total_pages"), int)), default=None)
    if total is not None and numbers != list(range(1, total + 1)):
        return [f"the file holds page(s) {', '.join(map(str, numbers)) or '?'} of {total}: only their items were "
                "imported; fetch the other pages to import the rest"]
    return []


def collect(document) -> Collected:
    """Nested organizations from any HSDS JSON shape (see the module docstring)."""
    items, shape, top_terms = _items(document)
    result = Collected(shape=shape, notes=_page_notes(document))
    for term in top_terms:
        if term.get("id"):
            result.taxonomy_terms[term["id"]] = term
    orgs: dict[str, dict] = {}  # by id (or name when the producer gave none)
    order: list[str] = []

    def org_slot(org: dict) -> dict:
        key = org.get("id") or f"name:{org.get('name')}"
        if key not in orgs:
            orgs[key] = {**org, "locations": list(org.get("locations") or []), "services": []}
            order.append(key)
        else:  # the same organization seen again (embedded in two services): fill in what was missing
            for k, v in org.items():
                if k not in ("locations", "services"):
                    orgs[key].setdefault(k, v)
            _merge_locations(orgs[key], org.get("locations") or [])
        return orgs[key]

    pending_services: list[dict] = []
    for kind, obj in items:
        if kind == "organization":
            slot = org_slot(obj)
            for svc in obj.get("services") or []:
                if isinstance(svc, dict):
                    _add_service(slot, svc)
        elif kind == "service":
            pending_services.append(obj)
        elif kind == "taxonomy_term":
            if obj.get("id"):
                result.taxonomy_terms[obj["id"]] = obj
        elif kind == "service_at_location":
            svc = dict(obj["service"])
            link = {k: v for k, v in obj.items() if k != "service"}
            svc["service_at_locations"] = [*(svc.get("service_at_locations") or []), link]
            pending_services.append(svc)
    for svc in pending_services:
        org = svc.get("organization")
        if isinstance(org, dict) and org.get("name"):
            slot = org_slot({k: v for k, v in org.items() if k != "services"})
        elif svc.get("organization_id") in orgs:
            slot = orgs[svc["organization_id"]]
        else:
            result.notes.append(f"service '{svc.get('name')}' names no organization that the file describes; left out")
            continue
        _add_service(slot, svc)
    result.organizations = [orgs[k] for k in order]
    for org in result.organizations:
        for svc in org["services"]:
            for attribute in svc.get("attributes") or []:
                term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
                if isinstance(term, dict) and term.get("id"):
                    result.taxonomy_terms.setdefault(term["id"], term)
    return result


def _merge_locations(org: dict, locations: list) -> None:
    known = {loc.get("id") for loc in org["locations"] if isinstance(loc, dict)}
    for loc in locations:
        if isinstance(loc, dict) and (loc.get("id") is None or loc.get("id") not in known):
            org["locations"].append(loc)
            known.add(loc.get("id"))


def _add_service(org: dict, svc: dict) -> None:
    if any(s.get("id") and s.get("id") == svc.get("id") for s in org["services"]):
        return  # the same service listed twice (in the organization and on its own)
    svc = {k: v for k, v in svc.items() if k != "organization"}
    links = []
    for link in svc.get("service_at_locations") or []:
        if not isinstance(link, dict):
            continue
        loc = link.get("location")
        if isinstance(loc, dict):
            _merge_locations(org, [loc])
            link = {**{k: v for k, v in link.items() if k != "location"}, "location_id": link.get("location_id") or loc.get("id")}
        links.append(link)
    svc["service_at_locations"] = links
    org["services"].append(svc)
