"""Reference data: the committed files, their rebuild from the mirror, the loaders and `elip-map refresh`.

No test touches the internet: the portal is a closed local port (offline) or a small HTTP server on
127.0.0.1 serving the mirror's files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from elip_map.cli import cli
from elip_map.directory.languages import resolve_language
from elip_map.paths import GEODATA_DIR
from elip_map.refdata import (DWELLING_LANGUAGE_COLUMNS, INDIGENOUS_LANGUAGES_COLUMN, dwelling_column_for, load_demand,
                              load_manifest, load_neighbourhoods, load_unmatched)
from elip_map.refdata.build import OUTPUT_FILES, build_geodata, sha256_file
from elip_map.refdata.sources import SOURCES, find_in_mirror
from elip_map.spatial.crs import METRIC, to_metric
from elip_map.testing import free_port, serve_answers

DERIVED = list(OUTPUT_FILES)


def _bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in DERIVED}


@pytest.fixture
def geodata_copy(tmp_path) -> Path:
    """A copy of the committed geodata/ that refresh may change."""
    target = tmp_path / "project" / "geodata"
    target.mkdir(parents=True)
    for name in DERIVED:
        shutil.copy2(GEODATA_DIR / name, target / name)
    return target


@pytest.fixture
def mirror_copy(tmp_path, geodata_mirror) -> Path:
    target = tmp_path / "mirror"
    shutil.copytree(geodata_mirror, target)
    for path in target.iterdir():
        path.chmod(0o644)  # the shared mirror is read-only; the copy may be edited by a test
    return target


def _run(*args: str):
    # ELIP_DATA_MIRROR empty: the developer's own setting must not leak into the test.
    return CliRunner().invoke(cli, ["refresh", *args], env={"ELIP_DATA_MIRROR": "", "ELIP_OPEN_DATA_URL": ""})


# --- the committed files ---------------------------------------------------------------------------

def test_rebuild_from_the_mirror_reproduces_the_committed_files_byte_for_byte(geodata_mirror, tmp_path):
    built_on = load_manifest()["built_on"]
    build_geodata(find_in_mirror(geodata_mirror), tmp_path / "out", built_on)
    rebuilt, committed = _bytes(tmp_path / "out"), _bytes(GEODATA_DIR)
    different = [name for name in DERIVED if rebuilt[name] != committed[name]]
    assert different == [], f"rebuild differs from the committed {different}: run scripts/build_geodata.py"


def test_manifest_records_the_inputs_and_outputs(geodata_mirror):
    manifest = load_manifest()
    files = find_in_mirror(geodata_mirror)
    for key, path in files.items():
        assert manifest["inputs"][key] == {"file": path.name, "sha256": sha256_file(path), "bytes": path.stat().st_size}
    for name, digest in manifest["outputs"].items():
        assert sha256_file(GEODATA_DIR / name) == digest
    readme = (GEODATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "Contains information licensed under the Open Government Licence – City of Edmonton." in readme
    assert all(info["sha256"] in readme for info in manifest["inputs"].values())


def test_boundaries_are_compact_complete_and_valid():
    assert (GEODATA_DIR / "neighbourhoods.geojson").stat().st_size < 1_000_000
    gdf = load_neighbourhoods()
    assert len(gdf) == 406 and gdf["neighbourhood_number"].is_unique
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf.columns) == ["neighbourhood_number", "name", "ward", "district", "geometry"]
    assert gdf["name"].str.len().min() > 0 and not gdf["name"].str.isupper().all()  # nice names, not CAPS
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    coords = shapely.get_coordinates(gdf.geometry.values)
    assert np.array_equal(coords, np.round(coords, 5))


def test_simplification_keeps_topology_and_stays_close_to_the_citys_lines(geodata_mirror):
    from elip_map.refdata.boundaries import read_neighbourhoods

    compact = load_neighbourhoods().to_crs(METRIC).geometry.values
    original_gdf = read_neighbourhoods(find_in_mirror(geodata_mirror)["neighbourhoods"])
    original = shapely.transform(np.array([n.geometry for n in original_gdf], dtype=object),
                                 lambda xy: np.column_stack(to_metric(xy[:, 0], xy[:, 1])))
    # Shared edges stay shared: an exact coverage, no overlap between neighbours...
    assert shapely.coverage_is_valid(compact)
    union = shapely.union_all(compact)
    assert shapely.area(compact).sum() - union.area < 1.0                        # m²
    # ... and no gaps opened: the city's area and outline hardly move.
    original_union = shapely.union_all(original)
    assert abs(union.area - original_union.area) / original_union.area < 1e-4
    gaps = [shapely.Polygon(r).area for p in getattr(union, "geoms", [union]) for r in p.interiors]
    assert sum(gaps) < 10.0                                                        # m², slivers at most
    deviation = shapely.hausdorff_distance(original, compact)
    assert deviation.max() < 15.0                                                  # metres
    assert load_manifest()["simplification"]["max_hausdorff_m"] == pytest.approx(deviation.max(), abs=0.01)


# --- demand ----------------------------------------------------------------------------------------

def test_demand_has_one_row_per_current_neighbourhood_joined_on_number(geodata_mirror):
    demand = load_demand()
    assert len(demand) == 406 and demand["neighbourhood_number"].is_unique
    assert set(demand["neighbourhood_number"]) == set(load_neighbourhoods()["neighbourhood_number"])
    raw = pd.read_csv(find_in_mirror(geodata_mirror)["citizenship_2021"])
    expected = raw.query("`Neighbourhood Number` == 1090 and Gender == 'Total' "
                         "and Characteristic == 'Not Canadian citizens'")["Value"].iloc[0]
    downtown = demand.set_index("neighbourhood_number").loc["1090"]
    assert downtown["neighbourhood"] == "Downtown"
    assert downtown["not_canadian_citizens_2021"] == expected == 2075
    assert downtown["dwellings_arabic_2016"] > 0 and downtown["census_2021_status"] == "matched"


def test_neighbourhoods_without_census_figures_stay_empty_not_zero():
    demand = load_demand().set_index("neighbourhood_number")
    no_row = demand[demand["census_2021_status"] == "no_census_row"]
    assert len(no_row) == 128
    assert no_row["not_canadian_citizens_2021"].isna().all() and no_row["population_2021"].isna().all()
    # Goodridge Corners is in the 2021 table with blank figures: unknown, flagged as suppressed.
    assert demand.loc["3490", "census_2021_status"] == "suppressed"
    assert pd.isna(demand.loc["3490", "not_canadian_citizens_2021"])
    raw_text = (GEODATA_DIR / "demand.csv").read_text(encoding="utf-8")
    assert ",no_census_row," in raw_text and ",,,no_census_row" in raw_text  # empty cells in the file itself


def test_renamed_oliver_keeps_its_census_figures():
    demand = load_demand().set_index("neighbourhood_number")
    row = demand.loc["1151"]  # Wîhkwêntôwin, numbered 1150 (Oliver) in both censuses
    assert row["census_2021_status"] == "renumbered" and row["not_canadian_citizens_2021"] > 1000
    assert row["census_2016_status"] == "renumbered" and row["dwellings_total_2016"] > 5000


def test_unmatched_census_neighbourhoods_are_reported_per_table():
    counts = load_manifest()["unmatched"]
    assert counts["census2021_citizenship"] == {"census_rows": 279, "matched": 277, "renumbered": 1,
                                                "census_only": 1, "boundary_only": 128}
    assert counts["census2016_dwelling_language"] == {"census_rows": 388, "matched": 377, "renumbered": 1,
                                                      "census_only": 10, "boundary_only": 28}
    unmatched = load_unmatched()
    census_only = unmatched[unmatched["problem"].str.startswith("census neighbourhood")]
    assert set(census_only.query("table == 'census2021_citizenship'")["neighbourhood"]) == {"Horse Hill Neighbourhood 1A"}
    assert "EDMONTON MUNICIPAL AIRPORT" in set(census_only["neighbourhood"])
    for table, c in counts.items():
        rows = unmatched[unmatched["table"] == table]
        assert (rows["problem"].str.startswith("current")).sum() == c["boundary_only"]
        assert (rows["problem"].str.startswith("census neighbourhood")).sum() == c["census_only"]


def test_language_columns_use_the_directorys_language_codes():
    demand = load_demand()
    assert {"ar", "yue", "fr", "de", "zh", "pa", "es", "tl", "uk"} == set(DWELLING_LANGUAGE_COLUMNS)
    for census_name, code in [("Arabic", "ar"), ("Cantonese", "yue"), ("Mandarin", "zh"), ("Punjabi", "pa"),
                              ("Tagalog (Pilipino, Filipino)", "tl"), ("Ukrainian", "uk")]:
        assert resolve_language(census_name) == code
        assert dwelling_column_for(code) in demand.columns
    assert dwelling_column_for("zh-Hans") == "dwellings_mandarin_2016"
    assert dwelling_column_for("so") is None and dwelling_column_for("en") is None
    assert INDIGENOUS_LANGUAGES_COLUMN in demand.columns
    # each language column is part of the total
    languages = [c for c in demand.columns if c.startswith("dwellings_") and c != "dwellings_total_2016"]
    matched = demand[demand["census_2016_status"] != "no_census_row"]
    assert (matched[languages].sum(axis=1) == matched["dwellings_total_2016"]).all()


# --- elip-map refresh ------------------------------------------------------------------------------

def test_refresh_offline_says_so_and_changes_nothing(geodata_copy):
    before = _bytes(geodata_copy)
    result = _run("--geodata-dir", str(geodata_copy), "--portal-url", f"http://127.0.0.1:{free_port()}",
                  "--timeout", "5")
    assert result.exit_code != 0
    assert "Could not reach the City of Edmonton open data portal" in result.output
    assert "ELIP_DATA_MIRROR" in result.output
    assert _bytes(geodata_copy) == before
    assert sorted(p.name for p in geodata_copy.parent.iterdir()) == ["geodata"]  # no temp folder left


def test_refresh_from_an_unchanged_mirror_changes_nothing(geodata_copy, mirror_copy):
    before = _bytes(geodata_copy)
    result = _run("--geodata-dir", str(geodata_copy), "--mirror", str(mirror_copy))
    assert result.exit_code == 0, result.output
    assert "Nothing changed." in result.output
    assert _bytes(geodata_copy) == before


def test_refresh_from_a_changed_mirror_replaces_what_changed(geodata_copy, mirror_copy):
    before = _bytes(geodata_copy)
    csv_path = next(mirror_copy.glob("census2016_dwelling_language_by_neighbourhood*.csv"))
    text = csv_path.read_text(encoding="utf-8-sig")
    row = next(line for line in text.splitlines() if ",1090," in line)  # Downtown
    fields = row.split(",")
    fields[4] = str(int(fields[4]) + 1000)  # Arabic
    csv_path.write_text("\ufeff" + text.replace(row, ",".join(fields)), encoding="utf-8")

    result = _run("--geodata-dir", str(geodata_copy), "--mirror", str(mirror_copy))
    assert result.exit_code == 0, result.output
    assert "dwelling_language_2016:" in result.output and "demand.csv" in result.output
    assert "Reference data updated." in result.output
    after = _bytes(geodata_copy)
    assert after["neighbourhoods.geojson"] == before["neighbourhoods.geojson"]
    assert after["demand.csv"] != before["demand.csv"]
    old = load_demand(GEODATA_DIR).set_index("neighbourhood_number").loc["1090", "dwellings_arabic_2016"]
    new = load_demand(geodata_copy).set_index("neighbourhood_number").loc["1090", "dwellings_arabic_2016"]
    assert new == old + 1000
    assert load_manifest(geodata_copy)["inputs"]["dwelling_language_2016"]["sha256"] == sha256_file(csv_path)


@pytest.mark.parametrize("pattern, damage, message", [
    ("edmonton_neighbourhoods_*.geojson", lambda b: b[: len(b) // 2], "not valid GeoJSON"),
    ("census2021_citizenship_by_neighbourhood*.csv", lambda b: b[: len(b) // 2], "may be truncated"),
    # cut exactly at a line end: every line is whole, but the last neighbourhood lacks rows
    ("census2021_citizenship_by_neighbourhood*.csv", lambda b: b[: b.index(b"\n", len(b) // 2) + 1],
     "may be truncated"),
    ("census2021_age_gender_by_neighbourhood*.csv", lambda b: b.replace(b"65 years and over", b"65+"), "65 years"),
    ("census2016_dwelling_language_by_neighbourhood*.csv", lambda b: b.replace(b"Arabic", b"Arabik", 1), "Arabic"),
])
def test_refresh_refuses_a_malformed_original_and_changes_nothing(geodata_copy, mirror_copy, pattern, damage, message):
    path = next(mirror_copy.glob(pattern))
    path.write_bytes(damage(path.read_bytes()))
    before = _bytes(geodata_copy)
    result = _run("--geodata-dir", str(geodata_copy), "--mirror", str(mirror_copy))
    assert result.exit_code != 0
    assert message in result.output and path.name in result.output
    assert _bytes(geodata_copy) == before


def test_refresh_without_a_mirror_folder_is_a_clear_error(geodata_copy, tmp_path):
    result = _run("--geodata-dir", str(geodata_copy), "--mirror", str(tmp_path / "nowhere"))
    assert result.exit_code != 0 and "does not exist" in result.output


@pytest.fixture
def local_portal(geodata_mirror):
    """A small HTTP server on 127.0.0.1 serving the mirror's files at the portal's addresses."""
    files = find_in_mirror(geodata_mirror)
    routes = {s.portal_path: files[s.key] for s in SOURCES if s.portal_path}
    routes.update({f"/census/{s.key}.csv": files[s.key] for s in SOURCES if not s.portal_path})
    with serve_answers(lambda path: routes[path].read_bytes() if path in routes else None) as served:
        yield served


def test_refresh_from_the_portal_downloads_and_rebuilds(geodata_copy, local_portal):
    base, requests = local_portal
    extra = [arg for s in SOURCES if not s.portal_path for arg in ("--source-url", f"{s.key}={base}/census/{s.key}.csv")]
    before = _bytes(geodata_copy)
    result = _run("--geodata-dir", str(geodata_copy), "--portal-url", base, *extra)
    assert result.exit_code == 0, result.output
    assert "/api/geospatial/65fr-66s6?method=export&format=GeoJSON" in requests
    after = _bytes(geodata_copy)
    # Same bytes as the mirror the files were built from: the same data; only the recorded file names
    # (README and manifest) now name the downloaded copies.
    for name in ("neighbourhoods.geojson", "demand.csv", "demand_unmatched.csv"):
        assert after[name] == before[name]
    assert "(unchanged)" in result.output and "-> " in result.output
    assert load_manifest(geodata_copy)["inputs"]["neighbourhoods"]["file"] == "edmonton_neighbourhoods.geojson"
    assert load_manifest(geodata_copy)["built_on"] == load_manifest()["built_on"]


def test_refresh_reports_a_missing_download_address(geodata_copy, local_portal):
    base, _ = local_portal
    result = _run("--geodata-dir", str(geodata_copy), "--portal-url", base)
    assert result.exit_code != 0
    assert "No download address is recorded" in result.output and "--source-url" in result.output


def test_refresh_reports_an_http_error(geodata_copy, local_portal):
    base, _ = local_portal
    result = _run("--geodata-dir", str(geodata_copy), "--portal-url", base + "/missing")
    assert result.exit_code != 0 and "HTTP 404" in result.output
