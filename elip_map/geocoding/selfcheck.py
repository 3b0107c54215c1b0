"""Self-check: where two geocoding methods put one address more than 300 m apart, one is wrong.

The chain keeps every method's point (``GeocodeResult.alternatives``); this module compares them
(grid against the City's address point, a street method against a full postal code...) and lists
the locations for staff, with both positions, on the data-health page. Staff then choose one with
the same pin tool as for locations the geocoder could not place.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..directory.models import GeocodeStatus, Location
from ..i18n import DEFAULT_UI, format_metres
from .apply import parse_location_address, address_text
from .chain import geocode_parsed_batch
from .grid import haversine_m
from .notes import method_label

DISAGREE_M = 300.0
# Methods precise enough that 300 m between two of them means one is wrong (a postal AREA is
# kilometres wide: never compared).
COMPARED_METHODS = ("address-point", "centreline", "grid", "road", "place", "online", "postal")


@dataclass(frozen=True)
class Disagreement:
    method_a: str
    lat_a: float
    lon_a: float
    method_b: str
    lat_b: float
    lon_b: float
    distance_m: float


def disagreements(alternatives: list[tuple[str, float, float]], limit_m: float = DISAGREE_M) -> list[Disagreement]:
    """Every pair of methods further apart than ``limit_m``, the chain's choice first.

    >>> [d.method_b for d in disagreements([("grid", 53.5, -113.5), ("address-point", 53.51, -113.5)])]
    ['address-point']
    """
    pts = [a for a in alternatives if a[0] in COMPARED_METHODS]
    out = []
    for (ma, la, oa), (mb, lb, ob) in combinations(pts, 2):
        d = float(haversine_m(la, oa, lb, ob))
        if d > limit_m and ma != mb:
            out.append(Disagreement(ma, la, oa, mb, lb, ob, round(d)))
    return out


def disagreement_rows(session: Session, limit_m: float = DISAGREE_M, *, ui: str = DEFAULT_UI,
                      **chain_options) -> list[dict]:
    """Open, automatically placed locations whose methods disagree: one row per location, with the
    two positions furthest apart, for the data-health page (``methods`` and ``apart`` written for a
    reader of ``ui``: "grille des rues numérotées / lieu nommé", "1 234 m")."""
    stmt = (select(Location).where(Location.closed.is_(False), Location.geocode_status == GeocodeStatus.OK.value)
            .options(selectinload(Location.organization), selectinload(Location.addresses)).order_by(Location.id))
    locations = list(session.scalars(stmt))
    texts = [address_text(loc) for loc in locations]
    parsed = [parse_location_address(loc, *t) for loc, t in zip(locations, texts)]
    results = geocode_parsed_batch(parsed, cities=[t[2] for t in texts], **chain_options)
    rows = []
    for loc, res in zip(locations, results):
        found = disagreements(res.alternatives, limit_m)
        if not found:
            continue
        worst = max(found, key=lambda d: d.distance_m)
        address = loc.physical_address
        rows.append({
            "location_id": loc.id, "organization": loc.organization.name, "name": loc.name or "",
            "address": address.one_line() if address else "", "version": loc.version,
            "method_a": worst.method_a, "lat_a": round(worst.lat_a, 6), "lon_a": round(worst.lon_a, 6),
            "method_b": worst.method_b, "lat_b": round(worst.lat_b, 6), "lon_b": round(worst.lon_b, 6),
            "distance_m": int(worst.distance_m),
            "methods": f"{method_label(worst.method_a, ui)} / {method_label(worst.method_b, ui)}",
            "apart": format_metres(worst.distance_m, ui),
        })
    return rows


def position_choices(row: dict, ui: str = DEFAULT_UI) -> list[dict]:
    """The two positions of a disagreement as choices for staff ("numbered-street grid: 53.54321, -113.50012")."""
    return [{"label": f"{method_label(row[f'method_{k}'], ui)}: {row[f'lat_{k}']:.5f}, {row[f'lon_{k}']:.5f}",
             "value": f"{row[f'lat_{k}']},{row[f'lon_{k}']}"} for k in ("a", "b")]


def parse_choice(value: str | None) -> list[float] | None:
    """``"53.5,-113.5"`` -> ``[53.5, -113.5]``; None for anything else."""
    try:
        lat, lon = (float(v) for v in str(value).split(","))
    except (TypeError, ValueError):
        return None
    return [lat, lon]


def pin_start(row: dict, default: tuple[float, float], ui: str = DEFAULT_UI) -> tuple[list[float], int, list[dict]]:
    """Where the staff pin starts for a picked row, the map zoom, and the positions to choose from.

    A needs-attention row starts where it is (or at ``default``), zoom 15; a disagreement starts at
    the chain's choice with both positions offered, zoomed out one step so both show.
    """
    if "method_a" in row:
        choices = position_choices(row, ui)
        return parse_choice(choices[0]["value"]), 14, choices
    start = [row["lat"], row["lon"]] if row.get("lat") is not None else list(default)
    return start, 15, []
