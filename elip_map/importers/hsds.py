"""The directory as HSDS-style JSON (Open Referral HSDS 3 core), out and back in.

Ids are UUIDs derived from natural keys (organization name key, location key, service name), so the
same directory always exports the same ids and a 211 partner can diff two exports. What this product
adds to HSDS (geocode provenance, neighbourhood, ward, notes, source, last verified) sits under
``x_elip`` on each location; HSDS readers ignore unknown keys.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..directory.models import Location, Organization, Service, ServiceAtLocation
from ..directory.storage import directory_version
from ..directory.taxonomy import BY_SLUG, SLUGS
from . import normalize as nz
from .records import LocationRecord, OrganizationRecord, Plan, ServiceRecord
from .report import ImportRefused, ImportReport, RowReport

HSDS_VERSION = "3.0"
_NAMESPACE = uuid.UUID("9d5c4b8e-6f0e-4d8a-9a51-2f1c1e0b7a10")  # fixed: ids must not change between runs
TAXONOMY_ID = str(uuid.uuid5(_NAMESPACE, "taxonomy:elip-service-types"))
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _phones(phones) -> list[dict]:
    return [{"id": _id("phone", p.number, str(i)), "number": p.number, "extension": p.extension, "type": p.type,
             "description": p.description} for i, p in enumerate(phones)]


def _schedules(schedules, owner: str) -> list[dict]:
    out = []
    for i, s in enumerate(schedules):
        out.append({
            "id": _id("schedule", owner, str(i)), "freq": "WEEKLY" if s.weekday else None,
            "byday": _DAYS[s.weekday - 1] if s.weekday else None,
            "opens_at": _iso(s.opens_at), "closes_at": _iso(s.closes_at),
            "valid_from": _iso(s.valid_from), "valid_to": _iso(s.valid_to), "description": s.description,
        })
    return out


def _languages(languages) -> list[dict]:
    return [{"code": lang.code, "note": lang.note} for lang in languages]


def export_hsds(session: Session) -> dict:
    """The whole directory as one HSDS-style document (organizations with their locations and services)."""
    svc_load = selectinload(Organization.services)
    loc_load = selectinload(Organization.locations)
    orgs = session.scalars(select(Organization).order_by(Organization.name_key).options(
        selectinload(Organization.phones),
        svc_load.selectinload(Service.types), svc_load.selectinload(Service.languages),
        svc_load.selectinload(Service.schedules),
        svc_load.selectinload(Service.location_links).selectinload(ServiceAtLocation.location),
        loc_load.selectinload(Location.addresses), loc_load.selectinload(Location.phones),
        loc_load.selectinload(Location.schedules), loc_load.selectinload(Location.languages),
    )).all()
    organizations = []
    for org in orgs:
        org_id = _id("org", org.name_key)
        loc_ids = {loc.id: _id("loc", org.name_key, loc.location_key) for loc in org.locations}
        locations = []
        for loc in sorted(org.locations, key=lambda item: item.id):
            lid = loc_ids[loc.id]
            locations.append({
                "id": lid, "organization_id": org_id, "location_type": "physical", "name": loc.name,
                "description": loc.description, "transportation": loc.transportation,
                "latitude": loc.latitude, "longitude": loc.longitude,
                "external_identifier": loc.location_key, "external_identifier_type": "elip-location-key",
                "addresses": [{"id": _id("address", lid, str(i)), "location_id": lid,
                               **{f: getattr(a, f) for f in ("attention", "address_1", "address_2", "city", "region",
                                                             "state_province", "postal_code", "country",
                                                             "address_type")}}
                              for i, a in enumerate(loc.addresses)],
                "phones": _phones(loc.phones),
                "schedules": _schedules(loc.schedules, lid),
                "languages": _languages(loc.languages),
                "accessibility": [{"id": _id("accessibility", lid), "description": loc.accessibility}]
                if loc.accessibility else [],
                "x_elip": {
                    "notes": loc.notes, "source_url": loc.source_url, "closed": loc.closed,
                    "last_verified": _iso(loc.last_verified),
                    "geocode": {"status": loc.geocode_status, "method": loc.geocode_method,
                                "precision_m": loc.geocode_precision_m, "confidence": loc.geocode_confidence,
                                "source": loc.geocode_source, "geocoded_at": _iso(loc.geocoded_at),
                                "note": loc.geocode_note, "geocoded_address": loc.geocoded_address},
                    "neighbourhood": {"number": loc.neighbourhood_number, "name": loc.neighbourhood_name},
                    "ward": loc.ward, "outside_city": loc.outside_city,
                },
            })
        services = []
        seen: dict[str, int] = {}
        for svc in sorted(org.services, key=lambda item: item.id):
            first = min((link.location.location_key for link in svc.location_links), default="")
            base = _id("svc", org.name_key, first, nz.plain_key(svc.name))
            seen[base] = seen.get(base, 0) + 1
            sid = base if seen[base] == 1 else _id("svc", base, str(seen[base]))
            services.append({
                "id": sid, "organization_id": org_id, "name": svc.name, "description": svc.description,
                "url": svc.website, "email": svc.email, "status": svc.status,
                "fees_description": svc.fees, "eligibility_description": svc.eligibility,
                "application_process": svc.application_process,
                "languages": _languages(svc.languages),
                "attributes": [{"id": _id("attribute", sid, t.slug), "taxonomy_term_id": _id("term", t.slug),
                                "taxonomy_term": {"code": t.slug}} for t in svc.types],
                "schedules": _schedules(svc.schedules, sid),
                "service_at_locations": [{"id": _id("sal", sid, loc_ids[link.location_id]),
                                          "service_id": sid, "location_id": loc_ids[link.location_id],
                                          "description": link.description}
                                         for link in sorted(svc.location_links, key=lambda item: item.location_id)],
                "x_elip": {"last_verified": _iso(svc.last_verified)},
            })
        organizations.append({
            "id": org_id, "name": org.name, "alternate_name": org.alternate_name, "description": org.description,
            "email": org.email, "website": org.website, "phones": _phones(org.phones),
            "locations": locations, "services": services,
        })
    return {
        "hsds_version": HSDS_VERSION,
        "generator": "elip-map",
        "directory_version": directory_version(session),
        "taxonomies": [{"id": TAXONOMY_ID, "name": "ELIP service types",
                        "description": "Settlement Program categories plus other newcomer needs"}],
        "taxonomy_terms": [{"id": _id("term", slug), "code": slug, "name": BY_SLUG[slug].label,
                            "taxonomy_id": TAXONOMY_ID} for slug in SLUGS],
        "organizations": organizations,
    }


def dumps_hsds(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


# --- import ------------------------------------------------------------------------------------

class HSDSFormatError(ValueError):
    pass


def _schedule_dicts(items) -> list[dict]:
    out = []
    for s in items or []:
        byday = (s.get("byday") or "").upper()
        out.append({"weekday": _DAYS.index(byday) + 1 if byday in _DAYS else None,
                    "opens_at": _time(s.get("opens_at")), "closes_at": _time(s.get("closes_at")),
                    "valid_from": _date(s.get("valid_from")), "valid_to": _date(s.get("valid_to")),
                    "description": s.get("description")})
    return out


def _phone_dicts(items) -> list[dict]:
    return [{"number": p["number"], "extension": p.get("extension"), "type": p.get("type") or "voice",
             "description": p.get("description")} for p in items or []]


def _language_dicts(items) -> list[dict]:
    return [{"code": lang["code"], "note": lang.get("note")} for lang in items or []]


def plan_from_hsds(data: bytes, report: ImportReport) -> Plan:
    """Records from an HSDS-style JSON document (our export, or another HSDS 3 producer's)."""

    try:
        document = json.loads(data.decode("utf-8-sig"))
        organizations = document["organizations"]
        if not isinstance(organizations, list):
            raise TypeError
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise ImportRefused("the JSON file is not an HSDS directory (no 'organizations' list)") from None
    terms = {t.get("id"): t.get("code") for t in document.get("taxonomy_terms", []) if isinstance(t, dict)}
    plan = Plan()
    row = 0
    try:
        for org_doc in organizations:
            key = nz.name_key(org_doc.get("name"))
            if not key:
                row += 1
                report.rows.append(RowReport(row=row, status="rejected", action="none",
                                             messages=["organization without a name"]))
                continue
            org = OrganizationRecord(key=key, fields={f: org_doc.get(f) for f in
                                                      ("name", "alternate_name", "description", "email", "website")},
                                     phones=_phone_dicts(org_doc.get("phones")))
            plan.organizations[key] = org
            by_id: dict[str, LocationRecord] = {}
            for loc_doc in org_doc.get("locations", []):
                row += 1
                report.rows.append(RowReport(row=row, organization=org_doc["name"], location=loc_doc.get("name") or ""))
                org.rows.append(row)
                loc = _location_record(loc_doc, row)
                org.locations[loc.key] = loc
                by_id[loc_doc.get("id")] = loc
            for svc_doc in org_doc.get("services", []):
                svc = _service_record(svc_doc, terms, report)
                links = svc_doc.get("service_at_locations") or []
                if not links:
                    org.unlinked_services[svc.key] = svc
                for link in links:
                    loc = by_id.get(link.get("location_id"))
                    if loc is None:
                        raise ImportRefused(f"service '{svc_doc.get('name')}' points at a location that is not "
                                            f"in its organization '{org_doc.get('name')}'")
                    copy = ServiceRecord(key=svc.key, fields=dict(svc.fields), types=svc.types,
                                         languages=svc.languages, schedules=svc.schedules,
                                         link_description=link.get("description"), rows=list(loc.rows))
                    loc.services[svc.key] = copy
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ImportRefused(f"the HSDS JSON file is malformed near organization {row}: {exc}") from None
    return plan


def _location_record(doc: dict, row: int) -> LocationRecord:
    addresses = [{f: a.get(f) for f in ("attention", "address_1", "address_2", "city", "region", "state_province",
                                        "postal_code", "country", "address_type")} for a in doc.get("addresses") or []]
    for a in addresses:
        a["country"] = a.get("country") or "CA"
        a["address_type"] = a.get("address_type") or "physical"
    first = addresses[0] if addresses else {}
    key = doc.get("external_identifier") if doc.get("external_identifier_type") == "elip-location-key" else None
    key = key or nz.location_key(first.get("address_1"), first.get("address_2"), doc.get("name"),
                                 first.get("postal_code"))
    extra = doc.get("x_elip") or {}
    geo = extra.get("geocode") or {}
    hood = extra.get("neighbourhood") or {}
    accessibility = "\n".join(a.get("description") or "" for a in doc.get("accessibility") or []) or None
    fields = {
        "name": doc.get("name"), "description": doc.get("description"), "transportation": doc.get("transportation"),
        "accessibility": accessibility, "notes": extra.get("notes"), "source_url": extra.get("source_url"),
        "closed": bool(extra.get("closed", False)), "last_verified": _date(extra.get("last_verified")),
        "latitude": doc.get("latitude"), "longitude": doc.get("longitude"),
        "geocode_status": geo.get("status") or ("ok" if doc.get("latitude") is not None else "needs-attention"),
        "geocode_method": geo.get("method"), "geocode_precision_m": geo.get("precision_m"),
        "geocode_confidence": geo.get("confidence"), "geocode_source": geo.get("source"),
        "geocoded_at": dt.datetime.fromisoformat(geo["geocoded_at"]) if geo.get("geocoded_at") else None,
        "geocode_note": geo.get("note"), "geocoded_address": geo.get("geocoded_address"),
        "neighbourhood_number": hood.get("number"), "neighbourhood_name": hood.get("name"),
        "ward": extra.get("ward"), "outside_city": bool(extra.get("outside_city", False)),
    }
    if not extra:  # not our export: the neighbourhood is assigned from the coordinates instead
        for key in ("neighbourhood_number", "neighbourhood_name", "ward", "outside_city"):
            fields.pop(key)
    # Our own export carries the geocode provenance: it is restored, and the geocoder re-geocodes only
    # an edited address. Another producer's bare coordinates are kept as pins.
    return LocationRecord(key=key, fields=fields, addresses=addresses, phones=_phone_dicts(doc.get("phones")),
                          schedules=_schedule_dicts(doc.get("schedules")),
                          languages=_language_dicts(doc.get("languages")),
                          has_coordinates=doc.get("latitude") is not None and not geo, rows=[row])


def _service_record(doc: dict, terms: dict, report: ImportReport) -> ServiceRecord:
    slugs = []
    for attribute in doc.get("attributes") or []:
        code = (attribute.get("taxonomy_term") or {}).get("code") or terms.get(attribute.get("taxonomy_term_id"))
        if code in BY_SLUG and code not in slugs:
            slugs.append(code)
        elif code:
            report.file_notes.append(f"service type '{code}' of '{doc.get('name')}' is not in the service-type list; "
                                     "left out")
    extra = doc.get("x_elip") or {}
    fields = {"name": doc["name"], "description": doc.get("description"), "website": doc.get("url"),
              "email": doc.get("email"), "status": doc.get("status") or "active", "fees": doc.get("fees_description"),
              "eligibility": doc.get("eligibility_description"), "application_process": doc.get("application_process"),
              "last_verified": _date(extra.get("last_verified"))}
    return ServiceRecord(key=nz.plain_key(doc["name"]), fields=fields, types=sorted(slugs),
                         languages=_language_dicts(doc.get("languages")), schedules=_schedule_dicts(doc.get("schedules")))
