"""HSDS 3.0 out and in: exports validate against the schema, every published shape imports with the
counts it holds, taxonomy terms map (or are reported), ids stay stable, a peer's tabular package
round-trips."""

import json
import shutil
import zipfile

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from elip_map.cli import cli
from elip_map.config import Settings
from elip_map.directory.models import Address, Location, Organization, Phone, Service, ServiceType
from elip_map.directory.storage import open_database
from elip_map.exporters import export_bytes
from elip_map.hsds.export import export_hsds
from elip_map.hsds.validate import problems
from elip_map.importers.report import ImportRefused
from elip_map.importers.run import import_file
from elip_map.importers.sample import SAMPLE_FILE
from elip_map.testing import TEST_DATA

SETTINGS = Settings()
HSDS = TEST_DATA / "hsds"


def _walk(value, path="$"):
    """Every (path, dict) below ``value``, and every (path, None) where a null sits."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            if item is None:
                yield f"{path}.{key}", None
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def _populate(database) -> None:
    """The bundled sample (28 organizations) plus a clean and a messy partner spreadsheet."""
    for path in (TEST_DATA / "import_clean.csv", TEST_DATA / "import_messy.csv", SAMPLE_FILE):
        import_file(database, path, settings=SETTINGS)


def _counts(database) -> tuple[int, int, int]:
    with database.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(model)) for model in (Organization, Service, Location))


def test_every_exported_organization_validates_against_hsds_3(db):
    _populate(db)
    with db.session() as s:
        doc = export_hsds(s)
        no_postal = s.scalar(select(func.count()).select_from(Address).where(Address.postal_code.is_(None)))
    assert len(doc["organizations"]) >= 28
    for org in doc["organizations"]:
        assert problems(org, "organization") == [], org["name"]
    assert [problems(t, "taxonomy_term") for t in doc["taxonomy_terms"]] == [[]] * 20
    assert problems(doc["taxonomies"][0], "taxonomy") == []
    nulls = [path for path, value in _walk(doc["organizations"]) if value is None]
    assert nulls == []
    # Every object inside a list (phones, languages, attributes, taxonomy terms ...) carries an id.
    without_id = [path for path, value in _walk(doc["organizations"])
                  if isinstance(value, dict) and path.endswith("]") and "id" not in value]
    assert without_id == []
    ids = [value["id"] for path, value in _walk(doc["organizations"])
           if isinstance(value, dict) and "id" in value and not path.endswith("taxonomy_term")]
    assert len(ids) == len(set(ids))
    # A postal code we do not know is never invented: it is empty, and marked unknown.
    unknown = [a for path, a in _walk(doc["organizations"]) if isinstance(a, dict) and "address_type" in a
               and a["postal_code"] == ""]
    assert no_postal > 0 and len(unknown) == no_postal
    assert all("postal_code" in a["x_elip"]["unknown"] for a in unknown)
    blank = [o for o in doc["organizations"] if o["description"] == ""]
    assert blank and all(o["x_elip"]["unknown"] == ["description"] for o in blank)


# (file, organizations, services, locations): counted by hand from each fixture.
SHAPES = [("organization_full.json", 1, 1, 1), ("service_full.json", 1, 1, 1), ("organization_list.json", 2, 2, 1),
          ("organization_pages.json", 2, 2, 1), ("tabular", 2, 3, 3)]


@pytest.mark.parametrize("name, orgs, services, locations", SHAPES)
def test_published_shapes_import_with_the_counts_they_hold(sqlite_db, name, orgs, services, locations):
    report = import_file(sqlite_db, HSDS / name, settings=SETTINGS)
    assert report.counts()["rejected"] == 0
    assert _counts(sqlite_db) == (orgs, services, locations)


def test_a_service_offered_at_two_locations_stays_one_service(db):
    import_file(db, HSDS / "tabular", settings=SETTINGS)  # Settlement Counselling: Callingwood and Jasper Place
    with db.session() as s:
        svc = s.scalars(select(Service).where(Service.name == "Settlement Counselling")).one()
        assert sorted((link.location.name, link.description) for link in svc.location_links) == [
            ("Callingwood satellite", "By appointment"), ("Jasper Place office", "Walk-in on Fridays")]
    again = import_file(db, HSDS / "tabular", settings=SETTINGS)
    assert not again.directory_changed and _counts(db) == (2, 3, 3)


def test_a_service_at_location_and_a_page_of_terms_import(sqlite_db, tmp_path):
    service = json.loads((HSDS / "service_full.json").read_text())
    (link,) = service.pop("service_at_locations")
    # The /service_at_locations/{id} shape: the link, with its service (and that service's organization) inside.
    path = tmp_path / "sal.json"
    path.write_text(json.dumps({**link, "service": service}))
    import_file(sqlite_db, path, settings=SETTINGS)
    assert _counts(sqlite_db) == (1, 1, 1)
    # A page of /taxonomy_terms, then a page of /organizations whose services name terms only by id.
    terms = {"total_items": 1, "total_pages": 1, "page_number": 1, "size": 1, "first_page": True, "last_page": True,
             "empty": False, "contents": [{"id": "22222222-3333-4444-8555-666666666601", "code": "X-7",
                                           "name": "Housing", "description": "A place to live"}]}
    org = {"id": "22222222-3333-4444-8555-666666666602", "name": "Roof Society", "description": "Homes",
           "services": [{"id": "22222222-3333-4444-8555-666666666603", "name": "Rent Bank", "status": "active",
                         "attributes": [{"id": "22222222-3333-4444-8555-666666666604",
                                         "taxonomy_term_id": "22222222-3333-4444-8555-666666666601"}]}]}
    path = tmp_path / "pages.json"
    path.write_text(json.dumps([terms, {**terms, "contents": [org]}]))
    import_file(sqlite_db, path, settings=SETTINGS)
    with sqlite_db.session() as s:
        assert s.scalars(select(Service).where(Service.name == "Rent Bank")).one().type_slugs == ["housing"]


def test_a_page_that_is_not_the_whole_list_says_so(sqlite_db, tmp_path):
    pages = json.loads((HSDS / "organization_pages.json").read_text())
    path = tmp_path / "page2.json"
    path.write_text(json.dumps(pages[1]))
    report = import_file(sqlite_db, path, settings=SETTINGS)
    assert any("page(s) 2 of 2" in note for note in report.file_notes)
    assert _counts(sqlite_db) == (1, 0, 0)
    whole = import_file(sqlite_db, HSDS / "organization_pages.json", settings=SETTINGS)
    assert not any("page(s)" in note for note in whole.file_notes)


def test_the_tabular_package_imports_as_a_zip_too(sqlite_db, tmp_path):
    archive = tmp_path / "westend.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in (HSDS / "tabular").iterdir():
            z.write(path, f"westend/{path.name}")  # inside a top folder, as zips often are
    import_file(sqlite_db, archive, settings=SETTINGS)
    assert _counts(sqlite_db) == (2, 3, 3)
    # Small enough as a zip, too big once unpacked: refused before anything is read.
    limit = archive.stat().st_size + 1
    with pytest.raises(ImportRefused, match="unpacks to more than"):
        import_file(sqlite_db, archive, settings=SETTINGS, max_bytes=limit)
    with pytest.raises(ImportRefused, match="folder's files hold more than"):
        import_file(sqlite_db, HSDS / "tabular", settings=SETTINGS, max_bytes=limit)


def test_what_the_shapes_carry_arrives(sqlite_db):
    import_file(sqlite_db, HSDS / "organization_full.json", settings=SETTINGS)
    import_file(sqlite_db, HSDS / "service_full.json", settings=SETTINGS)
    with sqlite_db.session() as s:
        loc = s.scalars(select(Location).where(Location.name == "Castle Downs office")).one()
        assert (loc.latitude, loc.longitude) == (53.6176, -113.5136)
        assert loc.addresses[0].postal_code == "T5X 6A4" and loc.accessibility == "Step-free entrance"
        svc = loc.services[0]
        assert svc.name == "Family Settlement Support" and svc.fees == "Free"
        assert svc.language_codes == ["ar", "ti"]
        assert sorted(sch.weekday for sch in svc.schedules) == [1, 3]
        assert [(p.number, p.extension) for p in loc.phones] == [("+17805550103", "100")]  # quoted, as OR's example
        org = loc.organization
        assert [p.number for p in org.phones] == ["+17805550101"]
        library = s.scalars(select(Location).where(Location.name == "Northgate branch")).one()
        assert library.organization.name == "Northgate Community Library"
        assert library.addresses[0].postal_code is None  # an empty postal code stays unknown
        assert library.services[0].type_slugs == ["language-training"]
        assert sorted(sch.weekday for sch in library.services[0].schedules) == [4, 5]


def test_parts_we_do_not_hold_and_impossible_coordinates_are_reported(sqlite_db, tmp_path):
    report = import_file(sqlite_db, HSDS / "organization_full.json", settings=SETTINGS)
    kept = next(n for n in report.file_notes if n.startswith("not kept"))
    assert "1 contacts of organizations" in kept and "1 funding of organizations" in kept
    assert "1 contacts of service-at-location links" in kept
    doc = json.loads((HSDS / "service_full.json").read_text())
    doc["service_at_locations"][0]["location"].update(latitude=100, longitude=101)  # as in Open Referral's example
    doc["organization"]["locations"] = []
    doc["schedules"].append({"id": "0c1d2e3f-0030-4a5b-8c9d-0e1f2a3b4c5d", "byday": "MO", "opens_at": "25:99"})
    path = tmp_path / "service.json"
    path.write_text(json.dumps(doc))
    report = import_file(sqlite_db, path, settings=SETTINGS)
    assert any("latitude '100' is out of range" in n for n in report.file_notes)
    assert any("schedule with a time or date that cannot be read" in n for n in report.file_notes)
    with sqlite_db.session() as s:
        loc = s.scalars(select(Location).where(Location.name == "Northgate branch")).one()
        assert loc.latitude != 100 and not (loc.latitude is None and loc.is_public)


def test_taxonomy_terms_map_by_code_and_by_name_and_the_rest_are_reported(sqlite_db):
    report = import_file(sqlite_db, HSDS / "tabular", settings=SETTINGS)
    with sqlite_db.session() as s:
        types = {svc.name: svc.type_slugs for svc in s.scalars(select(Service))}
    assert types == {"Job Search Club": ["employment"],  # by code
                     "Settlement Counselling": ["needs-assessment-referral"],  # by name ("Needs Assessment")
                     "Homework Help": ["youth"]}  # code Y-1 unknown, name "Youth" known
    assert any("Robotics Club" in note and "Z-9" in note for note in report.file_notes)

    report = import_file(sqlite_db, HSDS / "organization_full.json", settings=SETTINGS)
    assert any("Tax Preparation Assistance" in note for note in report.file_notes)
    with sqlite_db.session() as s:
        svc = s.scalars(select(Service).where(Service.name == "Family Settlement Support")).one()
        assert svc.type_slugs == ["information-orientation"]


def test_reimporting_a_peer_package_updates_instead_of_duplicating(sqlite_db, tmp_path):
    import_file(sqlite_db, HSDS / "tabular", settings=SETTINGS)
    changed = tmp_path / "tabular"
    shutil.copytree(HSDS / "tabular", changed)
    # The peer moved its Callingwood office (same location id, new address) and renamed nothing else.
    text = (changed / "addresses.csv").read_text().replace("6210 188 Street NW", "6225 184 Street NW")
    (changed / "addresses.csv").write_text(text)
    report = import_file(sqlite_db, changed, settings=SETTINGS)
    assert _counts(sqlite_db) == (2, 3, 3)
    assert report.directory_changed
    with sqlite_db.session() as s:
        loc = s.scalars(select(Location).where(Location.name == "Callingwood satellite")).one()
        assert loc.addresses[0].address_1 == "6225 184 Street NW"
    again = import_file(sqlite_db, changed, settings=SETTINGS)
    assert not again.directory_changed


def test_peer_tabular_to_json_to_empty_database_gives_the_same_json(tmp_path):
    first_db = open_database(f"sqlite:///{tmp_path / 'first.sqlite3'}")
    import_file(first_db, HSDS / "tabular", settings=SETTINGS)
    with first_db.session() as s:
        first = export_hsds(s)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(first), encoding="utf-8")
    second_db = open_database(f"sqlite:///{tmp_path / 'second.sqlite3'}")
    import_file(second_db, path, settings=SETTINGS)
    with second_db.session() as s:
        second = export_hsds(s)
    for db in (first_db, second_db):
        db.dispose()
    assert second["organizations"] == first["organizations"]
    assert second["taxonomy_terms"] == first["taxonomy_terms"]
    assert len(first["organizations"]) == 2
    with_phone = [loc for org in first["organizations"] for loc in org["locations"] if loc.get("phones")]
    assert with_phone[0]["phones"][0]["extension"] == 12  # HSDS types the extension as a number


def test_our_tabular_export_is_a_package_that_imports_back(sqlite_db, tmp_path):
    _populate(sqlite_db)
    with sqlite_db.session() as s:
        data = export_bytes(s, "hsds-tabular")
        phones = s.scalar(select(func.count()).select_from(Phone))
        types = s.scalar(select(func.count()).select_from(ServiceType))
    archive = tmp_path / "directory.zip"
    archive.write_bytes(data)
    with zipfile.ZipFile(archive) as z:
        package = json.loads(z.read("datapackage.json"))
        files = set(z.namelist())
    assert {r["path"] for r in package["resources"]} <= files
    assert {"organizations.csv", "services.csv", "locations.csv", "service_at_location.csv"} <= files
    copy = open_database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    import_file(copy, archive, settings=SETTINGS)
    assert _counts(copy) == _counts(sqlite_db)
    with copy.session() as s:
        assert s.scalar(select(func.count()).select_from(Phone)) == phones
        assert s.scalar(select(func.count()).select_from(ServiceType)) == types
    copy.dispose()


def test_cli_exports_the_tabular_package(sqlite_db, tmp_path):
    import_file(sqlite_db, HSDS / "tabular", settings=SETTINGS)
    env = {"DATABASE_URL": str(sqlite_db.engine.url)}
    out = tmp_path / "out.zip"
    result = CliRunner().invoke(cli, ["export", "--format", "hsds-tabular", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as z:
        assert "West End Newcomer Hub" in z.read("organizations.csv").decode()
    refused = CliRunner().invoke(cli, ["export", "--format", "hsds-tabular"], env=env)
    assert refused.exit_code == 2 and "-o FILE.zip" in refused.output
    copy_env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'copy.sqlite3'}"}
    imported = CliRunner().invoke(cli, ["import", str(out)], env=copy_env)
    assert imported.exit_code == 0, imported.output
    folder = CliRunner().invoke(cli, ["import", str(HSDS / "tabular")], env=copy_env)
    assert folder.exit_code == 0 and "HSDS tabular package" in folder.output
    copy = open_database(copy_env["DATABASE_URL"])
    assert _counts(copy) == (2, 3, 3)
    copy.dispose()


@pytest.mark.parametrize("text, words", [
    ('{"hello": "world"}', "not HSDS"),
    ("[1, 2]", "other than HSDS objects"),
    ("{not json", "not readable JSON"),
])
def test_json_that_is_not_hsds_is_refused_in_plain_words(sqlite_db, tmp_path, text, words):
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(ImportRefused, match=words):
        import_file(sqlite_db, path, settings=SETTINGS)
    assert _counts(sqlite_db) == (0, 0, 0)
