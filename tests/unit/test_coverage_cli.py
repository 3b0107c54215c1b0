"""`elip-map coverage` on the real reference data and a small directory: the command contract.

Also: demand joined on the real census tables, with the neighbourhoods that have no census figure
reported and left unranked.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from click.testing import CliRunner

from elip_map.cli import cli
from elip_map.coverage import view as cv
from elip_map.coverage.zones import zones_from_mirror
from elip_map.directory.models import Language, Location, Organization, Service, ServiceAtLocation, ServiceType
from elip_map.directory.storage import bump_directory_version, open_database
from elip_map.refdata.boundaries import read_neighbourhoods
from elip_map.refdata.demand import build_demand, read_age_gender, read_citizenship, read_dwelling_language
from elip_map.refdata.sources import find_in_mirror

CONTRACT_COLUMNS = ["neighbourhood_number", "neighbourhood", "demand", "nearest_km",
                    "services_within_catchment", "access_score", "gap_rank"]
CITY_HALL = (53.5444, -113.4909)          # Sir Winston Churchill Square, in the Downtown neighbourhood
MILL_WOODS_TC = (53.4556, -113.4249)      # Mill Woods Town Centre, about 10 km south-east


@pytest.fixture(scope="module")
def mirror_zones(geodata_mirror):
    return zones_from_mirror(geodata_mirror)


def test_demand_joins_the_real_census_tables_and_reports_the_unmatched(geodata_mirror, mirror_zones):
    files = find_in_mirror(geodata_mirror)
    tables = build_demand(read_neighbourhoods(files["neighbourhoods"]), read_citizenship(files["citizenship_2021"]),
                          read_age_gender(files["age_gender_2021"]), read_dwelling_language(files["dwelling_language_2016"]))
    zones = mirror_zones
    assert len(zones) == 406
    by_number = dict(zip(zones.number, zones.newcomers))
    assert by_number["2010"] == 290               # Abbottsfield, "Not Canadian citizens", Total, 2021
    no_census = {n for n in zones.number if np.isnan(by_number[n])}
    reported = set(tables.unmatched.query("table == 'census2021_citizenship' and problem.str.startswith('current')",
                                          engine="python")["neighbourhood_number"])
    # A census row with blank figures (withheld by the census) is unknown too, not zero.
    withheld = set(tables.demand.loc[tables.demand["census_2021_status"] == "suppressed", "neighbourhood_number"])
    assert no_census == reported | withheld and len(reported) > 0
    note = cv.choose_demand(zones, None).note
    assert f"{len(no_census)} neighbourhoods have no census figure" in note
    # The Arabic view uses the 2016 dwelling counts, with their own gaps.
    assert "2016" in cv.choose_demand(zones, "ar").label


def test_representative_points_lie_inside_their_neighbourhoods(mirror_zones):
    import shapely
    from shapely.geometry import shape

    from elip_map.spatial.crs import to_wgs84

    lon, lat = to_wgs84(mirror_zones.x, mirror_zones.y)
    polys = [shape(g) for g in mirror_zones.geometry]
    inside = shapely.contains_xy(np.array(polys, dtype=object), lon, lat)
    assert inside.mean() > 0.99    # the simplified outline may shave a point off a sliver


@pytest.fixture
def small_directory(tmp_path, monkeypatch, geodata_mirror):
    url = f"sqlite:///{tmp_path / 'directory.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        org = Organization(name="Centre", name_key="centre")
        for key, (lat, lon), langs in (("City Hall", CITY_HALL, ["ar"]), ("Mill Woods", MILL_WOODS_TC, ["pa"])):
            loc = Location(organization=org, name=key, location_key=key, latitude=lat, longitude=lon,
                           geocode_status="ok")
            svc = Service(organization=org, name=f"LINC {key}")
            svc.types = [ServiceType(slug="language-training")]
            svc.languages = [Language(code=c) for c in langs]
            s.add_all([loc, svc, ServiceAtLocation(service=svc, location=loc)])
        bump_directory_version(s)
    database.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_cli_csv_contract(small_directory):
    result = CliRunner().invoke(cli, ["coverage", "--service", "language-training", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 406
    assert set(CONTRACT_COLUMNS) <= set(rows[0])
    ranks = [int(r["gap_rank"]) for r in rows if r["gap_rank"]]
    assert ranks == list(range(1, len(ranks) + 1))
    assert all(not r["gap_rank"] for r in rows[len(ranks):])     # unranked (no census figure) last
    by_name = {r["neighbourhood"]: r for r in rows}
    downtown = by_name["Downtown"]
    assert float(downtown["nearest_km"]) < 1.5 and int(downtown["services_within_catchment"]) == 1
    assert float(downtown["access_score"]) > 0
    # With services only downtown and in Mill Woods, the worst served is far from both and has newcomers.
    worst = rows[0]
    assert float(worst["nearest_km"]) > 2 and int(worst["services_within_catchment"]) == 0
    assert int(worst["demand"]) > 0


def test_cli_geojson_to_file_with_language(small_directory, tmp_path):
    out = tmp_path / "layer.geojson"
    result = CliRunner().invoke(cli, ["coverage", "--service", "language-training", "--language", "pa",
                                      "--catchment-km", "3", "--format", "geojson", "-o", str(out)])
    assert result.exit_code == 0, result.output
    layer = json.loads(out.read_text(encoding="utf-8"))
    assert len(layer["features"]) == 406
    props = {f["properties"]["neighbourhood"]: f["properties"] for f in layer["features"]}
    # Only Mill Woods speaks Punjabi: downtown is far from it.
    assert props["Downtown"]["nearest_km"] > 8
    assert layer["metadata"]["language"] == "pa" and layer["metadata"]["catchment_km"] == 3.0
    assert "2016" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--service", "langauge-training"], "Unknown service type 'langauge-training'"),
    (["--service", "housing", "--language", "qqq"], "Unknown language code 'qqq'"),
    (["--service", "housing", "--catchment-km", "-1"], "between 0 and 50 km"),
])
def test_cli_bad_input_is_a_clear_error(args, message):
    result = CliRunner().invoke(cli, ["coverage", *args, "--format", "csv"])
    assert result.exit_code != 0
    assert message in result.output
