"""What an import wants the directory to hold, before it touches the database.

Both readers (spreadsheets and HSDS JSON) produce these records and one writer applies them, so the
rules for matching, updating and leaving things alone live in one place.

Convention: a field is only authoritative when the source supplied it. ``fields`` dicts hold only
the columns the file had (an empty cell clears the value); child lists are ``None`` when the file
had no such column, and are then left as they are in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
