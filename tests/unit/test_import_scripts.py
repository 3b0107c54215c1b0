"""Partners named in their own script: an organization named only in Arabic, Chinese, Punjabi, Amharic or
Ukrainian imports, is found by the newcomer page's name search, exports and comes back unchanged."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from elip_map.config import Settings
from elip_map.directory.listings import load_listings
from elip_map.directory.models import Location, Organization
from elip_map.directory.storage import open_database
from elip_map.exporters import export_text
from elip_map.importers.dump import canonical_dump
from elip_map.importers.run import import_file
from elip_map.rules.filters import matches
from elip_map.testing import TEST_DATA

SHEET = TEST_DATA / "import_scripts.csv"
SETTINGS = Settings()
with SHEET.open(encoding="utf-8") as fh:
    ROWS = list(csv.DictReader(fh))


def test_every_script_imports_with_its_names_and_notes(db):
    report = import_file(db, SHEET, settings=SETTINGS)
    assert report.counts()["rejected"] == 0, report.summary()
    with db.session() as s:
        stored = {o.name: [loc.name for loc in o.locations] for o in s.scalars(select(Organization))}
        notes = set(s.scalars(select(Location.notes)))  # the sheet's notes column
    assert stored == {row["organization"]: [row["location_name"]] for row in ROWS}
    assert notes == {row["notes"] for row in ROWS}


@pytest.mark.parametrize("query, organization", [
    ("الجالية العربية", "جمعية الجالية العربية"),
    ("الجاليه", "جمعية الجالية العربية"),  # typed with heh for teh marbuta, as many keyboards do
    ("华人服务", "埃德蒙顿华人服务中心"),
    ("ਪੰਜਾਬੀ", "ਪੰਜਾਬੀ ਭਾਈਚਾਰਾ ਸੇਵਾ"),
    ("ማኅበረሰብ", "የኢትዮጵያ ማኅበረሰብ ማዕከል"),
    ("громада", "Українська громада Едмонтона"),
])
def test_name_search_finds_them(sqlite_db, query, organization):
    import_file(sqlite_db, SHEET, settings=SETTINGS)
    with sqlite_db.session() as s:
        found = [item["organization"] for item in load_listings(s) if matches(item, {"q": query})]
    assert found == [organization]


@pytest.mark.parametrize("fmt, suffix", [("csv", ".csv"), ("hsds-json", ".json")])
def test_export_round_trip_keeps_every_script(db, tmp_path, fmt, suffix):
    import_file(db, SHEET, settings=SETTINGS)
    with db.session() as s:
        original = canonical_dump(s)
        text = export_text(s, fmt)
    for row in ROWS:
        assert row["organization"] in text and row["location_name"] in text
    path = tmp_path / f"export{suffix}"
    path.write_text(text, encoding="utf-8")
    copy = open_database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    report = import_file(copy, path, settings=SETTINGS)
    assert report.counts()["rejected"] == 0
    with copy.session() as s:
        assert canonical_dump(s) == original
    copy.dispose()
