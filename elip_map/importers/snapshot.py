"""A plain-tuple snapshot of the stored organizations an import names, to find what actually changed.

Loading a 10,000-location directory as ORM objects (about 130,000 of them) takes far longer than
the import itself, and on a re-import almost nothing changes. The snapshot reads the same values
with a few Core SELECTs; only organizations whose records differ are then loaded as ORM objects and
updated by the writer. The comparisons mirror the writer's, field by field and in the same order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..directory.models import (Address, Language, Location, Organization, Phone, Schedule, Service, ServiceAtLocation,
                                ServiceType)
from . import normalize as nz
from .records import LocationRecord, OrganizationRecord, ServiceRecord

_CHUNK = 900


@dataclass
class ServiceSnap:
    id: int
    fields: dict
    types: list[str] = field(default_factory=list)
    languages: list[tuple] = field(default_factory=list)
    schedules: list[tuple] = field(default_factory=list)
    link_description: str | None = None
    linked: bool = False


@dataclass
class LocationSnap:
    id: int
    fields: dict
    children: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))
    services: list[ServiceSnap] = field(default_factory=list)


@dataclass
class OrganizationSnap:
    id: int
    fields: dict
    phones: list[tuple] = field(default_factory=list)
    locations: dict[str, LocationSnap] = field(default_factory=dict)
    services: list[ServiceSnap] = field(default_factory=list)


def _chunks(values: list):
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _rows(session: Session, table, column, ids: list[int], order=None):
    for chunk in _chunks(ids):
        stmt = select(table).where(column.in_(chunk))
        if order is not None:
            stmt = stmt.order_by(*order)
        yield from (row._mapping for row in session.execute(stmt))


def load_snapshot(session: Session, keys: list[str], fields: dict[str, tuple[str, ...]]) -> dict[str, OrganizationSnap]:
    """Snapshots of the stored organizations among ``keys`` (name keys); ``fields`` names each child's columns."""
    orgs: dict[str, OrganizationSnap] = {}
    by_id: dict[int, OrganizationSnap] = {}
    org_t = Organization.__table__
    for chunk in _chunks(keys):
        for row in session.execute(select(org_t).where(org_t.c.name_key.in_(chunk))):
            snap = OrganizationSnap(row.id, dict(row._mapping))
            orgs[row.name_key] = by_id[row.id] = snap
    if not orgs:
        return orgs
    org_ids = list(by_id)
    locs: dict[int, LocationSnap] = {}
    loc_t = Location.__table__
    for row in _rows(session, loc_t, loc_t.c.organization_id, org_ids):
        snap = LocationSnap(row["id"], dict(row))
        by_id[row["organization_id"]].locations[row["location_key"]] = snap
        locs[row["id"]] = snap
    phone_t = Phone.__table__
    for row in _rows(session, phone_t, phone_t.c.organization_id, org_ids, order=[phone_t.c.id]):
        by_id[row["organization_id"]].phones.append(tuple(row[f] for f in fields["phones"]))
    loc_ids = list(locs)
    for name, model in (("addresses", Address), ("phones", Phone), ("schedules", Schedule), ("languages", Language)):
        table = model.__table__
        for row in _rows(session, table, table.c.location_id, loc_ids, order=[table.c.id]):
            locs[row["location_id"]].children[name].append(tuple(row[f] for f in fields[name]))

    services: dict[int, ServiceSnap] = {}
    svc_t = Service.__table__
    for row in _rows(session, svc_t, svc_t.c.organization_id, org_ids, order=[svc_t.c.id]):
        snap = ServiceSnap(row["id"], dict(row))
        services[row["id"]] = snap
        by_id[row["organization_id"]].services.append(snap)
    link_t = ServiceAtLocation.__table__
    for row in _rows(session, link_t, link_t.c.location_id, loc_ids, order=[link_t.c.id]):
        svc = services.get(row["service_id"])
        if svc is not None:
            svc.linked = True
            svc.link_description = row["description"]
            locs[row["location_id"]].services.append(svc)
    svc_ids = list(services)
    type_t = ServiceType.__table__
    for row in _rows(session, type_t, type_t.c.service_id, svc_ids):
        services[row["service_id"]].types.append(row["slug"])
    lang_t = Language.__table__
    for row in _rows(session, lang_t, lang_t.c.service_id, svc_ids, order=[lang_t.c.code, lang_t.c.id]):
        services[row["service_id"]].languages.append(tuple(row[f] for f in fields["languages"]))
    sched_t = Schedule.__table__
    for row in _rows(session, sched_t, sched_t.c.service_id, svc_ids, order=[sched_t.c.id]):
        services[row["service_id"]].schedules.append(tuple(row[f] for f in fields["schedules"]))
    return orgs


def _same_values(stored: dict, wanted: dict) -> bool:
    return all(stored.get(k) == v for k, v in wanted.items())


def _same_list(stored: list[tuple], wanted: list[dict] | None, names: tuple[str, ...]) -> bool:
    return wanted is None or stored == [tuple(d.get(f) for f in names) for d in wanted]


def _find_service(loc: LocationSnap, rec: ServiceRecord) -> ServiceSnap | None:
    """The writer's ``_find_service``, on the snapshot."""
    if rec.key:
        return next((s for s in loc.services if nz.plain_key(s.fields["name"]) == rec.key), None)
    if len(loc.services) == 1:
        return loc.services[0]
    wanted = nz.plain_key(rec.fields.get("name"))
    return next((s for s in loc.services if nz.plain_key(s.fields["name"]) == wanted), None)


def _service_same(snap: ServiceSnap | None, rec: ServiceRecord, fields, check_link: bool) -> bool:
    if snap is None or not _same_values(snap.fields, rec.fields):
        return False
    if rec.types is not None and sorted(snap.types) != sorted(rec.types):
        return False
    if not _same_list(snap.languages, rec.languages, fields["languages"]):
        return False
    if not _same_list(snap.schedules, rec.schedules, fields["schedules"]):
        return False
    return not (check_link and rec.link_description is not None and snap.link_description != rec.link_description)


def organization_unchanged(snap: OrganizationSnap, rec: OrganizationRecord, fields) -> bool:
    """True when writing ``rec`` would change nothing stored (no UPDATE, no INSERT, no DELETE)."""
    if not _same_values(snap.fields, rec.fields) or not _same_list(snap.phones, rec.phones, fields["phones"]):
        return False
    for key, loc_rec in rec.locations.items():
        if not _location_unchanged(snap.locations.get(key), loc_rec, fields):
            return False
    for svc_rec in rec.unlinked_services.values():
        current = next((s for s in snap.services if not s.linked and nz.plain_key(s.fields["name"]) == svc_rec.key),
                       None)
        if not _service_same(current, svc_rec, fields, check_link=False):
            return False
    return True


def _location_unchanged(snap: LocationSnap | None, rec: LocationRecord, fields) -> bool:
    if snap is None or not _same_values(snap.fields, rec.fields):
        return False
    for name in ("addresses", "phones", "schedules", "languages"):
        if not _same_list(snap.children[name], getattr(rec, name), fields[name]):
            return False
    return all(_service_same(_find_service(snap, svc), svc, fields, check_link=True) for svc in rec.services.values())
