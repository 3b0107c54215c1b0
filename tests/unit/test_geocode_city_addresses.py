"""The City's address points and centrelines through `elip-map refresh --addresses`.

The fixture is written here, in the real column layout of the City's tables (property assessment
CSV, centreline GeoJSON export), and served by a local HTTP server on 127.0.0.1 that answers the
Socrata endpoints the refresh uses (the export and ``$select=count(*)``). Nothing touches the internet.
"""

from __future__ import annotations

import csv
import hashlib
import json
from urllib.parse import unquote

import numpy as np
import pytest
from click.testing import CliRunner

from elip_map.cli import cli
from elip_map.geocoding.address_points import load_city_indexes
from elip_map.geocoding.chain import geocode_batch
from elip_map.geocoding.gazetteer import Gazetteer
from elip_map.geocoding.grid import haversine_m
from elip_map.testing import serve_answers

COLUMNS = ["Account Number", "Suite", "House Number", "Street Name", "Garage", "Neighbourhood ID", "Neighbourhood",
           "Ward", "Assessed Value", "Latitude", "Longitude", "Point Location", "Assessment Class % 1",
           "Assessment Class % 2", "Assessment Class % 3", "Assessment Class 1", "Assessment Class 2",
           "Assessment Class 3"]
# (suite, house, street, lat, lon): made-up points, chosen so a wrong lookup cannot pass by chance.
ROWS = [
    ("", "10310", "102 AVENUE NW", 53.543210, -113.500120),
    ("101", "9656", "JASPER AVENUE NW", 53.541000, -113.483000),
    ("102", "9656", "JASPER AVENUE NW", 53.541200, -113.483400),     # same building: averaged
    ("", "15379", "CASTLE DOWNS ROAD NW", 53.614700, -113.518100),
    ("", "2019", "LEGER ROAD NW", 53.457100, -113.583200),
    ("", "", "", "", ""),                                               # vacant lot: no address, no point
]
# Castle Downs Road from 137 to 162 Avenue, as a City centreline export would give it (lon, lat).
CASTLE_DOWNS = [[-113.5170, 53.6000], [-113.5169, 53.6070], [-113.5170, 53.6135], [-113.5178, 53.6180],
                [-113.5192, 53.6228]]


def _write_fixture(folder):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "property_assessment_2026.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for i, (suite, house, street, lat, lon) in enumerate(ROWS):
            point = f"POINT ({lon} {lat})" if lat != "" else ""
            w.writerow([1000000 + i, suite, house, street, "N", "3260", "CASTLE DOWNS", "tastawiyiniwak Ward",
                        "412000", lat, lon, point, "100", "", "", "RESIDENTIAL", "", ""])
    features = [
        {"type": "Feature", "properties": {"road_name": "CASTLE DOWNS ROAD NW", "road_type": "COLLECTOR"},
         "geometry": {"type": "LineString", "coordinates": CASTLE_DOWNS}},
        {"type": "Feature", "properties": {"road_name": None, "road_type": "LANE"},
         "geometry": {"type": "LineString", "coordinates": [[-113.5, 53.5], [-113.5, 53.501]]}},
    ]
    (folder / "road_centrelines_2026.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return folder


@pytest.fixture
def portal(tmp_path):
    """Socrata endpoints on 127.0.0.1: exports, and counts that can be made to disagree."""
    folder = _write_fixture(tmp_path / "portal")
    state = {"extra_rows": 0, "requests": []}
    csv_rows = len(ROWS)
    routes = {"/api/views/q7d6-ambg/rows.csv?accessType=DOWNLOAD": folder / "property_assessment_2026.csv",
              "/api/geospatial/9j8t-zm52?method=export&format=GeoJSON": folder / "road_centrelines_2026.geojson"}
    counts = {"q7d6-ambg": csv_rows, "9j8t-zm52": 2}

    def answer(path):
        path = unquote(path)
        state["requests"].append(path)
        if path.startswith("/resource/") and path.endswith(".json?$select=count(*)"):
            ident = path[len("/resource/"):].split(".json")[0]
            return json.dumps([{"count": str(counts[ident] + state["extra_rows"])}]).encode()
        return routes[path].read_bytes() if path in routes else None

    with serve_answers(answer) as (base, _):
        yield base, state, folder


def _refresh(index_dir, *args, monkeypatch):
    monkeypatch.delenv("ELIP_DATA_MIRROR", raising=False)
    return CliRunner().invoke(cli, ["refresh", "--addresses", "--index-dir", str(index_dir), *args])


def _geocode(index_dir, text):
    load_city_indexes.cache_clear()
    return geocode_batch([(text, None, None)], city=load_city_indexes(index_dir), gazetteer=Gazetteer([]))[0]


def test_refresh_from_the_portal_builds_the_index_and_reports_counts_and_sha256(portal, tmp_path, monkeypatch):
    base, state, folder = portal
    index_dir = tmp_path / "instance" / "city"
    result = _refresh(index_dir, "--portal-url", base, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "/resource/q7d6-ambg.json?$select=count(*)" in state["requests"]
    sha = hashlib.sha256((folder / "property_assessment_2026.csv").read_bytes()).hexdigest()
    assert sha in result.output
    assert "addresses 4" in result.output          # 5 addressed rows, two of them one building
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((index_dir / name).read_bytes()).hexdigest() == digest
        assert digest in result.output


@pytest.mark.parametrize("typed,expected", [
    ("10310 102 Ave", (53.543210, -113.500120)),
    ("Suite 5, 10310 - 102 Avenue NW", (53.543210, -113.500120)),
    ("9656 Jasper Ave", (53.541100, -113.483200)),          # the two suites' mean
    ("2019 Leger Rd", (53.457100, -113.583200)),
])
def test_an_address_point_comes_first(portal, tmp_path, monkeypatch, typed, expected):
    base, _, _ = portal
    index_dir = tmp_path / "city"
    assert _refresh(index_dir, "--portal-url", base, monkeypatch=monkeypatch).exit_code == 0
    r = _geocode(index_dir, typed)
    assert r.status == "ok" and r.method == "address-point"
    assert float(haversine_m(r.lat, r.lon, *expected)) < 1.0
    assert "City of Edmonton" in r.source


def test_centreline_places_a_number_where_the_road_crosses_its_grid_line(portal, tmp_path, monkeypatch):
    base, _, _ = portal
    index_dir = tmp_path / "city"
    assert _refresh(index_dir, "--portal-url", base, monkeypatch=monkeypatch).exit_code == 0
    # Not in the address points: the centreline at the 150 Avenue line, which is between the
    # fixture's 145 and 153 Avenue vertices (53.607 and 53.6135) and on the line itself.
    r = _geocode(index_dir, "15010 Castle Downs Road")
    assert r.status == "ok" and r.method == "centreline"
    assert 53.606 < r.lat < 53.6145 and abs(r.lon + 113.517) < 0.001


def test_a_truncated_download_is_refused_and_changes_nothing(portal, tmp_path, monkeypatch):
    base, state, _ = portal
    index_dir = tmp_path / "city"
    assert _refresh(index_dir, "--portal-url", base, monkeypatch=monkeypatch).exit_code == 0
    before = {p.name: p.read_bytes() for p in index_dir.iterdir() if p.is_file()}
    state["extra_rows"] = 1000     # the portal counts more rows than the file holds
    result = _refresh(index_dir, "--portal-url", base, monkeypatch=monkeypatch)
    assert result.exit_code != 0
    assert "cut short" in result.output and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in index_dir.iterdir() if p.is_file()} == before


def test_refresh_from_a_mirror_folder(portal, tmp_path, monkeypatch):
    _, state, folder = portal
    index_dir = tmp_path / "city"
    result = _refresh(index_dir, "--mirror", str(folder), monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert state["requests"] == []
    assert _geocode(index_dir, "15379 Castle Downs Rd").method == "address-point"


def test_a_table_without_the_address_columns_is_refused(tmp_path, monkeypatch):
    folder = _write_fixture(tmp_path / "bad")
    (folder / "property_assessment_2026.csv").write_text("Account Number,Value\n1,2\n", encoding="utf-8")
    result = _refresh(tmp_path / "city", "--mirror", str(folder), monkeypatch=monkeypatch)
    assert result.exit_code != 0 and "not the property assessment table" in result.output
    assert not (tmp_path / "city" / "address_points.npz").exists()


def test_offline_portal_is_a_clear_error(tmp_path, monkeypatch):
    result = _refresh(tmp_path / "city", "--portal-url", "http://127.0.0.1:9", monkeypatch=monkeypatch)
    assert result.exit_code != 0 and "Could not reach" in result.output


def test_a_centreline_reason_is_a_declared_note_shown_in_the_readers_language():
    # A road bent like a U crosses the 150 Avenue line twice, 0.5 km apart, and never reaches 160
    # Avenue: both refusals are written in plain English and read back in French from the catalogue.
    from babel.messages.pofile import read_po

    from elip_map.geocoding.address_points import CentrelineIndex
    from elip_map.geocoding.notes import display_note
    from elip_map.i18n import catalogue_path

    index = CentrelineIndex(["LOOP ROAD NW"], np.array([0, 4]), np.array([53.600, 53.610, 53.610, 53.600]),
                            np.array([-113.520, -113.520, -113.5125, -113.5125]), np.array([-200.0, -200.0, -199.5, -199.5]),
                            np.array([149.0, 151.0, 151.0, 149.0]), np.ones(4, dtype=bool), np.zeros(4, dtype=int))
    twice = index.crossing("LOOP ROAD NW", "north", 150.0)
    nowhere = index.crossing("LOOP ROAD NW", "north", 160.0)
    assert twice == "the road crosses that line in more than one place"
    assert nowhere == "the City's centreline of this road does not cross that line where the grid is known"
    with catalogue_path("fr").open("rb") as fh:
        fr = {m.id: m.string for m in read_po(fh) if isinstance(m.id, str) and m.id}
    for english in (twice, nowhere):
        assert fr[english] and display_note(english, "fr") == fr[english] != english
