"""Geocode directory locations in place (import and `elip-map geocode` both come through here).

CONTRACT: ``geocode_locations(session, locations, *, settings=None, force=False) -> GeocodeSummary``
sets each location's coordinates, geocode provenance (method, precision_m, confidence, source,
geocoded_at, status, note), and neighbourhood/ward/outside_city; skips locations whose address
did not change since their last geocode unless ``force``; never touches status ``manual`` pins.
It runs inside the caller's transaction and never commits.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from ..directory.models import GeocodeCache, GeocodeStatus, Location, utcnow
from ..spatial.neighbourhoods import assign_neighbourhoods
from .chain import OK, OnlineCache, geocode_parsed_batch
from . import notes as N
from .online import OnlineHit, online_geocoder_from_settings
from .parse import CIVIC, INTERSECTION, name_pieces, parse_address

ONLINE_CACHE_METHOD = "online"


@dataclass
class GeocodeSummary:
    by_method: Counter = field(default_factory=Counter)
    needs_attention: int = 0
    skipped_unchanged: int = 0
    manual_kept: int = 0


class DatabaseOnlineCache(OnlineCache):
    """Online answers in the GeocodeCache table, by normalised query (a "no match" is kept too)."""

    def __init__(self, session):
        self.session = session

    def get(self, key: str):
        row = self.session.execute(select(GeocodeCache).where(
            GeocodeCache.address_key == key[:500], GeocodeCache.method == ONLINE_CACHE_METHOD)).scalar_one_or_none()
        if row is None:
            return False, None
        if row.latitude is None:
            return True, None
        return True, OnlineHit(row.latitude, row.longitude, row.precision_m or 3000.0, "",
                               json.loads(row.raw) if row.raw else {})

    def put(self, key: str, hit: OnlineHit | None, source: str) -> None:
        self.session.add(GeocodeCache(
            address_key=key[:500], method=ONLINE_CACHE_METHOD, source=source[:300],
            latitude=hit.lat if hit else None, longitude=hit.lon if hit else None,
            precision_m=hit.precision_m if hit else None, confidence=None,
            raw=json.dumps(hit.raw)[:20000] if hit else None))
        self.session.flush()


def address_text(loc: Location) -> tuple[str, str | None, str | None]:
    """(street text, postal code, city) of a location's physical address; empty text if none."""
    # address_type gets its "physical" default only at flush: a new, unflushed address has None.
    addr = loc.physical_address or next((a for a in loc.addresses if a.address_type is None), None)
    if addr is None:
        return "", None, None
    street = ", ".join(p for p in (addr.address_2, addr.address_1) if p)
    return street, addr.postal_code, addr.city


def _signature(street: str, postal: str | None, city: str | None, name: str | None = None) -> str:
    """What the current geocode was made from (Location.geocoded_address): with no street address,
    the location's name too, which is read in its stead (renaming it places it again)."""
    parts = [street.strip(), (postal or "").strip().upper(), (city or "").strip()]
    if not street.strip() and (name or "").strip():
        parts.append((name or "").strip())
    return " | ".join(parts)[:500]


def parse_location_address(loc: Location, street: str, postal: str | None, city: str | None):
    """A location's address as the chain reads it, its name standing in for a missing street
    (the geocoder and the self-check must read a location the same way)."""
    parsed = parse_address(street, postal, city)
    if not street.strip() and loc.name:
        # No street address, but a location name like "Centre (82 Street at 117 Avenue)": use it.
        from_name = parse_address(loc.name, postal, city)
        if from_name.kind in (CIVIC, INTERSECTION) and from_name.grid_xy() is not None:
            from_name.notes.append(N.PLACED_FROM_NAME())
            return from_name
        # Or one naming a place ("Information Centre, City Hall"): the chain looks the pieces up.
        parsed.name_pieces = name_pieces(loc.name)
    return parsed


def _assign_neighbourhoods(placed: list[Location]) -> bool:
    """Neighbourhood, ward and outside_city for placed locations; False if the data is not there."""
    if not placed:
        return True
    try:
        matches = assign_neighbourhoods([l.latitude for l in placed], [l.longitude for l in placed])
    except (NotImplementedError, FileNotFoundError, ImportError):
        return False
    for loc, m in zip(placed, matches):
        loc.neighbourhood_number, loc.neighbourhood_name, loc.ward = m.number, m.name, m.ward
        loc.outside_city = m.outside_city
    return True


def geocode_locations(session, locations, *, settings=None, force=False, online=None) -> GeocodeSummary:
    """Geocode the given locations in place (see the module docstring for the contract).

    ``online`` overrides the geocoder built from ``settings`` (tests pass one with short timeouts).
    """
    summary = GeocodeSummary()
    todo: list[tuple[Location, str]] = []
    parsed, cities = [], []
    for loc in locations:
        if loc.geocode_status == GeocodeStatus.MANUAL.value:
            summary.manual_kept += 1
            continue
        street, postal, city = address_text(loc)
        sig = _signature(street, postal, city, loc.name)
        if not force and loc.geocoded_address == sig and loc.geocoded_at is not None:
            summary.skipped_unchanged += 1
            continue
        todo.append((loc, sig))
        parsed.append(parse_location_address(loc, street, postal, city))
        cities.append(city)
    if not todo:
        return summary
    if online is None:
        online = online_geocoder_from_settings(settings)
    results = geocode_parsed_batch(parsed, cities=cities, online=online,
                                   cache=DatabaseOnlineCache(session) if online is not None else None)
    now = utcnow()
    placed: list[Location] = []
    for (loc, sig), res in zip(todo, results):
        loc.geocoded_address = sig
        loc.geocoded_at = now
        loc.geocode_method = res.method
        loc.geocode_precision_m = res.precision_m
        loc.geocode_confidence = res.confidence
        loc.geocode_source = res.source
        notes = [n for n in res.notes] + ([res.message] if res.message else [])
        loc.geocode_note = N.SEPARATOR.join(notes) or None
        if res.status == OK:
            loc.latitude, loc.longitude = res.lat, res.lon
            loc.geocode_status = GeocodeStatus.OK.value
            loc.outside_city = res.outside_city
            summary.by_method[res.method] += 1
            placed.append(loc)
        else:
            # Never leave an old pin behind for an address that no longer places.
            loc.latitude = loc.longitude = None
            loc.geocode_status = GeocodeStatus.NEEDS_ATTENTION.value
            loc.neighbourhood_number = loc.neighbourhood_name = loc.ward = None
            loc.outside_city = res.outside_city
            summary.needs_attention += 1
    _assign_neighbourhoods(placed)
    return summary
