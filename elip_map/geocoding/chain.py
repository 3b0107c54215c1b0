"""The geocoding chain: the methods in order of measured accuracy, each result with its provenance.

Order (offline first): the calibrated grid (held-out median ~55 m, p90 ~140 m), then the online
geocoder when configured (only for what the grid cannot place), then a full postal code (a few
hundred metres), then the postal area (FSA, kilometres: never enough for a public pin).
A manual pin set by staff wins over all of them; ``apply.geocode_locations`` keeps those.

A result is ``ok`` only when its expected error is within ``accept_precision_m`` and it lies in
the Edmonton region; otherwise it is ``needs-attention`` with no coordinates and a message in plain
words. Two methods that disagree by more than the postal code's own uncertainty mean one of them
is wrong, so the location goes to a person rather than to either point.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..rules.region import in_region
from .address_points import ADDRESS_POINT_PRECISION_M, CENTRELINE_PRECISION_M, CityIndexes, load_city_indexes
from .gazetteer import MUNICIPALITY, Gazetteer, Place, load_gazetteer
from . import notes as N
from .grid import GridModel, haversine_m, load_grid_model
from .online import SOURCE_ATTRIBUTION, OnlineGeocoder, OnlineHit, OnlineUnavailable
from .parse import (CIVIC, INTERSECTION, NAMED_ROAD, PO_BOX, POSTAL_ONLY, UNPARSED, NamedRoadRef, ParsedAddress,
                    parse_address)
from .postal import PostalIndex, load_postal_index
from .roads import RoadHit, RoadModel, load_road_model

OK = "ok"
NEEDS_ATTENTION = "needs-attention"

# Directory locations: a pin on the public map must be within a few hundred metres.
LOCATION_PRECISION_M = 500.0
# "Near me" searches: the centre of a postal area is a usable origin for ranking by distance.
QUERY_PRECISION_M = 5000.0
# Disagreement allowed between a street geocode and the postal point (its own uncertainty).
DISAGREE_FULL_M = 1000.0
DISAGREE_FSA_M = 6000.0

GRID_SOURCE = "Edmonton grid model calibrated on ETS stops (Open Government Licence - City of Edmonton)"
ADDRESS_POINT_METHOD = "address-point"
CENTRELINE_METHOD = "centreline"
# Methods that place a street address (not a postal area or a town): one of them is enough.
STREET_METHODS = frozenset({ADDRESS_POINT_METHOD, CENTRELINE_METHOD, "grid", "road", "online"})
CITY_SOURCE = ("City of Edmonton property assessment address points, Open Government Licence - City of "
               "Edmonton")
CITY_LINES_SOURCE = "City of Edmonton road network centrelines, Open Government Licence - City of Edmonton"
PLACE_METHOD = "place"
MUNICIPALITY_METHOD = "municipality"
# Directory addresses: a typo in a place name is forgiven less than in the "near" box.
PLACE_FUZZY_CUTOFF = 92.0
# A named place is accepted up to this stated precision (a university campus), marked approximate
# beyond the usual ``accept_precision_m``.
PLACE_EXTENT_M = 1000.0
ROAD_SOURCE = ("road model: points along named and numbered roads from ETS stops, grid-rule house numbers "
               "(Open Government Licence - City of Edmonton)")
POSTAL_SOURCE = "postal-code centres from countrystatecity-postal-codes (ODbL 1.0)"


@dataclass
class GeocodeResult:
    lat: float | None
    lon: float | None
    method: str | None          # "grid", "online", "postal", "postal-fsa"; None when unplaced
    precision_m: float | None
    confidence: float           # 0..1, from the expected error
    source: str | None
    status: str                 # "ok" or "needs-attention"
    message: str | None = None  # why it needs attention, or what was approximated
    outside_city: bool = False  # a region municipality (St. Albert...), by the address text
    address_key: str = ""
    notes: list[str] = field(default_factory=list)
    # Every method that gave a point, best first: (method, lat, lon). For the self-check.
    alternatives: list[tuple[str, float, float]] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        return self.status == OK and self.lat is not None


class OnlineCache:
    """What the chain needs from a cache of online answers (the database one is in apply.py)."""

    def get(self, key: str) -> tuple[bool, OnlineHit | None]:  # (found, hit-or-None)
        return False, None

    def put(self, key: str, hit: OnlineHit | None, source: str) -> None:
        return None


def _confidence(precision_m: float) -> float:
    return round(max(0.05, min(0.99, 1.0 - precision_m / 2000.0)), 2)


def _attention(parsed: ParsedAddress, message: str) -> GeocodeResult:
    return GeocodeResult(None, None, None, None, 0.0, None, NEEDS_ATTENTION, message,
                         parsed.outside_city, parsed.key(), list(parsed.notes))


def _online_query(parsed: ParsedAddress, city: str | None) -> str | None:
    text = parsed.raw.strip()
    if not text or parsed.kind == PO_BOX or parsed.outside_region:
        return None
    place = parsed.municipality or (city or "").strip() or "Edmonton"
    return f"{text}, {place}, Alberta, Canada"


def geocode_parsed_batch(parsed: Sequence[ParsedAddress], *, cities: Sequence[str | None] | None = None,
                         grid: GridModel | None = None, postal: PostalIndex | None = None,
                         online: OnlineGeocoder | None = None, cache: OnlineCache | None = None,
                         roads: RoadModel | None = None, gazetteer: Gazetteer | None = None,
                         city: CityIndexes | None = None,
                         accept_precision_m: float = LOCATION_PRECISION_M) -> list[GeocodeResult]:
    """Geocode many parsed addresses; the grid step is one vectorised call for all of them.

    ``roads``: the named-road model (default: the shipped one; ``RoadModel.empty()`` leaves it out);
    ``gazetteer``: named places (default: the shipped one; ``Gazetteer([])`` leaves it out);
    ``city``: the City's address points and centrelines (default: the refreshed ones in the
    instance folder, if any; ``NO_CITY_INDEXES`` leaves them out).
    """
    grid = grid or load_grid_model()
    roads = load_road_model() if roads is None else roads
    gazetteer = load_gazetteer() if gazetteer is None else gazetteer
    city = load_city_indexes() if city is None else city
    postal = postal or load_postal_index()
    cache = cache or OnlineCache()
    cities = cities or [None] * len(parsed)
    xy = [p.grid_xy() for p in parsed]
    has = np.array([v is not None for v in xy])
    east = np.array([v[0] if v else 0.0 for v in xy])
    north = np.array([v[1] if v else 0.0 for v in xy])
    lat = np.full(len(parsed), np.nan)
    lon = np.full(len(parsed), np.nan)
    support = np.full(len(parsed), np.inf)
    if has.any():
        la, lo, ed = grid.locate(east[has], north[has])
        lat[has], lon[has], support[has] = la, lo, ed
    max_edge = float(grid.meta.get("max_support_m", 1000.0))
    prec = grid.precision_m(np.where(np.isfinite(support), support, 0.0))
    online_seen: dict[str, OnlineHit | None] = {}
    online_down = False
    results: list[GeocodeResult] = []
    for i, p in enumerate(parsed):
        if p.outside_region:
            results.append(_attention(p, p.problem or N.OUTSIDE_REGION()))
            continue
        if p.kind == PO_BOX:
            results.append(_attention(p, p.problem or N.PO_BOX_NOT_A_PLACE()))
            continue
        candidates: list[tuple[str, float, float, float, str]] = []  # method, lat, lon, precision, source
        problems: list[str] = []
        if p.problem:
            problems.append(p.problem)
        _city_step(p, city, candidates, problems)
        if has[i]:
            if np.isnan(lat[i]) or support[i] > max_edge:
                problems.append(N.GRID_NOT_CALIBRATED())
            else:
                candidates.append(("grid", float(lat[i]), float(lon[i]), float(prec[i]), GRID_SOURCE))
        if not any(c[0] in STREET_METHODS for c in candidates) and roads:
            hit = _road_step(p, roads, problems)
            if hit is not None:
                candidates.append(("road", hit.lat, hit.lon, hit.precision_m, ROAD_SOURCE))
                p.notes.append(N.PLACED_ALONG_ROAD(detail=hit.detail))
        named: Place | None = None   # the place the result stands at, when it is a named place
        if not candidates and gazetteer and p.municipality is None:
            named = _place_step(p, gazetteer)
            if named is not None:
                p.notes.append(N.PLACED_AT_PLACE(place=named.name))
        if not candidates and named is None and gazetteer and p.municipality is None and p.name_pieces \
                and not p.raw.strip():
            # No street address at all, and the location's name names a place ("..., City Hall").
            named = gazetteer.find_in_pieces(p.name_pieces)
            if named is not None:
                p.notes.append(N.PLACED_AT_NAMED_PLACE(place=named.name))
        if named is not None:
            candidates.append((PLACE_METHOD, named.lat, named.lon, named.precision_m, f"gazetteer: {named.source}"))
        if gazetteer and p.municipality is None and any(c[0] in STREET_METHODS for c in candidates):
            # A place named beside the street address (a mall, a station): a second opinion.
            place = _named_place_in(p, gazetteer, fuzzy=False)
            if place is not None:
                candidates.append((PLACE_METHOD, place.lat, place.lon, place.precision_m, place.name))
        if not candidates and online is not None and not online_down:
            query = _online_query(p, cities[i])
            if query:
                key = p.key()   # the normalised address: one cache entry however it was typed
                if key in online_seen:
                    hit = online_seen[key]
                else:
                    found, hit = cache.get(key)
                    if not found:
                        try:
                            hit = online.geocode(query)
                            cache.put(key, hit, online.source)
                        except OnlineUnavailable as exc:
                            # One failed address (after retries) means the server is down for this
                            # batch: stop asking, finish offline.
                            online_down = True
                            hit = None
                            problems.append(N.ONLINE_UNAVAILABLE(error=exc))
                    online_seen[key] = hit
                if hit is not None:
                    candidates.append(("online", hit.lat, hit.lon, hit.precision_m,
                                       f"{online.source}; {SOURCE_ATTRIBUTION}"))
        if not candidates and gazetteer and p.municipality is not None:
            # Last street-level resort for a neighbouring town: its centre, marked outside the city.
            place = _place_step(p, gazetteer)
            if place is not None:
                candidates.append((MUNICIPALITY_METHOD, place.lat, place.lon, place.precision_m,
                                   f"gazetteer: {place.source}"))
        post = postal.lookup(p.postal_code) if p.postal_code else None
        if post is not None:
            method = "postal" if post.level == "full" else "postal-fsa"
            candidates.append((method, post.lat, post.lon, post.precision_m, POSTAL_SOURCE))
        elif p.postal_code and p.postal_code[0] != "T":
            problems.append(N.NOT_ALBERTA_POSTAL(code=p.postal_code))

        if not candidates:
            results.append(_attention(p, N.SEPARATOR.join(problems) or N.NO_METHOD()))
            continue
        best = candidates[0]
        # Cross-check the street result with the postal point, if both exist.
        if post is not None and best[0] in STREET_METHODS:
            limit = DISAGREE_FULL_M if post.level == "full" else DISAGREE_FSA_M
            d = float(haversine_m(best[1], best[2], post.lat, post.lon))
            if d > limit:
                results.append(_attention(p, N.POSTAL_DISAGREES(code=post.code, km=f"{d / 1000:.1f}")))
                continue
        far = _far_from_named_place(best, candidates)
        if far:
            results.append(_attention(p, far))
            continue
        method, b_lat, b_lon, b_prec, source = best
        if not in_region(b_lat, b_lon):
            results.append(_attention(p, N.RESULT_OUTSIDE_REGION()))
            continue
        # A named place as large as a campus is still the place (its stated precision says how large).
        extent_ok = method == PLACE_METHOD and named is not None and b_prec <= PLACE_EXTENT_M
        if b_prec > accept_precision_m and method != MUNICIPALITY_METHOD and not extent_ok:
            km = f"{b_prec / 1000:.1f}"
            what = (N.ONLY_POSTAL_AREA(fsa=p.postal_code[:3], km=km) if method == "postal-fsa"
                    else N.TOO_ROUGH(method=method, km=km))
            msg = N.SEPARATOR.join(problems + [what])
            results.append(_attention(p, msg))
            continue
        message = None
        if method == "postal-fsa":
            message = N.APPROX_POSTAL_AREA(fsa=p.postal_code[:3], km=f"{b_prec / 1000:.0f}")
        elif method == MUNICIPALITY_METHOD:
            message = N.APPROX_TOWN(municipality=p.municipality, km=f"{b_prec / 1000:.0f}")
        elif method == PLACE_METHOD and b_prec > accept_precision_m:
            message = N.APPROX_PLACE(place=named.name, km=f"{b_prec / 1000:.1f}")
        results.append(GeocodeResult(round(b_lat, 6), round(b_lon, 6), method, round(b_prec, 1),
                                     _confidence(b_prec), source, OK, message, p.outside_city, p.key(),
                                     list(p.notes), [(c[0], c[1], c[2]) for c in candidates]))
    return results


def _city_step(p: ParsedAddress, city: CityIndexes, candidates: list, problems: list[str]) -> None:
    """The City's own data first: the exact address point, else the road's centreline where it
    crosses the address's grid line (or where two named roads meet)."""
    if city.points is not None:
        hit = city.points.lookup(p)
        if hit is not None:
            candidates.append((ADDRESS_POINT_METHOD, hit.lat, hit.lon, ADDRESS_POINT_PRECISION_M, CITY_SOURCE))
            return
    lines = city.centrelines
    if lines is None or p.municipality or p.outside_region or p.ambiguous:
        return
    tries: list[tuple[str, str, float]] = []   # road key, axis, value
    if p.kind == CIVIC and p.road is not None and p.house_number is not None:
        axis = "north" if p.road.kind == "STREET" else "east"
        xy = p.grid_xy()
        if xy is not None:
            tries.append((p.road.label().upper(), axis, xy[1] if axis == "north" else xy[0]))
    elif p.kind == NAMED_ROAD:
        for ref in p.named_candidates:
            for q in ((ref.quadrant,) if ref.quadrant else ("NW", "SW", "NE", "SE")):
                for axis in ("north", "east"):
                    value = ref.house / 100.0
                    value = (-value if q in ("SW", "SE") else value) if axis == "north" else (
                        value if q in ("NE", "SE") else -value)
                    tries.append((f"{ref.key} {q}", axis, value))
        if isinstance(p.named_cross, NamedRoadRef) and p.named_road:
            for qa in ((p.named_quadrant,) if p.named_quadrant else ("NW", "SW", "NE", "SE")):
                met = lines.meeting(f"{p.named_road} {qa}", f"{p.named_cross.key} {p.named_cross.quadrant or qa}")
                if met is not None:
                    candidates.append((CENTRELINE_METHOD, met[0], met[1], CENTRELINE_PRECISION_M, CITY_LINES_SOURCE))
                    return
        elif p.named_cross is not None and p.named_road:
            other = p.named_cross
            axis = "north" if other.kind == "AVENUE" else "east"
            xy = (-other.value if other.quadrant in ("SW", "SE") else other.value) if axis == "north" else (
                other.value if other.quadrant in ("NE", "SE") else -other.value)
            for q in ((p.named_quadrant,) if p.named_quadrant else ("NW", "SW", "NE", "SE")):
                tries.append((f"{p.named_road} {q}", axis, xy))
    found = []
    for key, axis, value in tries:
        res = lines.crossing(key, axis, value)
        if isinstance(res, tuple):
            found.append(res)
    if found:
        spread = max(float(haversine_m(f[0], f[1], found[0][0], found[0][1])) for f in found)
        if spread <= 300.0:
            candidates.append((CENTRELINE_METHOD, found[0][0], found[0][1], CENTRELINE_PRECISION_M + spread,
                               CITY_LINES_SOURCE))


_UNIT_LEAD_RE = re.compile(r"^(?:#\s*)?\d+[A-Z]?\s*(?:-\s*)?")


def _far_from_named_place(best: tuple, candidates: list) -> str | None:
    """The street result far from a place the same text names: one of them is wrong."""
    if best[0] not in STREET_METHODS:
        return None
    for method, lat, lon, precision, name in candidates[1:]:
        if method != PLACE_METHOD:
            continue
        d = float(haversine_m(best[1], best[2], lat, lon))
        if d > max(DISAGREE_FULL_M, precision + 500.0):
            return N.PLACE_DISAGREES(place=name, km=f"{d / 1000:.1f}")
    return None


def _place_step(p: ParsedAddress, gazetteer: Gazetteer) -> Place | None:
    """A named place: the municipality of an address outside the city (its centre), or a place
    named in the text ("7 Sir Winston Churchill Square", "111 Ave @ Stadium TC")."""
    if p.outside_region or p.kind == PO_BOX or p.ambiguous:
        return None
    if p.municipality is not None:
        if not (p.raw or "").strip():
            return None   # no street address at all: a person must say where it is, not the town's centre
        place = gazetteer.find(p.municipality, fuzzy=False)
        return place if place is not None and place.kind == MUNICIPALITY else None
    if p.kind not in (UNPARSED, NAMED_ROAD) or not p.place_text:
        return None
    return _named_place_in(p, gazetteer, fuzzy=True)


def _named_place_in(p: ParsedAddress, gazetteer: Gazetteer, *, fuzzy: bool) -> Place | None:
    """A place named in one part of the text ("601 Mill Woods Town Centre, 2331 - 66 Street")."""
    for segment in re.split(r"\s*[,@]\s*", p.place_text or ""):
        segment = _UNIT_LEAD_RE.sub("", segment.strip())
        place = (gazetteer.find(segment, fuzzy=fuzzy, cutoff=PLACE_FUZZY_CUTOFF)
                 if len(segment) >= 4 and not segment[0].isdigit() else None)
        if place is not None and place.kind != MUNICIPALITY:
            return place
    return None


def _road_step(p: ParsedAddress, roads: RoadModel, problems: list[str]) -> RoadHit | None:
    """Named roads, and numbered ones where the grid refused them (its edges): the road model."""
    if p.municipality is not None or p.outside_region or p.ambiguous or p.off_grid:
        return None
    tries = []
    if p.kind == CIVIC and p.road is not None and p.house_number is not None:
        tries.append(lambda: roads.locate_house(p.road, p.house_number))
    elif p.kind == INTERSECTION and p.road is not None and p.cross is not None and p.road.kind != p.cross.kind:
        tries.append(lambda: roads.locate_grid_corner(p.road, p.cross))
    elif p.kind == NAMED_ROAD:
        for ref in p.named_candidates:
            tries.append(lambda ref=ref: roads.locate_house(ref, ref.house))
        if p.named_cross is not None and p.named_road:
            ref = NamedRoadRef(p.named_road, p.named_quadrant)
            tries.append(lambda: roads.locate_cross(ref, p.named_cross))
    reasons = []
    for attempt in tries:
        res = attempt()
        if isinstance(res, RoadHit):
            return res
        reasons.append(res.reason)
    if reasons:
        problems.append(reasons[-1] if p.kind != NAMED_ROAD else N.SEPARATOR.join(dict.fromkeys(reasons)))
    return None


def geocode_batch(rows: Iterable[tuple[str | None, str | None, str | None]], **kwargs) -> list[GeocodeResult]:
    """Geocode ``(address, postal_code, city)`` rows. See ``geocode_parsed_batch`` for the options."""
    rows = list(rows)
    parsed = [parse_address(a, pc, c) for a, pc, c in rows]
    return geocode_parsed_batch(parsed, cities=[c for _, _, c in rows], **kwargs)


def geocode_address(address: str | None, postal_code: str | None = None, city: str | None = None,
                    **kwargs) -> GeocodeResult:
    """One address through the chain: ``geocode_address("10310 102 Avenue").method == "grid"``."""
    return geocode_batch([(address, postal_code, city)], **kwargs)[0]


def geocode_query(text: str, settings=None, *, online: OnlineGeocoder | None = None) -> GeocodeResult | None:
    """The newcomer page's "near me" box: an address, an intersection or a postal code to a point.

    Offline and fast: ``settings`` is accepted for symmetry with the other entry points, but a page
    request never waits on a remote server unless the caller passes an ``online`` geocoder. Neighbourhood names
    are not handled here (the page looks those up in the reference data). Returns None for empty
    text; otherwise a result whose ``status`` is ``ok`` with a point (``message`` notes an
    approximation, e.g. a postal area), or ``needs-attention`` with a message to show the person.

    Example
    -------
    >>> r = geocode_query("118 Avenue and 82 Street")
    >>> (r.status, r.method)
    ('ok', 'grid')
    """
    if not text or not text.strip():
        return None
    parsed = parse_address(text)
    result = geocode_parsed_batch([parsed], online=online, accept_precision_m=QUERY_PRECISION_M)[0]
    if result.status != OK and parsed.kind not in (CIVIC, INTERSECTION, POSTAL_ONLY) and not parsed.postal_code:
        result.message = ("Try a street address (10310 102 Avenue), an intersection (118 Avenue and 82 "
                          "Street) or a postal code (T5B 0K3). " + (result.message or "")).strip()
    return result
