"""`elip-map backup` / `elip-map restore`: a database filled through the app's own code (the bundled
sample, accounts, sessions, login attempts, pending and decided corrections, verification mails,
geocode results) goes from SQLite to PostgreSQL and back, and every table compares equal row by row.
Damaged, foreign and late-failing files are refused in plain words with the database unchanged."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import JSON, Text, cast, func, inspect, select, text

from elip_map.accounts.service import authenticate, create_user, start_session
from elip_map.cli import cli
from elip_map.config import Settings
from elip_map.directory.audit import AuditEntry, record_audit
from elip_map.directory.models import Base, DuplicateSuspect, GeocodeCache, Location, Organization, Service
from elip_map.directory.storage import make_engine, open_database
from elip_map.directory.users import User
from elip_map.importers.sample import load_sample_if_empty
from elip_map.review.changes import reject, submit_change
from elip_map.review.models import ChangeRequest
from elip_map.testing import PASSWORD, add_location, login
from elip_map.verification.campaign import confirm_still_correct, queue_campaign
from elip_map.verification.models import VerificationMail

# Today's schema has 18 tables; the comparison below must never pass by comparing nothing.
KNOWN_MINIMUM_TABLES = 18
PARTNER = "partner@bridge.example"
STAFF = "staff@elip.example"


def app_tables():
    """Every table the models declare (all model modules are imported above), parents first."""
    return list(Base.metadata.sorted_tables)


def fill(url: str) -> None:
    """Fill a database through the app's own functions, so that every table holds rows."""
    database = open_database(url)
    try:
        assert load_sample_if_empty(database)
        with database.session() as s:
            orgs = s.scalars(select(Organization).order_by(Organization.id).limit(2)).all()
            for org, (email, lang) in zip(orgs, [("intake@bridge.example", "ar"), ("info@accueil.example", "fr")]):
                org.contact_email, org.contact_language = email, lang
            staff = create_user(s, STAFF, PASSWORD, "staff", display_name="Amina Staff")
            create_user(s, PARTNER, PASSWORD, "partner", organization_id=orgs[0].id, display_name="Ліза Партнер")
            start_session(s, staff)
        # a login_attempt and login_throttle rows (the check is counted in its own transaction)
        assert authenticate(database, PARTNER, "not the password", ip="203.0.113.9") is None
        with database.session() as s:
            partner = s.scalar(select(User).where(User.email == PARTNER))
            staff = s.scalar(select(User).where(User.email == STAFF))
            loc = s.scalar(select(Location).where(Location.organization_id == partner.organization_id)
                           .order_by(Location.id))
            submit_change(s, partner, loc.id, {"phone": "780-555-0199", "hours": [[1, 540, 1020]]},
                          base_version=loc.version, submission_id="sub-pending")
            decided = submit_change(s, partner, loc.id, {"name": "Renamed by mistake"}, submission_id="sub-rejected")
            s.flush()
            reject(s, staff, decided.id, "Name unchanged, checked by phone")
        with database.session() as s:
            queue_campaign(s, secret_key="backup-test-secret", public_url="https://map.elip.test", link_days=30,
                           stale_months=12, actor="test")
        with database.session() as s:
            mail = s.scalars(select(VerificationMail).order_by(VerificationMail.id)).first()
            confirm_still_correct(s, mail, now=dt.datetime(2026, 11, 30, 10, 15, 30, 123456))
            s.add(GeocodeCache(address_key="10010 105 street nw|edmonton", method="nominatim", latitude=53.5432101234567,
                               longitude=-113.4987654321098, precision_m=12.5, confidence=0.875, source="test",
                               raw='{"display_name": "Édifice 10010", "importance": 0.61}'))
            service = s.scalars(select(Service).order_by(Service.id)).first()
            service.eligible_statuses, service.fee = "permanent-resident;refugee-claimant", "free"
            service.minimum_age, service.maximum_age, service.gender = 18, 64, "female"
            s.add(DuplicateSuspect(location_id=loc.id, source_file="partners.csv", row_numbers="4, 9",
                                   reason="Same address and phone as row 4"))
            record_audit(s, "command line", "test.null-json", "organization", None, None, {"x": None})
    finally:
        database.dispose()


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key, read back through the models' types; JSON
    columns also as their stored text, so SQL NULL and JSON null count as different."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in app_tables():
                cols = list(table.columns)
                cols += [cast(c, Text).label(f"{c.name}__text") for c in table.columns if isinstance(c.type, JSON)]
                out[table.name] = [tuple(r) for r in conn.execute(select(*cols).order_by(*table.primary_key.columns))]
            return out
    finally:
        engine.dispose()


def add_one(url: str, org_name: str) -> None:
    database = open_database(url)
    with database.session() as s:
        add_location(s, org_name, "Office", types=("food",))
    database.dispose()


def run(url: str, *args):
    return CliRunner().invoke(cli, [str(a) for a in args], env={"DATABASE_URL": url})


def assert_refused(result, *words):
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # a refusal, not a crash
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output
    assert "Nothing was changed." in result.output or "Nothing was written." in result.output, result.output


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('src') / 'source.sqlite3'}"
    fill(url)
    return url


@pytest.fixture(scope="module")
def sqlite_backup(sqlite_source, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bk") / "elip-backup.zip"
    result = run(sqlite_source, "backup", path, "--hsds")
    assert result.exit_code == 0, result.output
    return path


def test_the_filled_database_has_rows_in_every_table(sqlite_source):
    rows = dump(sqlite_source)
    assert len(rows) >= KNOWN_MINIMUM_TABLES
    assert [name for name, r in rows.items() if not r] == []
    services = rows["service"]
    statuses = [r for r in services if r[Service.__table__.columns.keys().index("eligible_statuses")]]
    assert statuses, "the filled database should carry eligibility"


def test_the_models_describe_every_table_and_column_of_a_migrated_database(db):
    """What the backup copies (the models' metadata) is all the migrations create, on both databases."""
    inspector = inspect(db.engine)
    assert set(inspector.get_table_names()) - {"alembic_version"} == {t.name for t in app_tables()}
    for table in app_tables():
        assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.columns.keys()), table.name


def test_sqlite_backup_restores_into_postgresql_table_by_table(sqlite_source, sqlite_backup, postgres_schema_url,
                                                               clear_pages_state):
    result = run(postgres_schema_url, "restore", sqlite_backup)
    assert result.exit_code == 0, result.output
    assert f"Restored {len(app_tables())} tables" in result.output
    before, after = dump(sqlite_source), dump(postgres_schema_url)
    assert list(after) == list(before) and len(after) >= KNOWN_MINIMUM_TABLES
    for name in before:
        assert after[name] == before[name], f"table {name} differs after the restore"
    assert all(before.values()), "every table must hold rows, or comparing it proves nothing"
    _old_password_works_and_new_rows_get_new_ids(postgres_schema_url, after)


def _old_password_works_and_new_rows_get_new_ids(url: str, restored: dict[str, list[tuple]]) -> None:
    from elip_map.factory import create_app  # delayed: builds the whole Dash app, only this check needs it

    app = create_app(Settings(database_url=url, tile_url="", secret_key="test-only-secret"), load_sample=False)
    client = login(app.server.test_client(), PARTNER)  # the password hash came through the restore
    assert client.get("/partner").status_code == 200
    database = open_database(url)
    try:
        with database.session() as s:
            loc = add_location(s, "Brand New Org", "First office", types=("employment",))
            user = create_user(s, "new@elip.example", PASSWORD, "staff")
            entry = record_audit(s, "test", "after.restore", "location", loc.id, None, None)
            s.flush()
            assert loc.id > max(r[0] for r in restored["location"])
            assert loc.organization_id > max(r[0] for r in restored["organization"])
            assert user.id > max(r[0] for r in restored["app_user"])
            assert entry.id > max(r[0] for r in restored["audit_log"])
    finally:
        database.dispose()


def test_postgresql_backup_restores_into_sqlite_table_by_table(postgres_schema_url, tmp_path, clear_pages_state):
    fill(postgres_schema_url)
    path = tmp_path / "from-postgres.zip"
    result = run(postgres_schema_url, "backup", path)
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    result = run(target, "restore", path)
    assert result.exit_code == 0, result.output
    before, after = dump(postgres_schema_url), dump(target)
    assert len(after) >= KNOWN_MINIMUM_TABLES and all(before.values())
    for name in before:
        assert after[name] == before[name], f"table {name} differs after the restore"
    _old_password_works_and_new_rows_get_new_ids(target, after)


def test_the_backup_carries_a_readable_hsds_copy_and_a_manifest(sqlite_backup, sqlite_source):
    with zipfile.ZipFile(sqlite_backup) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        hsds = json.loads(zf.read("hsds/directory.json"))
    rows = dump(sqlite_source)
    assert manifest["schema_revision"] and manifest["made_from"] == "sqlite"
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {name: len(r) for name, r in rows.items()}
    assert len(hsds["organizations"]) == len(rows["organization"])


# --- refusals: plain words, database unchanged ---------------------------------------------------------

def _rezip(source: Path, target: Path, change) -> Path:
    """A copy of a backup with ``change(name, bytes) -> bytes`` applied to every member."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))
    return target


def _manifest_edit(edit):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()
    return change


@pytest.fixture
def filled_target(tmp_path, sqlite_backup) -> str:
    """A SQLite database restored from the backup: it holds data a refused restore must leave alone."""
    url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    assert run(url, "restore", sqlite_backup).exit_code == 0
    return url


def test_damaged_files_are_refused_and_the_database_is_unchanged(filled_target, sqlite_backup, tmp_path):
    before = dump(filled_target)
    data = sqlite_backup.read_bytes()
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")

    def flip(name, content):
        # One changed character in the middle of the location rows: the zip is fine, the checksum is not.
        if name != "tables/location.jsonl":
            return content
        middle = len(content) // 2
        return content[:middle] + (b"X" if content[middle:middle + 1] != b"X" else b"Y") + content[middle + 1:]

    edited = _rezip(sqlite_backup, tmp_path / "edited.zip", flip)
    no_manifest = _rezip(sqlite_backup, tmp_path / "nomanifest.zip",
                         lambda n, d: b"{}" if n == "manifest.json" else d)
    for path in (truncated, garbage, empty, edited, no_manifest):
        result = run(filled_target, "restore", path, "--replace")
        assert_refused(result, str(path), "damaged")
    assert_refused(run(filled_target, "restore", tmp_path / "missing.zip", "--replace"), "There is no file")
    assert dump(filled_target) == before


def test_a_backup_of_another_schema_or_format_is_refused(filled_target, sqlite_backup, tmp_path):
    before = dump(filled_target)
    old = _rezip(sqlite_backup, tmp_path / "old.zip",
                 _manifest_edit(lambda m: m.update(schema_revision="0003_fk_indexes")))
    result = run(filled_target, "restore", old, "--replace")
    assert_refused(result, "schema revision '0003_fk_indexes'", "version of ELIP map that made it")
    newer = _rezip(sqlite_backup, tmp_path / "newer.zip", _manifest_edit(lambda m: m.update(format_version=2)))
    assert_refused(run(filled_target, "restore", newer, "--replace"), "backup format 2")
    assert dump(filled_target) == before


def test_restore_into_a_database_holding_data_needs_replace(filled_target, sqlite_backup, tmp_path):
    add_one(filled_target, "Someone's Org")
    before = dump(filled_target)
    result = run(filled_target, "restore", sqlite_backup)
    assert_refused(result, "already holds data", "organization: ", "--replace")
    assert dump(filled_target) == before
    result = run(filled_target, "restore", sqlite_backup, "--replace")
    assert result.exit_code == 0, result.output
    assert dump(filled_target) != before
    with zipfile.ZipFile(sqlite_backup) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    restored = dump(filled_target)
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {name: len(r) for name, r in restored.items()}


def _late_failure(backup: Path, target: Path) -> Path:
    """A backup whose very last table holds a session of an account that does not exist, with its
    checksum made right: everything before it inserts fine, then the database refuses that row."""
    last = app_tables()[-1]
    fk_column = next(c for c in last.columns if c.foreign_keys)
    with zipfile.ZipFile(backup) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        entry = next(t for t in manifest["tables"] if t["name"] == last.name)
        lines = zf.read(entry["file"]).decode().splitlines(keepends=True)
    row = json.loads(lines[-1])
    row[0] += 1000
    row[[c["name"] for c in entry["columns"]].index(fk_column.name)] = 999_999
    for index, column in enumerate(entry["columns"]):  # keep unique columns unique
        if last.columns[column["name"]].unique and isinstance(row[index], str):
            row[index] = "x" + row[index][1:][::-1]
    lines.append(json.dumps(row) + "\n")
    body = "".join(lines).encode()
    entry["rows"], entry["sha256"] = len(lines), hashlib.sha256(body).hexdigest()
    return _rezip(backup, target, lambda n, d: body if n == entry["file"] else
                  json.dumps(manifest).encode() if n == "manifest.json" else d)


def test_a_restore_that_fails_on_its_last_row_changes_nothing(db_url, sqlite_backup, tmp_path):
    """All or nothing, on both databases: --replace deletes and re-inserts in one transaction."""
    assert run(db_url, "restore", sqlite_backup).exit_code == 0
    add_one(db_url, "Kept Org")
    before = dump(db_url)
    bad = _late_failure(sqlite_backup, tmp_path / "late.zip")
    result = run(db_url, "restore", bad, "--replace")
    assert_refused(result, f"table {app_tables()[-1].name}")
    assert dump(db_url) == before


# --- one consistent state ------------------------------------------------------------------------------

def test_a_backup_is_one_state_even_while_the_app_writes(db_url, tmp_path):
    from elip_map.backup import write_backup  # the command cannot pause between tables; the function can

    database = open_database(db_url)
    with database.session() as s:
        add_location(s, "First Org", "Office", types=("food",))
        add_location(s, "Second Org", "Office", types=("employment",))
    wrote = threading.Event()

    def write_meanwhile(table_name: str) -> None:
        if wrote.is_set():
            return
        # Another process's connection: a new organization, location and audit entry, committed now.
        other = make_engine(db_url)
        with other.begin() as conn:
            conn.execute(text("INSERT INTO organization (name, name_key, created_at, updated_at) "
                              "VALUES ('Late Org', 'late org', '2026-11-30 12:00:00', '2026-11-30 12:00:00')"))
            conn.execute(text("INSERT INTO audit_log (at, actor_label, action, entity_type) "
                              "VALUES ('2026-11-30 12:00:00', 'test', 'late.write', 'organization')"))
        other.dispose()
        wrote.set()

    before = dump(db_url)
    summary = write_backup(database.engine, tmp_path / "b.zip", on_table=write_meanwhile)
    assert wrote.is_set()
    assert {t.name: t.rows for t in summary.tables} == {name: len(r) for name, r in before.items()}
    now = dump(db_url)
    assert len(now["organization"]) == len(before["organization"]) + 1  # the write did happen
    target = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    assert run(target, "restore", tmp_path / "b.zip").exit_code == 0
    assert dump(target) == before
    database.dispose()


def test_backup_refuses_unknown_tables_and_leaves_no_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'odd.sqlite3'}"
    database = open_database(url)
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TABLE stray_notes (id INTEGER PRIMARY KEY, note TEXT)"))
    database.dispose()
    path = tmp_path / "odd.zip"
    result = run(url, "backup", path)
    assert_refused(result, "stray_notes")
    assert not path.exists() and not list(tmp_path.glob("*.partial"))


def test_backup_will_not_overwrite_or_write_where_it_cannot(sqlite_source, tmp_path):
    existing = tmp_path / "exists.zip"
    existing.write_bytes(b"keep me")
    result = run(sqlite_source, "backup", existing)
    assert result.exit_code == 1 and "already exists" in result.output and "--overwrite" in result.output
    assert existing.read_bytes() == b"keep me"
    result = run(sqlite_source, "backup", tmp_path / "no-such-folder" / "b.zip")
    assert_refused(result, "Could not write")


def test_a_value_too_long_for_postgresql_is_named_and_nothing_is_written(tmp_path, postgres_schema_url):
    """SQLite keeps a 400-character name in a 300-character column; PostgreSQL would not, so the restore
    names the table, line and column instead of failing halfway."""
    source = f"sqlite:///{tmp_path / 'long.sqlite3'}"
    add_one(source, "Short Org")
    engine = make_engine(source)
    with engine.begin() as conn:
        conn.execute(text("UPDATE organization SET name = :n"), {"n": "N" * 400})
    engine.dispose()
    assert run(source, "backup", tmp_path / "long.zip").exit_code == 0
    open_database(postgres_schema_url).dispose()  # an empty, migrated database
    before = dump(postgres_schema_url)
    result = run(postgres_schema_url, "restore", tmp_path / "long.zip")
    assert_refused(result, "Line 1 of table organization", "name holds 400 characters, more than its 300")
    assert dump(postgres_schema_url) == before and not any(before.values())


def test_only_the_owner_may_read_a_backup(sqlite_backup):
    """It holds password hashes, session hashes and organizations' private contacts."""
    assert sqlite_backup.stat().st_mode & 0o077 == 0


def _first_table(manifest: dict) -> dict:
    return manifest["tables"][0]


@pytest.mark.parametrize("edit", [
    lambda m: m.update(tables="all of them"),
    lambda m: m.update(tables=[[1, 2]]),
    lambda m: _first_table(m).update(name=["a", "list"]),
    lambda m: _first_table(m).update(rows="many"),
    lambda m: _first_table(m).update(file=None),
    lambda m: _first_table(m).update(file="tables/nowhere.jsonl"),
    lambda m: _first_table(m)["columns"].reverse(),
    lambda m: m["tables"].pop(),
    lambda m: m.update(format="something-else"),
    lambda m: m.update(format_version="1"),
], ids=["tables-not-a-list", "table-not-an-object", "name-not-text", "rows-not-a-number", "file-missing",
        "file-absent", "columns-reordered", "table-missing", "other-format", "version-as-text"])
def test_a_forged_manifest_is_refused_plainly(edit, filled_target, sqlite_backup, tmp_path):
    before = dump(filled_target)
    forged = _rezip(sqlite_backup, tmp_path / "forged.zip", _manifest_edit(edit))
    assert_refused(run(filled_target, "restore", forged, "--replace"), str(forged))
    assert dump(filled_target) == before
