"""Plain-data dumps of the directory, to compare two databases or one database before and after.

``table_dump`` is byte-for-byte (every row of every table, ids and timestamps included): "the import
failed and nothing changed". ``canonical_dump`` drops what differs between two databases holding the
same directory (ids, timestamps, version counters): "importing an export gives back the same directory".
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from ..directory.models import Base, Location, Organization, Service, ServiceAtLocation


def table_dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every directory table, sorted: table_dump(engine)['organization'] -> [(1, 'Bissell Centre', ...)]."""
    dump: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            dump[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return dump


def _children(objs, fields) -> list[tuple]:
    return [tuple(getattr(o, f) for f in fields) for o in objs]


_LOC_FIELDS = ("name", "location_key", "description", "accessibility", "transportation", "notes", "source_url",
               "closed", "latitude", "longitude", "geocode_method", "geocode_precision_m", "geocode_confidence",
               "geocode_source", "geocoded_at", "geocode_status", "geocode_note", "geocoded_address",
               "neighbourhood_number", "neighbourhood_name", "ward", "outside_city", "last_verified")
_SVC_FIELDS = ("name", "description", "eligibility", "fees", "application_process", "website", "email", "status",
               "last_verified")


def canonical_dump(session: Session) -> list[dict]:
    """The whole directory as nested plain data without database ids, ordered by natural keys."""
    orgs = session.scalars(select(Organization).order_by(Organization.name_key).options(
        selectinload(Organization.phones),
        selectinload(Organization.services).selectinload(Service.types),
        selectinload(Organization.services).selectinload(Service.languages),
        selectinload(Organization.services).selectinload(Service.schedules),
        selectinload(Organization.services).selectinload(Service.location_links).selectinload(ServiceAtLocation.location),
        selectinload(Organization.locations).selectinload(Location.addresses),
        selectinload(Organization.locations).selectinload(Location.phones),
        selectinload(Organization.locations).selectinload(Location.schedules),
        selectinload(Organization.locations).selectinload(Location.languages),
    )).all()
    out = []
    for org in orgs:
        services = []
        for svc in org.services:
            services.append({
                **{f: getattr(svc, f) for f in _SVC_FIELDS},
                "types": sorted(t.slug for t in svc.types),
                "languages": sorted(_children(svc.languages, ("code", "note"))),
                "schedules": _children(svc.schedules, ("weekday", "opens_at", "closes_at", "valid_from", "valid_to",
                                                       "description")),
                "at": sorted((link.location.location_key, link.description or "") for link in svc.location_links),
            })
        out.append({
            "name": org.name, "name_key": org.name_key, "alternate_name": org.alternate_name,
            "description": org.description, "website": org.website, "email": org.email,
            "phones": _children(org.phones, ("number", "extension", "type", "description")),
            "locations": sorted(({
                **{f: getattr(loc, f) for f in _LOC_FIELDS},
                "addresses": _children(loc.addresses, ("address_1", "address_2", "city", "region", "state_province",
                                                       "postal_code", "country", "address_type", "attention")),
                "phones": _children(loc.phones, ("number", "extension", "type", "description")),
                "schedules": _children(loc.schedules, ("weekday", "opens_at", "closes_at", "valid_from", "valid_to",
                                                       "description")),
                "languages": sorted(_children(loc.languages, ("code", "note"))),
            } for loc in org.locations), key=lambda d: d["location_key"]),
            "services": sorted(services, key=lambda d: (d["at"], d["name"])),
        })
    return out
