"""The directory as HSDS 3.0 objects: organizations with their locations and services embedded.

Ids are UUIDs derived from our natural keys (organization name key, location key, service name), so
the same directory always exports the same ids and a 211 partner can diff two exports. Unknown values
are left out (HSDS types are strings and numbers, never null). Required fields that we do not know are
written as an empty string, never guessed: an address without a postal code says ``"postal_code": ""``
and lists the field under ``x_elip.unknown``, so a reader can tell "not known" from a real value.

What this product adds to HSDS (geocode provenance, neighbourhood, ward, notes, source, last verified)
sits under ``x_elip`` on each location in the file export; HSDS readers ignore unknown keys. The API
(``public=True``) publishes public listings only and never carries ``x_elip``.

Organization contacts (the private verification contact staff keep) leave only in a ``private=True``
file export, as an HSDS ``contact`` on the organization; the document then says, in its ``x_elip``,
that it holds personal data. The API can never ask for them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..directory.eligibility import organization_contact, service_eligibility
from ..directory.models import Location, Organization, Service, ServiceAtLocation
from ..directory.storage import directory_version
from ..directory.taxonomy import BY_SLUG, SLUGS
from ..rules.text import fold

HSDS_VERSION = "3.0"
NAMESPACE = uuid.UUID("9d5c4b8e-6f0e-4d8a-9a51-2f1c1e0b7a10")  # fixed: ids must not change between runs
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy:elip-service-types"))
TAXONOMY_NAME = "ELIP service types"
LOCATION_KEY_TYPE = "elip-location-key"
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ADDRESS_REQUIRED = ("address_1", "city", "state_province", "postal_code", "country")
_ADDRESS_OPTIONAL = ("attention", "address_2", "region")
PRIVATE_WARNING = ("PERSONAL DATA: this export holds the private contacts of the organizations (e-mail, preferred "
                   "language, phone) for the verification cycle. Keep it where only ELIP staff can read it; never "
                   "publish it or send it to a partner. Export without --private for a copy to share.")


def hsds_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def term_id(slug: str) -> str:
    return hsds_id("term", slug)


def clean(value):
    """``value`` without the keys whose value is None (at every depth): HSDS leaves unknowns out."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def taxonomy() -> dict:
    return {"id": TAXONOMY_ID, "name": TAXONOMY_NAME,
            "description": "Settlement Program categories plus other newcomer needs, as the ELIP Service Map files services"}


def taxonomy_term(slug: str) -> dict:
    label = BY_SLUG[slug].label
    return {"id": term_id(slug), "code": slug, "name": label, "description": f"{label} (ELIP Service Map service type)",
            "taxonomy": TAXONOMY_NAME, "taxonomy_id": TAXONOMY_ID}


def taxonomy_terms() -> list[dict]:
    return [taxonomy_term(slug) for slug in SLUGS]


def _phones(phones, owner: str, owner_key: str) -> list[dict]:
    out = []
    for i, p in enumerate(phones):
        ext = p.extension
        numeric = ext is not None and ext.isdigit() and not (len(ext) > 1 and ext.startswith("0"))
        out.append({"id": hsds_id("phone", owner, str(i)), owner_key: owner, "number": p.number,
                    # HSDS 3.0 types the extension as a number; any other text keeps its exact form under x_elip.
                    "extension": int(ext) if numeric else None, "type": p.type, "description": p.description,
                    "x_elip": {"extension": ext} if ext is not None and not numeric else None})
    return out


def _schedules(schedules, owner: str, owner_key: str) -> list[dict]:
    return [{"id": hsds_id("schedule", owner, str(i)), owner_key: owner,
             "freq": "WEEKLY" if s.weekday else None, "byday": DAYS[s.weekday - 1] if s.weekday else None,
             "opens_at": _iso(s.opens_at), "closes_at": _iso(s.closes_at),
             "valid_from": _iso(s.valid_from), "valid_to": _iso(s.valid_to), "description": s.description}
            for i, s in enumerate(schedules)]


def _languages(languages, owner: str, owner_key: str) -> list[dict]:
    return [{"id": hsds_id("language", owner, lang.code, str(i)), owner_key: owner, "code": lang.code,
             "note": lang.note} for i, lang in enumerate(languages)]


def _address(a, location_id: str, i: int) -> dict:
    unknown = [f for f in _ADDRESS_REQUIRED if not getattr(a, f)]
    out = {"id": hsds_id("address", location_id, str(i)), "location_id": location_id,
           **{f: getattr(a, f) or "" for f in _ADDRESS_REQUIRED},
           **{f: getattr(a, f) for f in _ADDRESS_OPTIONAL},
           "address_type": a.address_type if a.address_type in ("physical", "postal", "virtual") else "physical"}
    if unknown:
        out["x_elip"] = {"unknown": unknown}
    return out


def _location(loc: Location, org_id: str, lid: str, *, public: bool) -> dict:
    obj = {
        "id": lid, "organization_id": org_id, "location_type": "physical", "name": loc.name,
        "description": loc.description, "transportation": loc.transportation,
        "latitude": loc.latitude, "longitude": loc.longitude,
        "external_identifier": loc.location_key, "external_identifier_type": LOCATION_KEY_TYPE,
        "addresses": [_address(a, lid, i) for i, a in enumerate(loc.addresses)],
        "phones": _phones(loc.phones, lid, "location_id"),
        "schedules": _schedules(loc.schedules, lid, "location_id"),
        "languages": _languages(loc.languages, lid, "location_id"),
        "accessibility": [{"id": hsds_id("accessibility", lid), "location_id": lid, "description": loc.accessibility}]
        if loc.accessibility else [],
    }
    if not public:
        obj["x_elip"] = {
            "notes": loc.notes, "source_url": loc.source_url, "closed": loc.closed,
            "last_verified": _iso(loc.last_verified),
            "geocode": {"status": loc.geocode_status, "method": loc.geocode_method,
                        "precision_m": loc.geocode_precision_m, "confidence": loc.geocode_confidence,
                        "source": loc.geocode_source, "geocoded_at": _iso(loc.geocoded_at),
                        "note": loc.geocode_note, "geocoded_address": loc.geocoded_address},
            "neighbourhood": {"number": loc.neighbourhood_number, "name": loc.neighbourhood_name},
            "ward": loc.ward, "outside_city": loc.outside_city,
        }
    return obj


def contact_id(name_key: str) -> str:
    """The id of an organization's verification contact: the importer knows its own contact by it."""
    return hsds_id("contact", name_key)


def _contacts(org: Organization, org_id: str) -> list[dict]:
    """The private verification contact as an HSDS 3.0 ``contact`` (with its phone); its preferred
    language has no HSDS field, so it sits in ``x_elip``."""
    private = organization_contact(org)
    if not any(private.values()):
        return []
    cid = contact_id(org.name_key)
    phones = [{"id": hsds_id("phone", cid, "0"), "contact_id": cid, "number": private["contact_phone"],
               "type": "voice"}] if private["contact_phone"] else []
    return [{"id": cid, "organization_id": org_id, "title": "Listing verification contact",
             "email": private["contact_email"], "phones": phones,
             "x_elip": {"language": private["contact_language"]} if private["contact_language"] else None}]


def _service(svc: Service, org_id: str, sid: str, links: list[tuple[str, ServiceAtLocation]]) -> dict:
    status = svc.status if svc.status in SERVICE_STATUSES else "inactive"
    return {
        "id": sid, "organization_id": org_id, "name": svc.name, "description": svc.description,
        "url": svc.website, "email": svc.email, "status": status,
        "fees_description": svc.fees, "eligibility_description": svc.eligibility,
        "minimum_age": svc.minimum_age, "maximum_age": svc.maximum_age,
        "application_process": svc.application_process, "assured_date": _iso(svc.last_verified),
        "languages": _languages(svc.languages, sid, "service_id"),
        "attributes": [{"id": hsds_id("attribute", sid, t.slug), "link_id": sid, "link_entity": "service",
                        "taxonomy_term_id": term_id(t.slug), "taxonomy_term": taxonomy_term(t.slug)}
                       for t in svc.types if t.slug in BY_SLUG],
        "schedules": _schedules(svc.schedules, sid, "service_id"),
        "service_at_locations": [{"id": hsds_id("sal", sid, lid), "service_id": sid, "location_id": lid,
                                  "description": link.description} for lid, link in links],
        "x_elip": _service_extension(svc, status),
    }


def _service_extension(svc: Service, status: str) -> dict | None:
    """What HSDS has no field for: the ELIP status when HSDS's list lacks it, and who may use the service
    (immigration-status slugs, fee level, gender) from :func:`elip_map.directory.eligibility.service_eligibility`;
    an empty ``eligible_statuses`` means not known."""
    elig = service_eligibility(svc)
    extra = {"status": svc.status if status != svc.status else None,
             "eligible_statuses": elig["eligible_statuses"] or None, "fee": elig["fee"], "gender": elig["gender"]}
    return {k: v for k, v in extra.items() if v is not None} or None


@dataclass
class Directory:
    """The directory as HSDS objects, with when each object last changed (for ``modified_after``)."""

    organizations: list[dict] = field(default_factory=list)
    modified: dict[str, dt.datetime] = field(default_factory=dict)  # organization or service id -> last change


def _load(session: Session):
    svc_load = selectinload(Organization.services)
    loc_load = selectinload(Organization.locations)
    return session.scalars(select(Organization).order_by(Organization.name_key).options(
        selectinload(Organization.phones),
        svc_load.selectinload(Service.types), svc_load.selectinload(Service.languages),
        svc_load.selectinload(Service.schedules),
        svc_load.selectinload(Service.location_links).selectinload(ServiceAtLocation.location),
        loc_load.selectinload(Location.addresses), loc_load.selectinload(Location.phones),
        loc_load.selectinload(Location.schedules), loc_load.selectinload(Location.languages),
    )).all()


def build_directory(session: Session, *, public: bool = False, private: bool = False) -> Directory:
    """Every organization as a fully nested HSDS organization.

    ``public``: only what the newcomer map shows (public locations, active services there, and the
    organizations that have them), without the staff-facing ``x_elip`` details.
    ``private``: with each organization's verification contact (personal data; never with ``public``).
    """
    if public and private:
        raise ValueError("the public directory never carries the private contacts")
    out = Directory()
    for org in _load(session):
        org_id = hsds_id("org", org.name_key)
        kept = [loc for loc in sorted(org.locations, key=lambda item: item.id) if not public or loc.is_public]
        if public and not kept:
            continue
        loc_ids = {loc.id: hsds_id("loc", org.name_key, loc.location_key) for loc in org.locations}
        changed = [org.updated_at, *(loc.updated_at for loc in kept)]
        services, seen = [], {}
        for svc in sorted(org.services, key=lambda item: item.id):
            first = min((link.location.location_key for link in svc.location_links), default="")
            base = hsds_id("svc", org.name_key, first, fold(svc.name))
            seen[base] = seen.get(base, 0) + 1
            sid = base if seen[base] == 1 else hsds_id("svc", base, str(seen[base]))
            links = [(loc_ids[link.location_id], link)
                     for link in sorted(svc.location_links, key=lambda item: item.location_id)
                     if not public or link.location.is_public]
            if public and (svc.status != "active" or not links):
                continue
            services.append(_service(svc, org_id, sid, links))
            out.modified[sid] = max([svc.updated_at, *(link.location.updated_at for link in svc.location_links)])
            changed.append(svc.updated_at)
        out.modified[org_id] = max(changed)
        out.organizations.append(clean({
            "id": org_id, "name": org.name, "alternate_name": org.alternate_name,
            # Required by HSDS; when nobody wrote one it stays empty rather than invented.
            "description": org.description or "", "email": org.email, "website": org.website,
            "phones": _phones(org.phones, org_id, "organization_id"),
            "contacts": _contacts(org, org_id) if private else None,
            "locations": [_location(loc, org_id, loc_ids[loc.id], public=public) for loc in kept],
            "services": services,
            "x_elip": None if org.description else {"unknown": ["description"]},
        }))
    return out


def export_hsds(session: Session, *, private: bool = False) -> dict:
    """The whole directory as one HSDS document: ``organizations`` with their locations and services
    (and, with ``private``, their verification contacts, announced first thing in the file)."""
    head = {"x_elip": {"personal_data": True, "warning": PRIVATE_WARNING}} if private else {}
    return {
        **head,
        "hsds_version": HSDS_VERSION,
        "generator": "elip-map",
        "directory_version": directory_version(session),
        "taxonomies": [taxonomy()],
        "taxonomy_terms": taxonomy_terms(),
        "organizations": build_directory(session, private=private).organizations,
    }


def dumps_hsds(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
