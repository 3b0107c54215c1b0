"""Importing partner spreadsheets into the directory, on SQLite and PostgreSQL (the ``db`` fixture).

Files come from tests/data (written to be as messy as real ones) or are built in the test. Every
import either applies completely or leaves the database exactly as it was (full table dumps compared).
"""

import shutil

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from elip_map.config import Settings
from elip_map.directory.models import DuplicateSuspect, Location, Organization, Service
from elip_map.directory.storage import DATASET_KEY, directory_version, get_meta
from elip_map.importers.dump import table_dump
from elip_map.importers.report import ImportRefused
from elip_map.importers.run import import_file
from elip_map.importers.sample import SAMPLE_FILE, load_sample_if_empty
from elip_map.testing import SHARED_PARTNERS, TEST_DATA

SETTINGS = Settings()
CLEAN = TEST_DATA / "import_clean.csv"
MESSY = TEST_DATA / "import_messy.csv"


def _location(session, org_name_key: str, name: str) -> Location:
    return session.scalars(select(Location).join(Organization).where(
        Organization.name_key == org_name_key, Location.name == name)).one()


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_clean_file_imports_every_field(db):
    report = import_file(db, CLEAN, settings=SETTINGS)
    assert [r.status for r in report.rows] == ["imported"] * 3
    assert report.applied and not report.refused
    with db.session() as s:
        assert _count(s, Organization) == 2 and _count(s, Location) == 3
        loc = _location(s, "changing together a centre for immigrant women", "Edmonton Intercultural Centre")
        address = loc.physical_address
        assert (address.address_1, address.city, address.state_province, address.postal_code) == (
            "9538 107 Ave NW", "Edmonton", "AB", "T5H 0Z4")
        assert [p.number for p in loc.phones] == ["+17804243545"]
        assert [(x.weekday, x.opens_at.isoformat(), x.closes_at.isoformat()) for x in loc.schedules] == [
            (d, "09:00:00", "16:30:00") for d in range(1, 6)]
        assert loc.accessibility == "Ramp at the east door" and loc.source_url == "https://changingtogether.com/about"
        assert loc.last_verified.isoformat() == "2026-01-05"
        (svc,) = loc.services
        assert svc.type_slugs == ["language-training", "women"]
        assert svc.language_codes == ["ar", "en", "ti"]
        assert (svc.eligibility, svc.fees, svc.website) == ("Immigrant women", "Free", "https://changingtogether.com")
        second = _location(s, "changing together a centre for immigrant women", "Mill Woods satellite")
        assert second.organization_id == loc.organization_id and second.last_verified is None
        assert directory_version(s) == 1


def test_messy_file_is_reported_row_by_row(db):
    report = import_file(db, MESSY, settings=SETTINGS)
    by_row = {r.row: r for r in report.rows}
    assert {n: r.status for n, r in by_row.items()} == {
        2: "corrected", 3: "skipped", 4: "duplicate-merged", 5: "corrected", 6: "corrected", 7: "rejected",
        8: "rejected", 9: "corrected"}
    assert "columns were separated by semicolons" in report.file_notes
    assert "phone '780.424.7709' -> '+17804247709'" in by_row[2].messages
    assert "postal code 't5k1m4' -> 'T5K 1M4'" in by_row[2].messages
    assert "same organization and address as row 2" in by_row[4].text
    assert "location name 'Downtown office' differs from row 2" in by_row[4].text
    assert "language 'Martian' is not a language this importer knows; left out" in by_row[5].messages
    assert "website 'javascript:alert(1)' is not a web (http/https) address; left out" in by_row[5].messages
    assert "hours 'By appointment' could not be read as days and times; kept as text" in by_row[5].messages
    assert "PO box" in by_row[6].text and "'780 555 12' is not a valid number" in by_row[6].text
    assert by_row[7].messages == ["no organization name"]
    assert "no address, location name or postal code" in by_row[8].text
    assert "service type 'rocket science' is not in the service-type list; left out" in by_row[9].messages

    with db.session() as s:
        assert _count(s, Location) == 4  # rows 2+4 merged, 7 and 8 rejected
        merged = _location(s, "newcomer centre", "Downtown")
        assert [(p.number, p.extension) for p in merged.phones] == [("+17804247709", None), ("+17805550134", "12")]
        (svc,) = merged.services
        assert svc.type_slugs == ["employment", "information-orientation", "language-training"]
        assert svc.language_codes == ["ar", "fa", "prs", "ti"]
        suspect = s.scalars(select(DuplicateSuspect)).one()
        assert suspect.location_id == merged.id and suspect.row_numbers == "2, 4"

        together = _location(s, "changing together", "Intercultural Centre")
        assert together.services[0].website is None and together.services[0].language_codes == ["en"]
        assert [(x.weekday, x.description) for x in together.schedules] == [(None, "By appointment")]

        po_box = _location(s, "islamic family", "Mailing address")
        assert po_box.phones == [] and po_box.geocode_status == "needs-attention" and not po_box.is_public

        bissell = _location(s, "bissell centre", "East")
        assert bissell.physical_address.address_1 == "10527 96 Street NW"
        assert bissell.physical_address.postal_code == "T5H 2H6"
        assert len(bissell.schedules) == 7


def test_windows_1252_file_keeps_its_accents(db):
    report = import_file(db, TEST_DATA / "import_windows1252.csv", settings=SETTINGS)
    assert any("Windows-1252" in note for note in report.file_notes)
    with db.session() as s:
        names = sorted(s.scalars(select(Organization.name)))
        assert names == ["Accès Emploi", "Centre d'accueil et d'établissement"]
        loc = _location(s, "acces emploi", "La Cité francophone")
        assert loc.services[0].language_codes == ["en", "fr"]


def test_xlsx_with_merged_organization_and_languages_cells(db, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Organization", "Branch", "Address", "Languages", "Phone"])
    ws.append(["Edmonton Public Library", "Calder", "12522 132 Avenue NW", "English, French", "780-496-7090"])
    ws.append([None, "Highlands", "6710 118 Avenue NW", None, "780-496-1806"])
    ws.append([None, "Sprucewood", "11555 95 Street NW", "Arabic", "780-496-7099"])
    ws.append([None, None, None, None, None])
    ws.append(["Bissell Centre", "East", "10527 96 Street NW", "English", 7804232285])
    ws.merge_cells("A2:A4")
    ws.merge_cells("D2:D3")
    ws.title = "Directory"
    wb.create_sheet("Notes").append(["not read"])
    path = tmp_path / "partners.xlsx"
    wb.save(path)

    report = import_file(db, path, settings=SETTINGS)
    by_row = {r.row: r for r in report.rows}
    assert [by_row[n].status for n in (2, 3, 4, 5, 6)] == ["imported", "imported", "imported", "skipped", "corrected"]
    assert "merged cell: 'Organization', 'Languages' filled in from the row above" in by_row[3].messages
    assert "merged cell: 'Organization' filled in from the row above" in by_row[4].messages
    assert any("only the first sheet ('Directory')" in n for n in report.file_notes)
    with db.session() as s:
        library = s.scalars(select(Organization).where(Organization.name_key == "edmonton public library")).one()
        assert sorted(loc.name for loc in library.locations) == ["Calder", "Highlands", "Sprucewood"]
        assert _location(s, "edmonton public library", "Highlands").services[0].language_codes == ["en", "fr"]
        assert _location(s, "edmonton public library", "Sprucewood").services[0].language_codes == ["ar"]
        assert [p.number for p in _location(s, "bissell centre", "East").phones] == ["+17804232285"]


def test_missing_required_columns_refuse_the_file_and_write_nothing(db):
    before = table_dump(db.engine)
    with pytest.raises(ImportRefused) as err:
        import_file(db, TEST_DATA / "import_missing_columns.csv", settings=SETTINGS)
    assert "no column for organization name" in str(err.value) and "Headers found: 'Program'" in str(err.value)
    assert err.value.report.refused
    assert table_dump(db.engine) == before


def test_oversized_file_refused_before_parsing(db, tmp_path):
    import_file(db, CLEAN, settings=SETTINGS)
    before = table_dump(db.engine)
    big = tmp_path / "big.csv"
    # Not even valid CSV past the header: proves the size check comes before any parsing.
    big.write_bytes(CLEAN.read_bytes() + b"\xff\x00" * 600_000)
    with pytest.raises(ImportRefused, match=r"1\.\d MB, larger than the 1 MB limit"):
        import_file(db, big, settings=Settings(max_upload_mb=1))
    with pytest.raises(ImportRefused, match="larger than"):
        import_file(db, CLEAN, settings=SETTINGS, max_bytes=100)
    assert table_dump(db.engine) == before


def test_failed_import_leaves_database_exactly_as_before(db, monkeypatch):
    import_file(db, CLEAN, settings=SETTINGS)
    before = table_dump(db.engine)

    def geocoder_breaks(*_args, **_kwargs):
        raise RuntimeError("geocoder crashed after the rows were written")

    # Fault injection at the last step of the transaction: every row is already flushed by then.
    monkeypatch.setattr("elip_map.importers.writer.geocode_locations", geocoder_breaks)
    with pytest.raises(RuntimeError, match="geocoder crashed"):
        import_file(db, MESSY, settings=SETTINGS)
    assert table_dump(db.engine) == before


def test_reimporting_the_same_file_changes_nothing(db):
    import_file(db, MESSY, settings=SETTINGS)
    import_file(db, CLEAN, settings=SETTINGS)
    before = table_dump(db.engine)
    again = import_file(db, CLEAN, settings=SETTINGS)
    assert [r.status for r in again.rows] == ["unchanged"] * 3 and not again.directory_changed
    messy_again = import_file(db, MESSY, settings=SETTINGS)
    assert messy_again.counts()["duplicate-merged"] == 1
    # No new rows, no updated_at churn, no directory-version bump, no second duplicate suspect.
    assert table_dump(db.engine) == before


def test_changed_row_updates_its_record_and_bumps_version_once(db, tmp_path):
    import_file(db, CLEAN, settings=SETTINGS)
    with db.session() as s:
        loc = _location(s, "edmonton public library", "Stanley A. Milner Library")
        loc_id, stamp, version = loc.id, loc.updated_at, directory_version(s)
        other_stamp = _location(s, "changing together a centre for immigrant women", "Mill Woods satellite").updated_at
        counts = (_count(s, Organization), _count(s, Location), _count(s, Service))
    text = CLEAN.read_text(encoding="utf-8")
    changed = text.replace("780-496-7000", "780-496-7050").replace("Sun 13:00-17:00", "Sun closed").replace(
        "Elevators to every floor", "Elevators; accessible washrooms")
    path = tmp_path / "clean_changed.csv"
    path.write_text(changed, encoding="utf-8")

    report = import_file(db, path, settings=SETTINGS)
    assert [r.status for r in report.rows] == ["unchanged", "unchanged", "updated"]
    with db.session() as s:
        loc = _location(s, "edmonton public library", "Stanley A. Milner Library")
        assert loc.id == loc_id and [p.number for p in loc.phones] == ["+17804967050"]
        assert {x.weekday for x in loc.schedules} == {1, 2, 3, 4, 5, 6}
        assert loc.accessibility == "Elevators; accessible washrooms" and loc.updated_at > stamp
        assert _location(s, "changing together a centre for immigrant women", "Mill Woods satellite").updated_at == other_stamp
        assert directory_version(s) == version + 1
        assert (_count(s, Organization), _count(s, Location), _count(s, Service)) == counts


def test_strict_refuses_a_file_with_rejected_rows(db):
    before = table_dump(db.engine)
    with pytest.raises(ImportRefused, match=r"2 row\(s\) rejected and --strict"):
        import_file(db, MESSY, settings=SETTINGS, strict=True)
    assert table_dump(db.engine) == before


def test_dry_run_reports_everything_and_writes_nothing(db):
    before = table_dump(db.engine)
    report = import_file(db, MESSY, settings=SETTINGS, dry_run=True)
    assert report.counts()["rejected"] == 2 and not report.applied
    assert {r.row: r.action for r in report.rows}[2] == "created"
    assert table_dump(db.engine) == before


def test_report_written_as_csv_and_json(sqlite_db, tmp_path):
    import json

    report = import_file(sqlite_db, MESSY, settings=SETTINGS)
    report.write(tmp_path / "report.json")
    report.write(tmp_path / "report.csv")
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["counts"]["rejected"] == 2 and data["rows"][0]["row"] == 2
    lines = (tmp_path / "report.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "row,status,action,organization,location,messages"
    assert any(line.startswith("7,rejected,none,,Nameless,no organization name") for line in lines)


def test_bundled_sample_imports_with_every_row_accounted_for(db):
    assert load_sample_if_empty(db) is True
    with db.session() as s:
        assert get_meta(s, DATASET_KEY) == "bundled-sample"
        locations = s.scalars(select(Location)).all()
        assert len(locations) == 54
        assert all(loc.last_verified is None for loc in locations)
        assert all(loc.source_url for loc in locations)
        no_street = [loc for loc in locations if not (loc.physical_address and loc.physical_address.address_1)]
        # With no street address, only a location whose name names a place is placed (at that place).
        assert len(no_street) == 17
        placed = {loc.name: loc.geocode_method for loc in no_street if loc.geocode_status != "needs-attention"}
        assert placed == {"Citizen and New Arrival Information Centre, City Hall": "place",
                          "East Campus House (University of Alberta)": "place"}
        library = s.scalars(select(Organization).where(Organization.name_key == "edmonton public library")).one()
        assert len(library.locations) == 18
        milner = _location(s, "edmonton public library", "Stanley A. Milner Library (Downtown)")
        assert milner.physical_address.postal_code == "T5J 2V4"
        assert milner.source_url == "Edmonton Public Library branch list (2015)"
        assert milner.services[0].type_slugs == ["community-connections", "education", "information-orientation"]
    assert load_sample_if_empty(db) is False


def test_bundled_sample_report_has_no_rejected_or_unknown_values(sqlite_db):
    report = import_file(sqlite_db, SAMPLE_FILE, settings=SETTINGS)
    assert len(report.rows) == 54
    assert {r.status for r in report.rows} == {"imported"}


def test_shipped_sample_is_what_the_build_script_makes(tmp_path):
    if not SHARED_PARTNERS.is_dir():
        pytest.skip("the partner listings ../shared/partners are not beside the project")
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_sample", SAMPLE_FILE.parents[2] / "scripts" / "build_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build(SHARED_PARTNERS) == SAMPLE_FILE.read_text(encoding="utf-8")


def test_missing_file_is_refused_plainly(sqlite_db, tmp_path):
    with pytest.raises(ImportRefused, match="there is no file at"):
        import_file(sqlite_db, tmp_path / "nope.csv", settings=SETTINGS)


def test_copy_of_file_under_another_name_does_not_duplicate(db, tmp_path):
    import_file(db, CLEAN, settings=SETTINGS)
    before = table_dump(db.engine)
    copy = tmp_path / "directory-final-v2.csv"
    shutil.copy(CLEAN, copy)
    import_file(db, copy, settings=SETTINGS)
    assert table_dump(db.engine) == before


def test_coordinates_typed_in_the_file_are_kept_and_placed_in_their_neighbourhood(sqlite_db, tmp_path):
    path = tmp_path / "pins.csv"
    path.write_text("Organization,Location,Address,Latitude,Longitude\n"
                    "City of Edmonton,City Hall,1 Sir Winston Churchill Square NW,53.5444,-113.4909\n"
                    "Calgary Catholic Immigration Society,Calgary office,1111 11 Avenue SW,51.0421,-114.0875\n",
                    encoding="utf-8")
    report = import_file(sqlite_db, path, settings=SETTINGS, geocode=False)
    # A pin outside the region the map serves is refused (issue 16): the row says why, and the
    # location waits for the geocoder or a person instead of showing in Calgary.
    assert [r.status for r in report.rows] == ["imported", "corrected"]
    assert ("the position 51.0421, -114.0875 is outside the Edmonton region this map serves; left out, "
            "the location will be geocoded") in report.rows[1].messages
    with sqlite_db.session() as s:
        hall = _location(s, "city of edmonton", "City Hall")
        assert (hall.latitude, hall.longitude, hall.geocode_status, hall.geocode_method) == (
            53.5444, -113.4909, "ok", "import")
        assert hall.neighbourhood_name and not hall.outside_city
        calgary = _location(s, "calgary catholic immigration society", "Calgary office")
        assert calgary.latitude is None and not calgary.is_public


def test_imports_are_in_the_audit_log_with_before_and_after(db, tmp_path):
    from elip_map.directory.audit import audit_entries

    import_file(db, CLEAN, settings=SETTINGS, actor="data steward: import_clean.csv")
    changed = tmp_path / "clean_changed.csv"
    changed.write_text(CLEAN.read_text(encoding="utf-8").replace("Elevators to every floor", "Elevators; accessible washrooms"),
                       encoding="utf-8")
    import_file(db, changed, settings=SETTINGS)
    import_file(db, changed, settings=SETTINGS)  # changes nothing: logs nothing
    with db.session() as s:
        loc_id = _location(s, "edmonton public library", "Stanley A. Milner Library").id
        imports = audit_entries(s, action="import")
        assert [(e.actor_label, e.after["locations_created"]) for e in reversed(imports)] == [
            ("data steward: import_clean.csv", 3), ("import: clean_changed.csv", 0)]
        (update,) = audit_entries(s, action="import.update")
        assert update.entity_id == str(loc_id)
        assert update.before == {"accessibility": "Elevators to every floor"}
        assert update.after == {"accessibility": "Elevators; accessible washrooms"}
