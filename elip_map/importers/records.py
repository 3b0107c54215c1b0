"""What an import wants the directory to hold, before it touches the database.

Both readers (spreadsheets and HSDS JSON) produce these records and one writer applies them, so the
rules for matching, updating and leaving things alone live in one place.

Convention: a field is only authoritative when the source supplied it. ``fields`` dicts hold only
the columns the file had (an empty cell clears the value); child lists are ``None`` when the file
had no such column, and are then left as they are in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..directory.models import (Address, Language, Location, Organization, Phone, Schedule, Service, ServiceAtLocation,
                                ServiceType)
from ..directory.values import check_row


@dataclass
class ServiceRecord:
    key: str  # plain key of the service name, unique within its location
    fields: dict = field(default_factory=dict)
    types: list[str] | None = None  # ServiceType slugs
    languages: list[dict] | None = None  # {"code", "note"}
    schedules: list[dict] | None = None
    link_description: str | None = None
    # Other locations of the same organization that offer this very service (HSDS input: one service,
    # several service_at_locations): location key -> description of that link.
    also_at: dict[str, str | None] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)


@dataclass
class LocationRecord:
    key: str  # Location.location_key
    fields: dict = field(default_factory=dict)
    addresses: list[dict] | None = None
    phones: list[dict] | None = None  # {"number", "extension", "type", "description"}
    schedules: list[dict] | None = None  # {"weekday", "opens_at", "closes_at", "valid_from", "valid_to", "description"}
    languages: list[dict] | None = None
    services: dict[str, ServiceRecord] = field(default_factory=dict)
    has_coordinates: bool = False  # the source carried lat/lon: keep them, do not geocode
    rows: list[int] = field(default_factory=list)


@dataclass
class OrganizationRecord:
    key: str  # Organization.name_key
    fields: dict = field(default_factory=dict)
    # Fields set only when the organization is created (several rows of one organization may disagree).
    create_fields: dict = field(default_factory=dict)
    phones: list[dict] | None = None
    locations: dict[str, LocationRecord] = field(default_factory=dict)
    # Services linked to no location (HSDS input only).
    unlinked_services: dict[str, ServiceRecord] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)


@dataclass
class Plan:
    """Everything one import would write, in source order."""

    organizations: dict[str, OrganizationRecord] = field(default_factory=dict)
    duplicate_groups: list[tuple[str, str, list[int]]] = field(default_factory=list)  # org key, loc key, rows


def check_plan(plan: Plan, limit: int = 5) -> list[str]:
    """Every value of the plan against its table's types and lengths, before anything is written.

    The readers check what people typed; this is the last word for everything, derived keys and
    our own export's extra columns included, so the database never has to refuse a value itself
    (PostgreSQL would, with a traceback; SQLite would store it). Returns up to ``limit`` messages,
    each naming the rows and the ``table.column``, and a count of the rest.
    """
    problems: list[str] = []

    def check(model, values: dict, rows: list[int]) -> None:
        where = ", ".join(str(r) for r in rows[:3]) + (" ..." if len(rows) > 3 else "") or "?"
        problems.extend(str(p.in_row(where)) for p in check_row(model, values))

    for org in plan.organizations.values():
        check(Organization, {"name_key": org.key, **org.create_fields, **org.fields}, org.rows)
        for phone in org.phones or []:
            check(Phone, phone, org.rows)
        services = list(org.unlinked_services.values())
        for loc in org.locations.values():
            check(Location, {"location_key": loc.key, **loc.fields}, loc.rows)
            for model, items in ((Address, loc.addresses), (Phone, loc.phones), (Schedule, loc.schedules),
                                 (Language, loc.languages)):
                for values in items or []:
                    check(model, values, loc.rows)
            services.extend(loc.services.values())
        for svc in services:
            rows = svc.rows or org.rows
            check(Service, svc.fields, rows)
            check(ServiceAtLocation, {"description": svc.link_description}, rows)
            for slug in svc.types or []:
                check(ServiceType, {"slug": slug}, rows)
            for model, items in ((Language, svc.languages), (Schedule, svc.schedules)):
                for values in items or []:
                    check(model, values, rows)
    if len(problems) > limit:
        problems[limit:] = [f"... and {len(problems) - limit} more"]
    return problems
