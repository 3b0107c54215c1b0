"""Applying an import plan to the database: match, compare, write only what differs, in one transaction.

Existing organizations (with their locations, services and children) are loaded once, in a few
bulk queries, so the writer never issues a SELECT per row. A value is only assigned when it differs
from what is stored, so re-importing the same file emits no UPDATE at all: no ``updated_at`` churn
and no directory-version bump.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter

from sqlalchemy import bindparam, func, insert, inspect, select, update
from sqlalchemy.orm import Session, selectinload

from ..directory.audit import record_audit
from ..directory.models import (Address, DuplicateSuspect, Language, Location, Organization, Phone, Schedule, Service,
                                ServiceAtLocation, ServiceType, utcnow)
from ..directory.storage import bump_directory_version
from ..directory.values import bounded_list
from ..geocoding.apply import geocode_locations
from ..geocoding.notes import ACTOR_IMPORT, DUPLICATE_ROWS
from ..spatial.neighbourhoods import assign_neighbourhoods
from . import normalize as nz
from .records import LocationRecord, Plan, ServiceRecord
from .report import CORRECTED, IMPORTED, MERGED, REJECTED, UNCHANGED, UPDATED, ImportReport
from .snapshot import load_snapshot, organization_unchanged

_ADDRESS_FIELDS = ("address_1", "address_2", "city", "state_province", "postal_code", "country", "address_type",
                   "attention", "region")
_PHONE_FIELDS = ("number", "extension", "type", "description")
_SCHEDULE_FIELDS = ("weekday", "opens_at", "closes_at", "valid_from", "valid_to", "description")
_LANGUAGE_FIELDS = ("code", "note")
_CHUNK = 900  # stays under SQLite's bound-parameter limit
_SNAPSHOT_FIELDS = {"addresses": _ADDRESS_FIELDS, "phones": _PHONE_FIELDS, "schedules": _SCHEDULE_FIELDS,
                    "languages": _LANGUAGE_FIELDS}


@dataclass
class WriteOutcome:
    changed: bool = False
    to_geocode: list[Location] = field(default_factory=list)
    placed: list[Location] = field(default_factory=list)  # pins typed into the file: neighbourhood only
    to_geocode_ids: list[int] = field(default_factory=list)  # bulk-inserted: loaded as objects when needed
    placed_ids: list[int] = field(default_factory=list)
    created_locations: int = 0
    updated_locations: int = 0
    # (location, before, after) of every existing location this import changed: for the audit log.
    location_changes: list[tuple[Location, dict, dict]] = field(default_factory=list)


def _load_organizations(session: Session, keys: list[str]) -> dict[str, Organization]:
    """Existing organizations named in the plan, with everything the comparison reads, in bulk."""
    found: dict[str, Organization] = {}
    svc_opts = selectinload(Organization.services)
    loc_opts = selectinload(Organization.locations)
    link_opts = loc_opts.selectinload(Location.service_links).selectinload(ServiceAtLocation.service)
    options = (
        selectinload(Organization.phones),
        loc_opts.selectinload(Location.addresses), loc_opts.selectinload(Location.phones),
        loc_opts.selectinload(Location.schedules), loc_opts.selectinload(Location.languages),
        svc_opts.selectinload(Service.types), svc_opts.selectinload(Service.languages),
        svc_opts.selectinload(Service.location_links), svc_opts.selectinload(Service.schedules),
        link_opts,
    )
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        for org in session.scalars(select(Organization).where(Organization.name_key.in_(chunk)).options(*options)):
            found[org.name_key] = org
    return found


def _rows(objs, fields) -> list[tuple]:
    return [tuple(getattr(o, f) for f in fields) for o in objs]


def _wanted(dicts, fields) -> list[tuple]:
    return [tuple(d.get(f) for f in fields) for d in dicts]


def _set_fields(obj, values: dict) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _sync_children(collection, wanted: list[dict] | None, cls, fields, **parent) -> bool:
    """Replace a child list (phones, schedules, ...) when, and only when, it differs from the wanted one."""
    if wanted is None or _rows(collection, fields) == _wanted(wanted, fields):
        return False
    collection.clear()
    for values in wanted:
        collection.append(cls(**{f: values.get(f) for f in fields}, **parent))
    return True


def _sync_types(service: Service, slugs: list[str] | None) -> bool:
    if slugs is None or sorted(t.slug for t in service.types) == sorted(slugs):
        return False
    # Remove and add only the difference: the unique (service, slug) constraint would trip over a
    # delete-all-then-insert, because the unit of work inserts before it deletes.
    wanted = set(slugs)
    for kept in [t for t in service.types if t.slug not in wanted]:
        service.types.remove(kept)
    have = {t.slug for t in service.types}
    service.types.extend(ServiceType(slug=s) for s in sorted(wanted - have))
    return True


def _find_service(org: Organization, loc: Location, rec: ServiceRecord) -> Service | None:
    linked = [link.service for link in loc.service_links]
    if rec.key:
        return next((s for s in linked if nz.plain_key(s.name) == rec.key), None)
    # No explicit service column: the row's one service at this location, whatever it was named.
    if len(linked) == 1:
        return linked[0]
    wanted = nz.plain_key(rec.fields.get("name"))
    return next((s for s in linked if nz.plain_key(s.name) == wanted), None)


def _write_service(org: Organization, loc: Location | None, rec: ServiceRecord, existing: Service | None) -> str:
    """Create or update one service (and its link to ``loc``); returns created / updated / unchanged."""
    if existing is None:
        # Append on the one-to-many side: SQLAlchemy 2 does not cascade new objects into the session via backrefs.
        svc = Service(**rec.fields)
        org.services.append(svc)
        if rec.types is not None:
            svc.types.extend(ServiceType(slug=s) for s in sorted(rec.types))
        for attr, cls, fields in (("languages", Language, _LANGUAGE_FIELDS), ("schedules", Schedule, _SCHEDULE_FIELDS)):
            for values in getattr(rec, attr) or []:
                getattr(svc, attr).append(cls(**{f: values.get(f) for f in fields}))
        if loc is not None:
            loc.service_links.append(ServiceAtLocation(service=svc, description=rec.link_description))
        return "created"
    changed = _set_fields(existing, rec.fields)
    changed |= _sync_types(existing, rec.types)
    changed |= _sync_children(existing.languages, rec.languages, Language, _LANGUAGE_FIELDS)
    changed |= _sync_children(existing.schedules, rec.schedules, Schedule, _SCHEDULE_FIELDS)
    if loc is not None and rec.link_description is not None:
        link = next(link for link in loc.service_links if link.service is existing)
        if link.description != rec.link_description:
            link.description = rec.link_description
            changed = True
    if changed and not _scalar_dirty(existing):
        existing.updated_at = utcnow()
    return "updated" if changed else "unchanged"


def _scalar_dirty(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[c.key].history.has_changes() for c in state.mapper.column_attrs)


def _geocode_changed(rec: LocationRecord) -> bool:
    return "geocode_status" in rec.fields


def _write_location(org: Organization, loc: Location | None, rec: LocationRecord, outcome: WriteOutcome) -> tuple[Location, str]:
    if loc is None:
        loc = Location(location_key=rec.key, **rec.fields)
        org.locations.append(loc)
        for attr, cls, fields in (("addresses", Address, _ADDRESS_FIELDS), ("phones", Phone, _PHONE_FIELDS),
                                  ("schedules", Schedule, _SCHEDULE_FIELDS), ("languages", Language, _LANGUAGE_FIELDS)):
            for values in getattr(rec, attr) or []:
                getattr(loc, attr).append(cls(**{f: values.get(f) for f in fields}))
        if not rec.has_coordinates:
            outcome.to_geocode.append(loc)
        else:
            outcome.placed.append(loc)
        outcome.created_locations += 1
        return loc, "created"
    before = {k: getattr(loc, k) for k, v in rec.fields.items() if getattr(loc, k) != v}
    children = {attr: _rows(getattr(loc, attr), fields) for attr, fields in _SNAPSHOT_FIELDS.items()}
    changed = _set_fields(loc, rec.fields)
    address_changed = _sync_children(loc.addresses, rec.addresses, Address, _ADDRESS_FIELDS)
    changed |= address_changed
    changed |= _sync_children(loc.phones, rec.phones, Phone, _PHONE_FIELDS)
    changed |= _sync_children(loc.schedules, rec.schedules, Schedule, _SCHEDULE_FIELDS)
    changed |= _sync_children(loc.languages, rec.languages, Language, _LANGUAGE_FIELDS)
    if changed:
        after = {k: getattr(loc, k) for k in before}
        for attr, fields in _SNAPSHOT_FIELDS.items():
            now = _rows(getattr(loc, attr), fields)
            if now != children[attr]:
                before[attr] = [dict(zip(fields, r)) for r in children[attr]]
                after[attr] = [dict(zip(fields, r)) for r in now]
        outcome.location_changes.append((loc, before, after))
    if (address_changed or (changed and _geocode_changed(rec))) and not rec.has_coordinates and loc.geocode_status != "manual":
        outcome.to_geocode.append(loc)
    elif rec.has_coordinates and changed:
        outcome.placed.append(loc)
    if changed:
        if not _scalar_dirty(loc):
            loc.updated_at = utcnow()
        outcome.updated_locations += 1
    return loc, "updated" if changed else "unchanged"


def _link_shared_services(org_rec, by_key: dict[str, Location]) -> bool:
    """Link each service offered at several locations to the others too; True when a link was added."""
    added = False
    for loc_key, loc_rec in org_rec.locations.items():
        for svc_rec in loc_rec.services.values():
            if not svc_rec.also_at:
                continue
            svc = _find_service(None, by_key[loc_key], svc_rec)
            for key, description in svc_rec.also_at.items():
                other = by_key.get(key)
                if svc is None or other is None:
                    continue
                link = next((link for link in other.service_links if link.service is svc), None)
                if link is None:
                    other.service_links.append(ServiceAtLocation(service=svc, description=description))
                    added = True
                elif description is not None and link.description != description:
                    link.description = description
                    added = True
    return added


def write_plan(session: Session, plan: Plan, report: ImportReport, source_file: str | None = None) -> WriteOutcome:
    """Write every record of the plan into ``session`` (no commit); fills in each row's status."""
    outcome = WriteOutcome()
    row_actions: dict[int, str] = {}
    located: dict[tuple[str, str], Location] = {}
    located_ids: dict[tuple[str, str], int] = {}

    # Compare with a plain snapshot first; only organizations that differ are loaded as ORM objects.
    stored = load_snapshot(session, list(plan.organizations), _SNAPSHOT_FIELDS)
    to_update = []
    for key, rec in plan.organizations.items():
        snap = stored.get(key)
        if snap is None:
            continue
        shared = any(svc.also_at for loc in rec.locations.values() for svc in loc.services.values())
        if not shared and organization_unchanged(snap, rec, _SNAPSHOT_FIELDS):  # the snapshot has no shared links
            for loc_key, loc_rec in rec.locations.items():
                located_ids[(key, loc_key)] = snap.locations[loc_key].id
                for svc_rec in loc_rec.services.values():
                    for row in svc_rec.rows:
                        row_actions.setdefault(row, "unchanged")
        else:
            to_update.append(key)
    existing = _load_organizations(session, to_update)
    new_orgs = [(key, rec) for key, rec in plan.organizations.items() if key not in stored]
    for org_key, org_rec in plan.organizations.items():
        org = existing.get(org_key)
        if org is None:
            continue  # unchanged, or new and written in bulk below
        org_action = "unchanged"
        org_changed = _set_fields(org, org_rec.fields)
        org_changed |= _sync_children(org.phones, org_rec.phones, Phone, _PHONE_FIELDS)
        if org_changed:
            org_action = "updated"
            outcome.changed = True
        by_key = {loc.location_key: loc for loc in org.locations}
        for loc_key, loc_rec in org_rec.locations.items():
            loc, loc_action = _write_location(org, by_key.get(loc_key), loc_rec, outcome)
            by_key[loc_key] = loc
            located[(org_key, loc_key)] = loc
            for svc_rec in loc_rec.services.values():
                current = None if loc_action == "created" else _find_service(org, loc, svc_rec)
                svc_action = _write_service(org, loc, svc_rec, current)
                action = _combine(loc_action, svc_action)
                if action != "unchanged":
                    outcome.changed = True
                for row in svc_rec.rows:
                    row_actions.setdefault(row, action)
        if _link_shared_services(org_rec, by_key):
            outcome.changed = True
        for svc_rec in org_rec.unlinked_services.values():
            current = next((s for s in org.services if not s.location_links
                            and nz.plain_key(s.name) == svc_rec.key), None)
            if _write_service(org, None, svc_rec, current) != "unchanged":
                outcome.changed = True
        for row in org_rec.rows:
            if org_action == "updated":
                row_actions[row] = "updated" if row_actions.get(row) == "unchanged" else row_actions.get(row, "updated")

    session.flush()
    located_ids.update({key: loc.id for key, loc in located.items()})
    if new_orgs:
        outcome.changed = True
        _bulk_create(session, new_orgs, outcome, row_actions, located_ids)
    for org_key, loc_key, rows in plan.duplicate_groups:
        loc_id = located_ids[(org_key, loc_key)]
        # Sixty identical rows would not fit the column: the list is cut, with the count kept.
        row_text = bounded_list(rows, DuplicateSuspect, "row_numbers")
        known = session.scalars(select(DuplicateSuspect.id).where(
            DuplicateSuspect.location_id == loc_id, DuplicateSuspect.source_file == source_file,
            DuplicateSuspect.row_numbers == row_text)).first()  # resolved ones too: a re-import adds nothing
        if known is None:
            session.add(DuplicateSuspect(location_id=loc_id, source_file=source_file, row_numbers=row_text,
                                         reason=DUPLICATE_ROWS(rows=", ".join(str(r) for r in rows))))

    status_for = {"created": IMPORTED, "updated": UPDATED, "unchanged": UNCHANGED}
    for rep in report.rows:
        action = row_actions.get(rep.row)
        if action is None or rep.status in (REJECTED, MERGED):
            continue
        rep.action = action
        if rep.status != CORRECTED:
            rep.status = status_for[action]
    return outcome


_BULK_PAGE = 500  # rows per INSERT: well under SQLite's bound-parameter limit for the widest table


def _defaults(table, now) -> dict:
    """Every column's value for a new row when the plan does not say (Core inserts need uniform keys)."""
    values = {}
    for column in table.columns:
        if column.primary_key:
            continue
        default = column.default
        if column.name in ("created_at", "updated_at"):
            values[column.name] = now
        elif default is not None and default.is_scalar:
            values[column.name] = default.arg
        else:
            values[column.name] = None
    return values


def _executemany(session: Session, table, rows: list[dict]) -> None:
    """Plain DBAPI executemany, values converted by each column's own type (as SQLAlchemy would).

    SQLAlchemy's per-row parameter handling costs more than the database itself here (about 130,000
    child rows for a 10,000-row file), so the statement is built once and the driver does the rest.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name == "postgresql":
        _copy_rows(conn, table, rows)
        return
    names = list(rows[0])
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer
    sql = (f"INSERT INTO {quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)}) "
           f"VALUES ({', '.join([mark] * len(names))})")
    get = itemgetter(*names)
    convert = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
    params = []
    for r in rows:
        values = list(get(r)) if len(names) > 1 else [get(r)]
        for i, proc in convert:
            if values[i] is not None:
                values[i] = proc(values[i])
        params.append(tuple(values))
    conn.exec_driver_sql(sql, params)


def _copy_rows(conn, table, rows: list[dict]) -> None:
    """PostgreSQL: COPY the rows in (psycopg adapts dates, times and booleans itself)."""
    names = list(rows[0])
    quote = conn.dialect.identifier_preparer
    get = itemgetter(*names)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        with cur.copy(f"COPY {quote.format_table(table)} ({', '.join(quote.quote(n) for n in names)}) "
                      "FROM STDIN") as copy:
            for r in rows:
                copy.write_row(get(r) if len(names) > 1 else (get(r),))


def _insert(session: Session, table, rows: list[dict], returning: bool = False) -> list[int]:
    """Insert rows; with ``returning``, their new ids in row order."""
    if not rows:
        return []
    if not returning:
        _executemany(session, table, rows)
        return []
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Reserve the ids from the table's own sequence (safe beside other writers), then COPY.
        ids = [r[0] for r in conn.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            (table.name, len(rows)))]
        _copy_rows(conn, table, [{"id": i, **r} for i, r in zip(ids, rows)])
        return ids
    if conn.dialect.name != "sqlite":
        ids = []
        for start in range(0, len(rows), _BULK_PAGE):
            result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                     rows[start:start + _BULK_PAGE])
            ids.extend(r[0] for r in result)
        return ids
    # SQLite runs RETURNING row by row when order matters. The first INSERT takes the database's
    # write lock, so nobody else can insert until commit, and an INTEGER PRIMARY KEY then takes
    # max(id) + 1 each time: the other rows' ids are the next consecutive numbers. Checked below.
    first = session.execute(insert(table).returning(table.c.id), rows[:1]).scalar_one()
    _executemany(session, table, rows[1:])
    last = first + len(rows) - 1
    count, top = session.execute(select(func.count(), func.max(table.c.id)).where(table.c.id >= first)).one()
    if (count, top) != (len(rows), last):
        raise RuntimeError(f"bulk insert into {table.name} did not get consecutive ids; nothing was written")
    return list(range(first, last + 1))


def _bulk_create(session: Session, new_orgs, outcome: WriteOutcome, row_actions: dict, located_ids: dict) -> None:
    """Insert organizations that do not exist yet, with everything under them, in a few multi-row INSERTs.

    The ORM unit of work issues one INSERT per object; a 10,000-row directory has about 100,000
    objects, so new organizations (the whole file, on a first import) go through Core instead.
    """
    now = utcnow()
    tables = {m: m.__table__ for m in (Organization, Location, Service, Address, Phone, Schedule, Language,
                                       ServiceType, ServiceAtLocation)}
    defaults = {m: _defaults(t, now) for m, t in tables.items()}

    def row(model, **values):
        return {**defaults[model], **values}

    org_ids = _insert(session, tables[Organization], [
        row(Organization, name_key=key, **{**{k: v for k, v in rec.create_fields.items() if v}, **rec.fields})
        for key, rec in new_orgs], returning=True)
    locs = [(org_id, key, rec, loc_rec) for org_id, (key, rec) in zip(org_ids, new_orgs)
            for loc_rec in rec.locations.values()]
    loc_ids = _insert(session, tables[Location], [
        row(Location, organization_id=org_id, location_key=loc_rec.key, **loc_rec.fields)
        for org_id, _key, _rec, loc_rec in locs], returning=True)

    children: dict[type, list[dict]] = {m: [] for m in (Address, Phone, Schedule, Language, ServiceType,
                                                        ServiceAtLocation)}
    for org_id, (_key, rec) in zip(org_ids, new_orgs):
        children[Phone].extend(row(Phone, organization_id=org_id, **{f: p.get(f) for f in _PHONE_FIELDS})
                               for p in rec.phones or [])
    services: list[tuple[int, int | None, ServiceRecord]] = []
    for loc_id, (org_id, org_key, rec, loc_rec) in zip(loc_ids, locs):
        located_ids[(org_key, loc_rec.key)] = loc_id
        (outcome.placed_ids if loc_rec.has_coordinates else outcome.to_geocode_ids).append(loc_id)
        for model, items, fields in ((Address, loc_rec.addresses, _ADDRESS_FIELDS), (Phone, loc_rec.phones, _PHONE_FIELDS),
                                     (Schedule, loc_rec.schedules, _SCHEDULE_FIELDS),
                                     (Language, loc_rec.languages, _LANGUAGE_FIELDS)):
            children[model].extend(row(model, location_id=loc_id, **{f: v.get(f) for f in fields}) for v in items or [])
        services.extend((org_id, loc_id, svc) for svc in loc_rec.services.values())
        for svc in loc_rec.services.values():
            for r in svc.rows:
                row_actions.setdefault(r, "created")
        outcome.created_locations += 1
    for org_id, (_key, rec) in zip(org_ids, new_orgs):
        services.extend((org_id, None, svc) for svc in rec.unlinked_services.values())
    svc_ids = _insert(session, tables[Service], [row(Service, organization_id=org_id, **svc.fields)
                                                 for org_id, _loc, svc in services], returning=True)
    org_keys = {org_id: key for org_id, (key, _rec) in zip(org_ids, new_orgs)}
    for svc_id, (org_id, loc_id, svc) in zip(svc_ids, services):
        for key, description in svc.also_at.items():
            other = located_ids.get((org_keys[org_id], key))
            if other is not None and other != loc_id:
                children[ServiceAtLocation].append(row(ServiceAtLocation, service_id=svc_id, location_id=other,
                                                       description=description))
        children[ServiceType].extend(row(ServiceType, service_id=svc_id, slug=slug) for slug in sorted(svc.types or []))
        children[Language].extend(row(Language, service_id=svc_id, **{f: v.get(f) for f in _LANGUAGE_FIELDS})
                                  for v in svc.languages or [])
        children[Schedule].extend(row(Schedule, service_id=svc_id, **{f: v.get(f) for f in _SCHEDULE_FIELDS})
                                  for v in svc.schedules or [])
        if loc_id is not None:
            children[ServiceAtLocation].append(row(ServiceAtLocation, service_id=svc_id, location_id=loc_id,
                                                   description=svc.link_description))
    for model, rows in children.items():
        _insert(session, tables[model], rows)


def _load_locations(session: Session, ids: list[int]) -> list[Location]:
    """ORM objects for bulk-inserted locations the geocoder (or neighbourhood assignment) works on."""
    found: list[Location] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        found.extend(session.scalars(select(Location).where(Location.id.in_(chunk)).options(
            selectinload(Location.addresses), selectinload(Location.organization)).order_by(Location.id)))
    return found


def _combine(loc_action: str, svc_action: str) -> str:
    if "created" in (loc_action, svc_action):
        return "created"
    if "updated" in (loc_action, svc_action):
        return "updated"
    return "unchanged"


def _record_audit(session: Session, outcome: WriteOutcome, report: ImportReport, actor) -> None:
    """One entry for the import as a whole, and one per existing location it changed (before and after)."""
    actor = actor or ACTOR_IMPORT(source=report.source)
    counts = {status: n for status, n in sorted(report.counts().items())}
    record_audit(session, actor, "import", "import", report.source, None,
                 {"file": report.source, "rows": counts, "locations_created": outcome.created_locations,
                  "locations_updated": outcome.updated_locations})
    for loc, before, after in outcome.location_changes:
        record_audit(session, actor, "import.update", "location", loc.id, before, after)


def apply_plan(database, plan: Plan, report: ImportReport, *, settings=None, dry_run: bool = False,
               geocode: bool = True, actor=None) -> ImportReport:
    """One transaction: write, bump the directory version once if anything changed, geocode, commit.

    Any error rolls everything back; a dry run rolls back on purpose after filling in the report.
    """
    with database.sessions() as session:
        session.begin()
        try:
            outcome = write_plan(session, plan, report, source_file=report.source)
            report.directory_changed = outcome.changed
            if outcome.changed and not dry_run:
                bump_directory_version(session)
                _record_audit(session, outcome, report, actor)
            placed_fresh = _load_locations(session, outcome.placed_ids)
            outcome.placed.extend(placed_fresh)
            with session.no_autoflush:
                _assign_neighbourhoods([loc for loc in outcome.placed if "neighbourhood_number" not in
                                        _supplied(plan, loc)])
                _write_geocodes(session, placed_fresh)
            fresh: list[Location] = []
            if geocode and not dry_run and outcome.to_geocode_ids:
                fresh = _load_locations(session, outcome.to_geocode_ids)
                outcome.to_geocode.extend(fresh)
            if geocode and not dry_run and outcome.to_geocode:
                with session.no_autoflush:
                    summary = geocode_locations(session, outcome.to_geocode, settings=settings)
                    _write_geocodes(session, fresh)
                session.flush()
                report.geocoding = (f"{len(outcome.to_geocode)} location(s) sent to the geocoder; "
                                    f"{summary.needs_attention} need attention")
            if dry_run:
                session.rollback()
            else:
                session.commit()
                report.applied = True
        except BaseException:
            session.rollback()
            raise
    return report


_GEOCODE_COLUMNS = ("latitude", "longitude", "geocode_method", "geocode_precision_m", "geocode_confidence",
                    "geocode_source", "geocoded_at", "geocode_status", "geocode_note", "geocoded_address",
                    "neighbourhood_number", "neighbourhood_name", "ward", "outside_city")


def _write_geocodes(session: Session, locations: list[Location]) -> None:
    """Write the geocoder's answers for locations bulk-inserted by this import in one executemany.

    The ORM would send one versioned UPDATE per location (seconds for 10,000). These rows were
    created in this same transaction, so nobody else holds their version yet.
    """
    if not locations:
        return
    table = Location.__table__
    rows = [{"_id": loc.id, **{c: getattr(loc, c) for c in _GEOCODE_COLUMNS}} for loc in locations]
    statement = update(table).where(table.c.id == bindparam("_id")).values(
        {c: bindparam(c) for c in _GEOCODE_COLUMNS})
    session.connection().execute(statement, rows)
    for loc in locations:
        session.expunge(loc)  # their changes are written; keep the unit of work from writing them again


def _supplied(plan: Plan, loc: Location) -> set[str]:
    org = plan.organizations.get(loc.organization.name_key)
    rec = org.locations.get(loc.location_key) if org else None
    return set(rec.fields) if rec else set()


def _assign_neighbourhoods(locations: list[Location]) -> None:
    """Neighbourhood and ward for pins the file carried without them (the geocoder does this for the rest)."""
    if not locations:
        return
    try:
        matches = assign_neighbourhoods([loc.latitude for loc in locations], [loc.longitude for loc in locations])
    except (NotImplementedError, FileNotFoundError, ImportError):
        return  # no boundary data on this machine: the pins stay, without a neighbourhood
    for loc, match in zip(locations, matches):
        _set_fields(loc, {"neighbourhood_number": match.number, "neighbourhood_name": match.name,
                          "ward": match.ward, "outside_city": match.outside_city})
