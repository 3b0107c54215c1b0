"""Exporting the directory (CSV and HSDS JSON) and importing the export back: the same directory returns."""

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from elip_map.config import Settings
from elip_map.directory.models import Location, Organization
from elip_map.directory.storage import open_database
from elip_map.exporters import CSV_COLUMNS, export_text
from elip_map.importers.dump import canonical_dump, table_dump
from elip_map.importers.run import import_file
from elip_map.importers.sample import SAMPLE_FILE
from elip_map.testing import TEST_DATA

SETTINGS = Settings()
REQUIRED = ("organization", "location_name", "address", "postal_code", "phone", "lat", "lon", "geocode_status",
            "neighbourhood", "service_types", "languages", "last_verified")


def _populate(database):
    """A directory with everything an export must carry: messy imports, the sample, a manual pin."""
    for path in (TEST_DATA / "import_clean.csv", TEST_DATA / "import_messy.csv", SAMPLE_FILE):
        import_file(database, path, settings=SETTINGS)
    with database.session() as s:
        loc = s.scalars(select(Location).where(Location.name == "Mill Woods satellite")).one()
        # A staff member dragged the pin by hand: coordinates and provenance must survive a round trip.
        loc.latitude, loc.longitude = 53.4555123456789, -113.4304987654321
        loc.geocode_status, loc.geocode_method, loc.geocode_precision_m = "manual", "manual", 5.0
        loc.geocode_source, loc.geocode_note = "staff pin", "moved to the side entrance"
        loc.geocoded_at = dt.datetime(2026, 2, 3, 4, 5, 6, 789000)
        loc.neighbourhood_number, loc.neighbourhood_name, loc.ward = "6520", "Mill Woods Town Centre", "Karhiio"
        loc.transportation = "Bus 8, Mill Woods transit centre"


def _fresh(tmp_path, name):
    return open_database(f"sqlite:///{tmp_path / name}")


@pytest.mark.parametrize("fmt, suffix", [("csv", ".csv"), ("hsds-json", ".json")])
def test_export_then_import_gives_back_the_same_directory(db, tmp_path, fmt, suffix):
    _populate(db)
    with db.session() as s:
        original = canonical_dump(s)
        text = export_text(s, fmt)
    path = tmp_path / f"export{suffix}"
    path.write_text(text, encoding="utf-8")

    copy = _fresh(tmp_path, "copy.sqlite3")
    report = import_file(copy, path, settings=SETTINGS)
    assert report.counts()["rejected"] == 0
    with copy.session() as s:
        assert canonical_dump(s) == original
    copy.dispose()

    # And importing the export into the database it came from changes nothing at all.
    before = table_dump(db.engine)
    again = import_file(db, path, settings=SETTINGS)
    assert not again.directory_changed and table_dump(db.engine) == before


def test_csv_has_one_row_per_location_with_the_contract_columns(sqlite_db):
    _populate(sqlite_db)
    with sqlite_db.session() as s:
        rows = list(csv.DictReader(io.StringIO(export_text(s, "csv"))))
        n_locations = len(s.scalars(select(Location.id)).all())
    assert set(REQUIRED) <= set(rows[0]) and tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == n_locations
    merged = next(r for r in rows if r["organization"] == "Newcomer Centre")
    assert merged["service_types"] == "employment;information-orientation;language-training"
    assert merged["languages"] == "ar;fa;prs;ti"
    assert merged["phone"] == "780-424-7709; 780-555-0134 ext. 12"
    assert merged["hours"] == "Mon-Fri 09:00-17:00"
    pin = next(r for r in rows if r["location_name"] == "Mill Woods satellite")
    assert (pin["lat"], pin["lon"], pin["geocode_status"], pin["neighbourhood"]) == (
        "53.4555123456789", "-113.4304987654321", "manual", "Mill Woods Town Centre")
    milner = next(r for r in rows if r["location_name"] == "Stanley A. Milner Library")
    assert milner["last_verified"] == "2025-11-30" and milner["postal_code"] == "T5J 2V4"


def test_formula_cells_are_neutralised_and_the_round_trip_restores_them(sqlite_db, tmp_path):
    path = tmp_path / "formulas.csv"
    path.write_text(
        "Organization,Location,Address,Phone,Notes,Eligibility\n"
        '"=HYPERLINK(""http://evil.example"",""click"")",@SUM(A1),+1 780 424 7709,+44 20 7946 0958,'
        '-2 steps from the LRT,"=1+1"\n', encoding="utf-8")
    import_file(sqlite_db, path, settings=SETTINGS)
    with sqlite_db.session() as s:
        original = canonical_dump(s)
        text = export_text(s, "csv")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["organization"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert row["location_name"] == "'@SUM(A1)" and row["address"] == "'+1 780 424 7709"
    assert row["notes"] == "'-2 steps from the LRT" and row["eligibility"] == "'=1+1"
    assert row["phone"] == "'+44 20 7946 0958"
    cells = [cell for line in csv.reader(io.StringIO(text)) for cell in line]
    assert [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")] == []
    assert [c for c in cells if c[:1] == "-" and not c[1:].replace(".", "").isdigit()] == []

    exported = tmp_path / "export.csv"
    exported.write_text(text, encoding="utf-8")
    copy = _fresh(tmp_path, "copy.sqlite3")
    import_file(copy, exported, settings=SETTINGS)
    with copy.session() as s:
        assert canonical_dump(s) == original
        org = s.scalars(select(Organization)).one()
        assert org.name.startswith("=HYPERLINK")
        assert [p.number for p in org.locations[0].phones] == ["+442079460958"]
    copy.dispose()


def test_hsds_json_has_the_hsds_structure(sqlite_db):
    _populate(sqlite_db)
    with sqlite_db.session() as s:
        doc = json.loads(export_text(s, "hsds-json"))
    assert doc["hsds_version"] == "3.0"
    assert {t["code"] for t in doc["taxonomy_terms"]} >= {"language-training", "francophone"}
    org = next(o for o in doc["organizations"] if o["name"] == "Newcomer Centre")
    (loc,) = org["locations"]
    (svc,) = org["services"]
    assert svc["service_at_locations"][0]["location_id"] == loc["id"]
    assert [a["taxonomy_term"]["code"] for a in svc["attributes"]] == [
        "employment", "information-orientation", "language-training"]
    assert [lang["code"] for lang in svc["languages"]] == ["ar", "fa", "prs", "ti"]
    assert loc["addresses"][0]["postal_code"] == "T5K 1M4" and loc["phones"][0]["number"] == "+17804247709"
    assert {s["byday"] for s in loc["schedules"]} == {"MO", "TU", "WE", "TH", "FR"}
    assert loc["x_elip"]["geocode"]["status"] in ("ok", "needs-attention")


def test_hsds_ids_are_stable_between_exports(sqlite_db, tmp_path):
    import_file(sqlite_db, TEST_DATA / "import_clean.csv", settings=SETTINGS)
    with sqlite_db.session() as s:
        first = json.loads(export_text(s, "hsds-json"))
    copy = _fresh(tmp_path, "copy.sqlite3")
    import_file(copy, TEST_DATA / "import_clean.csv", settings=SETTINGS)
    with copy.session() as s:
        second = json.loads(export_text(s, "hsds-json"))
    copy.dispose()
    ids = lambda doc: [(o["id"], [x["id"] for x in o["locations"] + o["services"]]) for o in doc["organizations"]]  # noqa: E731
    assert ids(first) == ids(second)
