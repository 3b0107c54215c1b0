"""One coverage view: the directory's matching services against each neighbourhood's demand.

Joins the three inputs of :mod:`elip_map.coverage.measures` (zones, demand, service points), runs it, and
shapes the ranked table the page, the CLI and the exports share. Also keeps the per-app cache: results
are keyed on the directory version and the inputs, so nothing is recomputed unless one of them changed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..directory.languages import known_codes, language_name
from ..directory.models import (PUBLIC_STATUSES, Address, Language, Location, Organization, Service, ServiceAtLocation,
                                ServiceType)
from ..directory.storage import directory_version
from ..directory.taxonomy import BY_SLUG, SLUGS
from ..spatial.crs import to_metric
from . import measures as cov

if TYPE_CHECKING:  # imported where used: heavy, and a web worker never needs them
    import pandas as pd
    from scipy import sparse

TABLE_COLUMNS = (
    "gap_rank", "neighbourhood_number", "neighbourhood", "ward", "demand", "nearest_km",
    "services_within_catchment", "access_score", "gap_index",
)
NEWCOMER_DEMAND = "Residents who are not Canadian citizens (2021 federal census)"


class CoverageError(ValueError):
    """An input the coverage view cannot use, worded for the person who gave it."""


# --- service points --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ServicePoints:
    """Public locations (geocoded ok/manual, not closed) and which service types and languages they offer.

    Supply is stored as an incidence table, one row per (site, type, language) of each service, with
    ``lang = -1`` for the row that ignores language; so a combination's supply is one ``bincount``.
    """

    location_id: np.ndarray
    label: tuple[str, ...]
    address: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    x: np.ndarray
    y: np.ndarray
    inc_site: np.ndarray
    inc_type: np.ndarray
    inc_lang: np.ndarray
    type_slugs: tuple[str, ...] = SLUGS
    lang_codes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.location_id.shape[0])

    def supply(self, service: str, language: str | None = None) -> np.ndarray:
        """Number of matching services at each site: supply('language-training', 'ar')."""
        return self.supply_matrix([(service, language)])[:, 0]

    def supply_matrix(self, combos: Sequence[tuple[str, str | None]], as_sparse: bool = False):
        """(sites, combinations) matrix of matching service counts, built in one pass (optionally sparse)."""
        from scipy import sparse  # delayed: scipy.sparse is 9 MB in every web worker; only the coverage page needs it
        t_index = {s: i for i, s in enumerate(self.type_slugs)}
        l_index = {c: i for i, c in enumerate(self.lang_codes)}
        # Give every (type, language) pair a key; -1 marks a combination no row can match.
        n_lang = len(self.lang_codes) + 1
        keys = np.array([
            t_index[s] * n_lang + (l_index[lang] + 1 if lang is not None else 0)
            if s in t_index and (lang is None or lang in l_index) else -1
            for s, lang in combos
        ], dtype=np.int64)
        row_keys = self.inc_type.astype(np.int64) * n_lang + (self.inc_lang.astype(np.int64) + 1)
        # Which column each incidence row counts in (-1: none), then one scatter-add for all columns.
        # (A combination asked for twice fills only its last column; callers ask for distinct ones.)
        column_of_key = np.full(len(self.type_slugs) * n_lang, -1, dtype=np.int64)
        valid = np.flatnonzero(keys >= 0)
        column_of_key[keys[valid]] = valid
        cols = column_of_key[row_keys] if row_keys.size else np.zeros(0, dtype=np.int64)
        hit = cols >= 0
        # Duplicate (site, column) entries are summed: one per matching service.
        out = sparse.csc_array((np.ones(int(hit.sum())), (self.inc_site[hit], cols[hit])),
                               shape=(len(self), len(combos)))
        out.sum_duplicates()
        return out if as_sparse else out.toarray()


def build_service_points(sites: Sequence[dict], services: Sequence[dict]) -> ServicePoints:
    """Service points from plain records (the query below, or synthetic data for the benchmark).

    ``sites``: dicts with location_id, label, address, lat, lon. ``services``: dicts with location_id,
    types (slugs) and languages (ISO codes), one per service offered at a site.
    """
    ids = np.array([s["location_id"] for s in sites], dtype=np.int64)
    lat = np.array([s["lat"] for s in sites], dtype=float)
    lon = np.array([s["lon"] for s in sites], dtype=float)
    x, y = to_metric(lon, lat) if len(sites) else (np.zeros(0), np.zeros(0))
    position = {int(i): n for n, i in enumerate(ids)}
    codes = sorted({c for svc in services for c in svc["languages"]})
    l_index = {c: i for i, c in enumerate(codes)}
    t_index = {s: i for i, s in enumerate(SLUGS)}
    rows: list[tuple[int, int, int]] = []
    for svc in services:
        site = position.get(int(svc["location_id"]))
        if site is None:
            continue
        langs = [l_index[c] for c in set(svc["languages"])]
        for slug in set(svc["types"]):
            t = t_index.get(slug)
            if t is None:
                continue
            rows.append((site, t, -1))
            rows.extend((site, t, lang) for lang in langs)
    inc = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return ServicePoints(
        location_id=ids, label=tuple(s["label"] for s in sites), address=tuple(s.get("address") or "" for s in sites),
        lat=lat, lon=lon, x=np.asarray(x), y=np.asarray(y),
        inc_site=inc[:, 0], inc_type=inc[:, 1], inc_lang=inc[:, 2], lang_codes=tuple(codes),
    )


def load_service_points(session: Session) -> ServicePoints:
    """The directory's public locations with their services' types and languages, in a few queries.

    A service speaks a language when the service or its location lists it; inactive services are left out.
    """
    public = (Location.closed.is_(False), Location.geocode_status.in_(PUBLIC_STATUSES),
              Location.latitude.is_not(None), Location.longitude.is_not(None))
    loc_rows = session.execute(
        select(Location.id, Location.name, Organization.name, Location.latitude, Location.longitude)
        .join(Organization, Organization.id == Location.organization_id).where(*public).order_by(Location.id)
    ).all()
    addresses: dict[int, str] = {}
    for loc_id, line1, city in session.execute(
            select(Address.location_id, Address.address_1, Address.city).where(Address.address_type == "physical")
            .order_by(Address.id)):
        addresses.setdefault(loc_id, ", ".join(p for p in (line1, city) if p))
    sites = [
        {"location_id": lid, "label": f"{org} — {name}" if name and name != org else org,
         "address": addresses.get(lid, ""), "lat": lat, "lon": lon}
        for lid, name, org, lat, lon in loc_rows
    ]
    types: dict[int, list[str]] = {}
    for sid, slug in session.execute(select(ServiceType.service_id, ServiceType.slug)):
        types.setdefault(sid, []).append(slug)
    svc_langs: dict[int, set[str]] = {}
    loc_langs: dict[int, set[str]] = {}
    for sid, lid, code in session.execute(select(Language.service_id, Language.location_id, Language.code)):
        if sid is not None:
            svc_langs.setdefault(sid, set()).add(code)
        if lid is not None:
            loc_langs.setdefault(lid, set()).add(code)
    links = session.execute(
        select(ServiceAtLocation.location_id, ServiceAtLocation.service_id)
        .join(Service, Service.id == ServiceAtLocation.service_id).where(Service.status != "inactive")
    ).all()
    services = [
        {"location_id": lid, "types": types.get(sid, []),
         "languages": svc_langs.get(sid, set()) | loc_langs.get(lid, set())}
        for lid, sid in links
    ]
    return build_service_points(sites, services)


# --- zones and demand ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Zones:
    """Neighbourhoods: representative point in metres, newcomer demand and language demand.

    ``language_dwellings`` maps an ISO code to 2016 dwelling units speaking it (NaN: no census figure);
    ``geometry`` holds each neighbourhood's (simplified) GeoJSON geometry for the map and exports.
    """

    number: tuple[str, ...]
    name: tuple[str, ...]
    ward: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    newcomers: np.ndarray
    language_dwellings: dict[str, np.ndarray] = field(default_factory=dict)
    language_columns: dict[str, str] = field(default_factory=dict)
    geometry: tuple[dict, ...] = ()

    def __len__(self) -> int:
        return len(self.number)


@dataclass(frozen=True)
class DemandChoice:
    values: np.ndarray
    label: str
    note: str
    kind: str = "newcomers"  # "newcomers", "dwellings" (a 2016 language column) or "no-language-figure"
    missing: int = 0  # neighbourhoods without a figure (grey, unranked)


def choose_demand(zones: Zones, language: str | None) -> DemandChoice:
    """The demand a view uses: newcomers (2021); for a language with a 2016 census column, its dwellings.

    Example: choose_demand(zones, 'ar').label -> 'Dwelling units where Arabic is spoken (2016 municipal census)'.
    """
    unknown = int(np.isnan(zones.newcomers).sum())
    grey = f" {unknown} neighbourhoods have no census figure (newer than the census, or a figure withheld): grey, unranked."
    if language is None:
        return DemandChoice(zones.newcomers, NEWCOMER_DEMAND,
                            "2021 federal census figures on the census's neighbourhood boundaries." + grey,
                            "newcomers", unknown)
    name = language_name(language)
    if language in zones.language_dwellings:
        values = zones.language_dwellings[language]
        missing = int(np.isnan(values).sum())
        return DemandChoice(
            values, f"Dwelling units where {name} is spoken (2016 municipal census)",
            f"The language figures are from the 2016 municipal census, five years older than the 2021 "
            f"citizenship figures, and count dwellings, not people. {missing} neighbourhoods have no "
            f"2016 figure: grey, unranked.", "dwellings", missing)
    return DemandChoice(
        zones.newcomers, NEWCOMER_DEMAND,
        f"The census has no figure for {name}: demand is all residents who are not Canadian citizens (2021)." + grey,
        "no-language-figure", unknown)


# --- the ranked table ------------------------------------------------------------------------------

def check_inputs(service: str, language: str | None, catchment_km: float, method: str = "2sfca") -> None:
    """Raise CoverageError in plain words for an unknown service type, language code, catchment or method."""
    if service not in BY_SLUG:
        raise CoverageError(f"Unknown service type {service!r}. Known types: {', '.join(SLUGS)}.")
    if language is not None and language not in known_codes():
        raise CoverageError(f"Unknown language code {language!r}: use an ISO 639 code such as 'ar' or 'pa'.")
    if not (0 < catchment_km <= 50):
        raise CoverageError(f"The catchment must be between 0 and 50 km, not {catchment_km}.")
    if method not in cov.METHODS:
        raise CoverageError(f"Unknown method {method!r}: use one of {', '.join(cov.METHODS)}.")


def coverage_table(zones: Zones, points: ServicePoints, service: str, language: str | None = None,
                   catchment_km: float = cov.DEFAULT_CATCHMENT_KM, method: str = "2sfca") -> pd.DataFrame:
    """One row per neighbourhood, sorted by gap_rank (1 = worst served; unranked rows last).

    Parameters
    ----------
    zones, points : Zones, ServicePoints
    service : str
        Service-type slug.
    language : str or None
        ISO 639 code; None for any language.
    catchment_km, method :
        The catchment radius and ``"2sfca"`` or ``"e2sfca"``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TABLE_COLUMNS`; gap_rank is a nullable integer (missing = no census figure).
        ``attrs`` carries the demand label and note.
    """
    import pandas as pd  # delayed: pandas is 33 MB in every web worker; only the coverage page reads tables
    check_inputs(service, language, catchment_km, method)
    demand = choose_demand(zones, language)
    supply = points.supply(service, language) if len(points) else np.zeros(0)
    # Sites offering nothing here change no measure: leave them out of the distance matrix.
    keep = supply > 0
    dist = cov.distance_matrix_km(zones.x, zones.y, points.x[keep], points.y[keep])
    m = cov.compute_measures(dist, demand.values, supply[keep], catchment_km, method)
    ranks = cov.gap_ranks(m["gap_index"], demand.values, m["nearest_km"])
    table = pd.DataFrame({
        "gap_rank": pd.array([int(r) if r > 0 else None for r in ranks], dtype="Int64"),
        "neighbourhood_number": list(zones.number),
        "neighbourhood": list(zones.name),
        "ward": list(zones.ward),
        "demand": pd.array(demand.values, dtype="Float64"),
        "nearest_km": np.round(m["nearest_km"], 3),
        "services_within_catchment": m["services_within"].astype(int),
        "access_score": np.round(m["access_score"], 3),
        "gap_index": np.round(m["gap_index"], 1),
    })
    table["demand"] = table["demand"].round(0).astype("Int64")
    table = table.sort_values(["gap_rank", "neighbourhood"], na_position="last", kind="stable").reset_index(drop=True)
    city = cov.reference_access(demand.values, m["access_score"])
    table.attrs.update(demand_label=demand.label, demand_note=demand.note, demand_kind=demand.kind,
                       demand_missing=demand.missing, service=service, language=language,
                       catchment_km=catchment_km, method=method,
                       city_access=None if np.isnan(city) else round(float(city), 3))
    return table


def all_combinations(points: ServicePoints, languages: Sequence[str] | None = None) -> list[tuple[str, str | None]]:
    """Every service type, alone and with each language (default: every language in the directory)."""
    langs = list(points.lang_codes if languages is None else languages)
    return [(slug, lang) for slug in SLUGS for lang in [None, *langs]]


def compute_all(zones: Zones, points: ServicePoints, combos: Sequence[tuple[str, str | None]],
                catchment_km: float = cov.DEFAULT_CATCHMENT_KM, method: str = "2sfca") -> dict[str, np.ndarray]:
    """Every measure and gap rank for many (service, language) combinations at once: (zones, combos) arrays.

    One distance matrix and one set of matrix products serve all combinations; this is what the
    benchmark times against a row-by-row geopandas loop.
    """
    demand = np.column_stack([choose_demand(zones, lang).values for _slug, lang in combos])
    supply = points.supply_matrix(combos, as_sparse=True)
    dist = cov.distance_matrix_km(zones.x, zones.y, points.x, points.y)
    result = cov.compute_measures(dist, demand, supply, catchment_km, method)
    result["gap_rank"] = cov.gap_ranks(result["gap_index"], demand, result["nearest_km"])
    return result


def nearest_services(zones: Zones, points: ServicePoints, number: str, service: str,
                     language: str | None = None, limit: int = 5) -> list[dict]:
    """The matching services nearest a neighbourhood's point: label, address, km, nearest first."""
    try:
        z = zones.number.index(number)
    except ValueError:
        return []
    mask = points.supply(service, language) > 0 if len(points) else np.zeros(0, dtype=bool)
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    km = np.hypot(points.x[idx] - zones.x[z], points.y[idx] - zones.y[z]) / 1000.0
    order = np.argsort(km, kind="stable")[:limit]
    return [{"location_id": int(points.location_id[idx[o]]), "label": points.label[idx[o]],
             "address": points.address[idx[o]], "km": round(float(km[o]), 2),
             "lat": float(points.lat[idx[o]]), "lon": float(points.lon[idx[o]])} for o in order]


def table_to_csv(table: pd.DataFrame) -> str:
    """The ranked table as CSV text (unranked rows have an empty gap_rank)."""
    return table.loc[:, list(TABLE_COLUMNS)].to_csv(index=False)


def table_to_geojson(zones: Zones, table: pd.DataFrame) -> dict:
    """The layer as a GeoJSON FeatureCollection: each neighbourhood's geometry with its table row."""
    rows = {r["neighbourhood_number"]: r for r in table.to_dict("records")}
    features = []
    for number, geom in zip(zones.number, zones.geometry):
        row = rows.get(number, {})
        props = {k: _plain(row.get(k)) for k in TABLE_COLUMNS}
        features.append({"type": "Feature", "id": number, "geometry": geom, "properties": props})
    meta = {k: table.attrs.get(k) for k in ("service", "language", "catchment_km", "method", "demand_label")}
    return {"type": "FeatureCollection", "features": features, "metadata": meta}


def _plain(value):
    """JSON-ready scalar: pandas NA and NaN become None, numpy numbers plain Python."""
    import pandas as pd  # delayed: as above
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


# --- cache -----------------------------------------------------------------------------------------

class CoverageCache:
    """Per-app cache: service points per directory version, tables per (version, inputs); thread-safe.

    One instance lives on the Flask app (not a module global), so every worker keeps its own and two
    apps in one process never share state. The least recently used table goes first.
    """

    def __init__(self, zones: Zones, max_tables: int = 64):
        self.zones = zones
        self.max_tables = max_tables
        self._lock = threading.Lock()
        self._points: tuple[int, ServicePoints] | None = None
        self._tables: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self.computed = 0  # how many tables were actually computed (the tests read it)

    def points(self, session: Session) -> tuple[int, ServicePoints]:
        version = directory_version(session)
        with self._lock:
            if self._points is not None and self._points[0] == version:
                return self._points
        loaded = (version, load_service_points(session))
        with self._lock:
            self._points = loaded
        return loaded

    def table(self, session: Session, service: str, language: str | None = None,
              catchment_km: float = cov.DEFAULT_CATCHMENT_KM, method: str = "2sfca") -> pd.DataFrame:
        check_inputs(service, language, catchment_km, method)
        version, points = self.points(session)
        key = (version, service, language, round(float(catchment_km), 3), method)
        with self._lock:
            if key in self._tables:
                self._tables.move_to_end(key)
                return self._tables[key]
        table = coverage_table(self.zones, points, service, language, catchment_km, method)
        with self._lock:
            self._tables[key] = table
            self.computed += 1
            while len(self._tables) > self.max_tables:
                self._tables.popitem(last=False)
        return table
