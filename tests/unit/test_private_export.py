"""`elip-map export --private`: the organizations' private contacts leave the directory only when asked,
only in the HSDS formats, in HSDS 3.0's ``contact`` shape, with a warning, and come back on import."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from elip_map.cli import cli
from elip_map.config import Settings
from elip_map.directory.models import Organization
from elip_map.directory.storage import open_database
from elip_map.hsds.validate import problems
from elip_map.importers.run import import_file
from tests.unit.test_eligibility import MESSY_SHEET

SETTINGS = Settings()
EXTRA_PHONE = ("Study Hub", "+17805550142")  # a contact phone no listing carries


def _contacts(database) -> dict[str, tuple]:
    """Every organization's private contact, read straight from the table: the expected values."""
    with database.session() as s:
        return {name: (email, language, phone) for name, email, language, phone in s.execute(
            select(Organization.name, Organization.contact_email, Organization.contact_language,
                   Organization.contact_phone).order_by(Organization.name))}


@pytest.fixture
def directory(db_url, tmp_path):
    """The messy partner sheet (two contacts with e-mail and language) plus a contact with a phone only,
    on SQLite and on PostgreSQL."""
    url = db_url
    database = open_database(url)
    sheet = tmp_path / "partners.csv"
    sheet.write_bytes(MESSY_SHEET.encode("utf-8"))
    assert import_file(database, sheet, settings=SETTINGS).applied
    with database.session() as s:
        org = s.scalars(select(Organization).where(Organization.name == EXTRA_PHONE[0])).one()
        org.contact_phone = EXTRA_PHONE[1]
    contacts = _contacts(database)
    emails = sorted(c[0] for c in contacts.values() if c[0])
    assert len(emails) == 2  # the sheet's two contact e-mails arrived: the test has something to look for
    yield {"url": url, "db": database, "contacts": contacts, "emails": emails, "phones": [EXTRA_PHONE[1]]}
    database.dispose()


def _export(url, *args, output: Path | None = None):
    argv = ["export", *args] + (["-o", str(output)] if output else [])
    return CliRunner().invoke(cli, argv, env={"DATABASE_URL": url})


def _all_bytes(data: bytes) -> bytes:
    """The raw bytes, and for a zip every member's bytes too (deflate hides text from a raw search)."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return data + b"".join(archive.read(name) for name in archive.namelist())


def _secrets_in(data: bytes, directory) -> list[str]:
    haystack = _all_bytes(data).lower()
    found = [e for e in directory["emails"] if e.lower().encode() in haystack]
    # A phone may be written in E.164 or for people (780-555-0142): look for its last seven digits.
    found += [p for p in directory["phones"] if p[-7:].encode() in haystack.replace(b"-", b"")]
    return found


@pytest.mark.parametrize("fmt", ["csv", "hsds-json", "hsds-tabular"])
def test_export_without_private_holds_no_contact(directory, tmp_path, fmt):
    out = tmp_path / f"export.{fmt}"
    result = _export(directory["url"], "--format", fmt, output=out)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert len(data) > 1000  # a real export, with the listings in it
    assert _secrets_in(data, directory) == []
    assert "personal data" not in result.output
    if fmt == "hsds-json":  # standard output too
        printed = _export(directory["url"], "--format", fmt)
        assert printed.exit_code == 0 and _secrets_in(printed.stdout_bytes, directory) == []


def test_private_hsds_json_carries_every_contact_as_valid_hsds(directory, tmp_path):
    out = tmp_path / "private.json"
    result = _export(directory["url"], "--format", "hsds-json", "--private", output=out)
    assert result.exit_code == 0, result.output
    assert "personal data" in result.output  # said where the person running it reads
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # and only its owner can read the file
    data = out.read_bytes()
    assert sorted(_secrets_in(data, directory)) == sorted(directory["emails"] + directory["phones"])
    doc = json.loads(data)
    assert doc["x_elip"]["personal_data"] is True and "PERSONAL DATA" in doc["x_elip"]["warning"]
    for org in doc["organizations"]:
        assert problems(org, "organization") == [], org["name"]
        email, language, phone = directory["contacts"][org["name"]]
        contacts = org.get("contacts", [])
        if not (email or language or phone):
            assert contacts == []
            continue
        (contact,) = contacts
        assert problems(contact, "contact") == []
        assert contact["organization_id"] == org["id"]
        assert contact.get("email") == email
        assert (contact.get("x_elip") or {}).get("language") == language
        assert [p["number"] for p in contact.get("phones", [])] == ([phone] if phone else [])
        assert all(problems(p, "phone") == [] for p in contact.get("phones", []))


def test_private_tabular_package_has_contacts_csv_and_says_it_holds_personal_data(directory, tmp_path):
    out = tmp_path / "private.zip"
    result = _export(directory["url"], "--format", "hsds-tabular", "--private", output=out)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        readme = archive.read("README.txt").decode()
        package = json.loads(archive.read("datapackage.json"))
        contacts = archive.read("contacts.csv").decode()
    assert names[0] == "README.txt" and "PERSONAL DATA" in readme
    assert "PERSONAL DATA" in package["description"] and package["x_elip_personal_data"] is True
    assert "contacts.csv" in {r["path"] for r in package["resources"]}
    assert all(email in contacts for email in directory["emails"])
    assert sorted(_secrets_in(out.read_bytes(), directory)) == sorted(directory["emails"] + directory["phones"])


def test_private_csv_is_refused_in_plain_words(directory, tmp_path):
    out = tmp_path / "refused.csv"
    result = _export(directory["url"], "--format", "csv", "--private", output=out)
    assert result.exit_code == 2
    assert "The CSV export never carries the organizations' private contacts" in result.output
    assert "--format hsds-json" in result.output and "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("fmt, suffix", [("hsds-json", ".json"), ("hsds-tabular", ".zip")])
def test_importing_a_private_export_restores_the_contacts(directory, tmp_path, fmt, suffix):
    out = tmp_path / f"private{suffix}"
    assert _export(directory["url"], "--format", fmt, "--private", output=out).exit_code == 0
    copy = open_database(f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    assert import_file(copy, out, settings=SETTINGS).applied
    assert _contacts(copy) == directory["contacts"]
    copy.dispose()

    # A public export imported over the directory keeps the contacts staff keep (it has none to say).
    public = tmp_path / f"public{suffix}"
    assert _export(directory["url"], "--format", fmt, output=public).exit_code == 0
    import_file(directory["db"], public, settings=SETTINGS)
    assert _contacts(directory["db"]) == directory["contacts"]
