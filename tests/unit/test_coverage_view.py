"""The coverage view on a real directory database (SQLite and PostgreSQL), with three hand-built zones.

Same geometry as tests/unit/test_coverage.py: zones at x = 0, 3,000 and 10,000 m; site A at 1,000 m
offers language training in Arabic, site B at 4,000 m offers language training (no language listed)
and employment. Closed or ungeocoded locations never count.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from elip_map.coverage import view as cv
from elip_map.directory.models import Language, Location, Organization, Service, ServiceAtLocation, ServiceType
from elip_map.directory.storage import bump_directory_version
from elip_map.spatial.crs import to_metric, to_wgs84

ORIGIN_LON, ORIGIN_LAT = -113.49, 53.54
X0, Y0 = (float(v[0]) for v in to_metric([ORIGIN_LON], [ORIGIN_LAT]))


def lonlat(dx_m: float) -> tuple[float, float]:
    lon, lat = to_wgs84([X0 + dx_m], [Y0])
    return float(lon[0]), float(lat[0])


def make_zones(newcomers=(1000.0, 500.0, 200.0), arabic=(40.0, 10.0, np.nan)) -> cv.Zones:
    square = lambda dx: {"type": "Polygon", "coordinates": [[list(lonlat(dx - 100)), list(lonlat(dx + 100)),
                                                                 list(lonlat(dx + 100)), list(lonlat(dx - 100))]]}
    return cv.Zones(
        number=("1010", "1020", "1030"), name=("North <b>One</b>", "Two", "Three"), ward=("W1", "W1", "W2"),
        x=np.array([X0, X0 + 3000, X0 + 10000]), y=np.array([Y0, Y0, Y0]),
        newcomers=np.array(newcomers, dtype=float),
        language_dwellings={"ar": np.array(arabic, dtype=float)}, language_columns={"ar": "Arabic"},
        geometry=tuple(square(dx) for dx in (0, 3000, 10000)),
    )


def add_location(session, org, key, dx_m, services, *, status="ok", closed=False, langs_at_location=()):
    lon, lat = lonlat(dx_m)
    loc = Location(organization=org, name=key, location_key=key, latitude=lat, longitude=lon,
                   geocode_status=status, closed=closed)
    session.add(loc)
    for name, slugs, langs in services:
        svc = Service(organization=org, name=name)
        svc.types = [ServiceType(slug=s) for s in slugs]
        svc.languages = [Language(code=c) for c in langs]
        session.add(svc)
        session.add(ServiceAtLocation(service=svc, location=loc))
    loc.languages = [Language(code=c) for c in langs_at_location]
    return loc


def fill(database):
    with database.session() as s:
        org = Organization(name="Newcomer Centre", name_key="newcomer centre")
        s.add(org)
        add_location(s, org, "Site A", 1000, [("LINC", ["language-training"], ["ar"])])
        add_location(s, org, "Site B", 4000, [("ESL", ["language-training"], []), ("Jobs", ["employment"], ["en"])])
        add_location(s, org, "Closed site", 10000, [("ESL", ["language-training"], ["ar"])], closed=True)
        add_location(s, org, "Unplaced site", 10000, [("ESL", ["language-training"], ["ar"])],
                     status="needs-attention")
        bump_directory_version(s)


def test_service_points_only_public_locations(db):
    fill(db)
    with db.session() as s:
        points = cv.load_service_points(s)
    assert sorted(points.label) == ["Newcomer Centre — Site A", "Newcomer Centre — Site B"]
    by_label = dict(zip(points.label, points.supply("language-training")))
    assert by_label == {"Newcomer Centre — Site A": 1, "Newcomer Centre — Site B": 1}
    by_label = dict(zip(points.label, points.supply("language-training", "ar")))
    assert by_label == {"Newcomer Centre — Site A": 1, "Newcomer Centre — Site B": 0}


def test_a_language_listed_on_the_location_counts_for_its_services(sqlite_db):
    with sqlite_db.session() as s:
        org = Organization(name="Org", name_key="org")
        add_location(s, org, "Here", 0, [("ESL", ["language-training"], [])], langs_at_location=["pa"])
    with sqlite_db.session() as s:
        points = cv.load_service_points(s)
    assert points.supply("language-training", "pa").tolist() == [1]


def test_table_by_hand(db):
    fill(db)
    with db.session() as s:
        points = cv.load_service_points(s)
    table = cv.coverage_table(make_zones(), points, "language-training", catchment_km=2.0)
    assert list(table["neighbourhood_number"]) == ["1010", "1030", "1020"]
    assert list(table["gap_rank"]) == [1, 2, 3]
    row = table.set_index("neighbourhood_number").loc["1010"]
    assert row["nearest_km"] == pytest.approx(1.0, abs=1e-3)
    assert row["services_within_catchment"] == 1
    assert row["access_score"] == pytest.approx(1000 / 1500, abs=1e-3)
    assert row["gap_index"] == pytest.approx(433.3, abs=0.1)
    assert table.attrs["demand_label"] == cv.NEWCOMER_DEMAND


def test_language_view_uses_language_demand_and_greys_unknown(db):
    fill(db)
    with db.session() as s:
        points = cv.load_service_points(s)
    table = cv.coverage_table(make_zones(), points, "language-training", "ar", 2.0).set_index("neighbourhood_number")
    # Only A speaks Arabic; its 1 service is shared by 40 + 10 dwellings: 20 per 1,000 each.
    assert table.loc["1010", "access_score"] == pytest.approx(20.0)
    assert table.loc["1020", "nearest_km"] == pytest.approx(2.0, abs=1e-3)
    assert table.loc["1030", "gap_rank"] is pd_na()
    assert "2016" in table.attrs["demand_label"]


def pd_na():
    import pandas as pd

    return pd.NA


def test_a_language_without_census_column_falls_back_to_newcomers_with_a_note():
    choice = cv.choose_demand(make_zones(), "so")
    assert choice.label == cv.NEWCOMER_DEMAND
    assert "no figure for Somali" in choice.note


def test_no_matching_service_anywhere_ranks_by_demand():
    points = cv.build_service_points([], [])
    table = cv.coverage_table(make_zones(), points, "housing")
    assert list(table["neighbourhood_number"]) == ["1010", "1020", "1030"]
    assert table["nearest_km"].isna().all()
    assert list(table["services_within_catchment"]) == [0, 0, 0]


@pytest.mark.parametrize("service, language, catchment, message", [
    ("langauge-training", None, 2.0, "Unknown service type 'langauge-training'"),
    ("language-training", "xx-nope", 2.0, "Unknown language code 'xx-nope'"),
    ("language-training", None, 0.0, "between 0 and 50 km"),
])
def test_bad_inputs_get_plain_errors(service, language, catchment, message):
    with pytest.raises(cv.CoverageError, match=message):
        cv.coverage_table(make_zones(), cv.build_service_points([], []), service, language, catchment)


def test_nearest_services_for_a_neighbourhood(sqlite_db):
    fill(sqlite_db)
    with sqlite_db.session() as s:
        points = cv.load_service_points(s)
    near = cv.nearest_services(make_zones(), points, "1020", "language-training")
    assert [(n["label"], n["km"]) for n in near] == [("Newcomer Centre — Site B", 1.0), ("Newcomer Centre — Site A", 2.0)]


def test_exports_parse(sqlite_db):
    fill(sqlite_db)
    with sqlite_db.session() as s:
        points = cv.load_service_points(s)
    zones = make_zones()
    table = cv.coverage_table(zones, points, "language-training", "ar")
    rows = list(csv.DictReader(io.StringIO(cv.table_to_csv(table))))
    assert [r["gap_rank"] for r in rows] == ["1", "2", ""]
    # Both known zones are at the city-wide level (no gap): the farther one from a service ranks first.
    assert [r["neighbourhood"] for r in rows] == ["Two", "North <b>One</b>", "Three"]
    layer = json.loads(json.dumps(cv.table_to_geojson(zones, table)))
    assert layer["type"] == "FeatureCollection" and len(layer["features"]) == 3
    unknown = next(f for f in layer["features"] if f["id"] == "1030")
    assert unknown["properties"]["gap_rank"] is None and unknown["properties"]["demand"] is None
    assert layer["metadata"]["language"] == "ar"


def test_cache_recomputes_only_when_inputs_or_directory_change(sqlite_db):
    fill(sqlite_db)
    cache = cv.CoverageCache(make_zones())
    with sqlite_db.session() as s:
        first = cache.table(s, "language-training")
        again = cache.table(s, "language-training")
        cache.table(s, "language-training", catchment_km=3.0)
    assert again is first and cache.computed == 2
    with sqlite_db.session() as s:
        org = s.query(Organization).one()
        add_location(s, org, "Site C", 10000, [("ESL", ["language-training"], [])])
        bump_directory_version(s)
    with sqlite_db.session() as s:
        fresh = cache.table(s, "language-training")
    assert cache.computed == 3
    assert fresh.set_index("neighbourhood_number").loc["1030", "nearest_km"] == pytest.approx(0.0, abs=1e-3)
