"""The audit log in the reader's language: every field an audit entry stores has a translated name, and an
Arabic audit page shows an import and an account entry without English field names or English values.

The stored entries stay English JSON (the CSV export keeps them exact); only the page translates them.
The keys checked here are taken from what the writers really store, not from the page's label lists: a
new field a writer adds fails the test until it has a translated name.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import elip_map
from elip_map.accounts.models import User
from elip_map.accounts.user_admin import manage_user
from elip_map.cli import cli
from elip_map.config import Settings
from elip_map.directory.audit import AuditEntry
from elip_map.directory.models import Location
from elip_map.directory.storage import open_database
from elip_map.geocoding.notes import BOUNCE_REPORTED
from elip_map.i18n import SUPPORTED_UI, catalogue
from elip_map.importers.run import import_file
from elip_map.review import changes
from elip_map.review.audit_view import label_msgid
from elip_map.testing import PASSWORD, add_location, add_user, login
from elip_map.verification.campaign import confirm_still_correct, mark_bounced, queue_campaign
from elip_map.verification.contacts import set_contact
from elip_map.verification.models import VerificationMail
from tests.unit.test_review_pages import site  # noqa: F401 - the shared site fixture
from tests.unit.test_staff_pages import _strings

DATA = Path(__file__).resolve().parents[1] / "data"
PACKAGE = Path(elip_map.__file__).resolve().parent
LATIN = re.compile(r"[A-Za-z]")


# --- what the writers store ---------------------------------------------------------------------------

def _written_actions() -> set[str]:
    """Every action a ``record_audit`` call in the package can write, read from the calls themselves.

    A literal (or both arms of ``"a" if x else "b"``) is taken as it is; a variable is followed to the
    default of the enclosing function's parameter and to the values callers pass for it by keyword.
    """
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in PACKAGE.rglob("*.py")}
    functions = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                functions.setdefault(node.name, []).append(node)
    actions = set()
    for tree in trees.values():
        for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            for call in (n for n in ast.walk(fn) if isinstance(n, ast.Call)):
                name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                if name != "record_audit" or len(call.args) < 3:
                    continue
                arg = call.args[2]
                if isinstance(arg, ast.Name):
                    params = fn.args.args[-len(fn.args.defaults):] if fn.args.defaults else []
                    actions |= {d.value for p, d in zip(params, fn.args.defaults)
                                if p.arg == arg.id and isinstance(d, ast.Constant)}
                    for other in trees.values():
                        for c in (n for n in ast.walk(other) if isinstance(n, ast.Call)):
                            if (getattr(c.func, "id", None) or getattr(c.func, "attr", None)) == fn.name:
                                actions |= {k.value.value for k in c.keywords
                                            if k.arg == arg.id and isinstance(k.value, ast.Constant)}
                else:
                    actions |= {n.value for n in ast.walk(arg) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return actions


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A directory in which every writer of the audit log has written once, the way it does in use."""
    tmp = tmp_path_factory.mktemp("audit-words")
    url = f"sqlite:///{tmp / 'audit.sqlite3'}"
    settings = Settings(database_url=url, tile_url="", secret_key="test-only-secret")
    database = open_database(url)
    with database.session() as s:
        placed = add_location(s, "Org W", "Placed", lat=53.54, lon=-113.49, langs=(), location_key="w-placed")
        lost = add_location(s, "Org W", "Lost", lat=None, lon=None, status="needs-attention", langs=(),
                            location_key="w-lost")
        org_id = placed.organization_id
        staff_row = add_user(s, "staff@elip.example", "staff")
        staff = SimpleNamespace(id=staff_row.id, email=staff_row.email, is_staff=True, organization_id=None)
        ids = {"org": org_id, "placed": placed.id, "lost": lost.id}
    # An import, then the same file with one value changed (an update of an existing listing).
    source = tmp / "partners.csv"
    shutil.copy(DATA / "import_clean.csv", source)
    import_file(database, source, settings=settings, geocode=False)
    source.write_text(source.read_text(encoding="utf-8").replace("Ramp at the east door", "Ramp at the west door"),
                      encoding="utf-8")
    import_file(database, source, settings=settings, geocode=False)
    # The command line: geocoding the imported listings, accounts.
    env = {"DATABASE_URL": url, "ELIP_GEOCODER_URL": "", "ELIP_USER_PASSWORD": PASSWORD}
    runner = CliRunner()
    for args in (["geocode", "--force"], ["user", "add", "p@orgw.example", "--role", "partner",
                                          "--organization", str(org_id)],
                 ["user", "reset-password", "p@orgw.example"]):
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 0, result.output
    # The accounts page.
    manage_user(database, staff, True, email="new@orgw.example", role="partner", organization_id=org_id,
                password=PASSWORD, reset_email=None, reset_password=None)
    for _twice in range(2):  # disabled, then enabled again
        manage_user(database, staff, False, email=None, role=None, organization_id=None, password=None,
                    reset_email="new@orgw.example", reset_password=None, toggle=True)
    # Review: two proposals for one listing, one approved with a note, the other re-based then rejected;
    # a direct edit, a pin, "still correct".
    with database.session() as s:
        partner = SimpleNamespace(id=None, email="p@orgw.example", is_staff=False, organization_id=org_id)
        one = changes.submit_change(s, partner, ids["placed"], {"name": "Placed again", "hours": [[1, 540, 1020]]}).id
        two = changes.submit_change(s, partner, ids["placed"], {"description": "A second proposal"}).id
    with database.session() as s:
        changes.approve(s, staff, one, note="checked by phone")
    with database.session() as s:
        changes.refresh_request(s, staff, two)
    with database.session() as s:
        changes.reject(s, staff, two, note="not what the centre says")
    with database.session() as s:
        loc = s.get(Location, ids["placed"])
        changes.direct_edit(s, staff, loc.id, {"accessibility": "Step-free entrance"}, loc.version)
    with database.session() as s:
        loc = s.get(Location, ids["lost"])
        changes.place_pin(s, staff, loc.id, 53.55, -113.5, loc.version)
    with database.session() as s:
        changes.mark_still_correct(s, staff, ids["placed"], today=dt.date(2026, 3, 5))
    # Verification: a contact, a campaign mail, its bounce, "still correct" by the link.
    with database.session() as s:
        set_contact(s, staff, org_id, "contact@orgw.example", "fr", "780-555-0199")
    with database.session() as s:
        queue_campaign(s, secret_key="test-only-secret", public_url="https://map.elip.test", link_days=30,
                       stale_months=12, organization_ids=[org_id])
    with database.session() as s:
        mail = s.scalars(select(VerificationMail)).one()
        mark_bounced(s, mail, BOUNCE_REPORTED(reason="5.1.1 User unknown"))
        confirm_still_correct(s, mail)
    with database.session() as s:
        entries = [(e.action, e.before, e.after) for e in s.scalars(select(AuditEntry))]
    database.dispose()
    return entries


def test_every_writer_of_the_audit_log_was_run(written):
    """The next test is only as good as this list: a new kind of entry must be added to the fixture."""
    assert _written_actions() - {action for action, _b, _a in written} == set()


# Containers, not fields: a proposal's fields are the listing's; a listing's services are listed by id.
_CONTAINERS = {"payload", "services"}
# Bookkeeping no reader is shown: row versions and the ids that join an entry to a mail or request.
_NOT_SHOWN = {"version", "base_version", "request_id", "mail_id"}


def _shown_keys(data, within=None):
    """(the field a key sits in, the key) for every key the audit page names (a pin reads as coordinates)."""
    for key, value in data.items():
        if key in _NOT_SHOWN:
            continue
        if key == "payload":
            yield from _shown_keys(value)
        elif key == "services":
            for service in value.values():
                yield from _shown_keys(service, "services")
        else:
            yield within, key
            if isinstance(value, dict) and key != "pin":
                yield from _shown_keys(value, key)


def test_every_field_the_writers_store_has_a_name_in_every_language(written):
    keys = {k for _action, before, after in written for side in (before, after) if isinstance(side, dict)
            for k in _shown_keys(side)}
    # The writers really stored what the page must name (an import's row counts, geocoding methods).
    assert {(None, "file"), ("rows", "imported"), (None, "organization_id"), ("placed", "grid")} <= keys
    unnamed = sorted(k for k in keys if not label_msgid(k[1], k[0]))
    assert unnamed == []
    untranslated = sorted((ui, label_msgid(key, within)) for within, key in keys
                          for ui in SUPPORTED_UI if ui != "en" and not catalogue(ui).get(label_msgid(key, within)))
    assert untranslated == []


# --- the page -----------------------------------------------------------------------------------------

def _page(client, search):
    """The rendered audit page's component tree (as the browser gets it)."""
    from elip_map.testing import render_page

    r = render_page(client, "/staff/audit", search)
    assert r.status_code == 200
    return r.get_json()["response"]["_pages_content"]["children"]


def _entries(tree) -> list[dict]:
    """Each entry: its title, and its table's rows as [field, before, after] texts."""
    found = []

    def walk(n):
        if isinstance(n, list):
            for x in n:
                walk(x)
        elif isinstance(n, dict):
            props = n.get("props", {})
            if "data-audit-id" in props:
                title = _strings(props["children"][0]).replace("\n", "")
                rows = []
                for tr in _find(props["children"], "Tr")[1:]:
                    rows.append([_strings(c["props"].get("children")) for c in tr["props"]["children"]])
                found.append({"title": title, "rows": rows})
                return
            walk(props.get("children"))
    walk(tree)
    return found


def _find(node, kind):
    out = []
    if isinstance(node, list):
        for x in node:
            out.extend(_find(x, kind))
    elif isinstance(node, dict):
        if node.get("type") == kind:
            out.append(node)
        out.extend(_find(node.get("props", {}).get("children"), kind))
    return out


def test_the_arabic_audit_page_names_an_import_and_an_account_in_arabic(site, tmp_path):
    app, database, ids = site
    source = tmp_path / "partners-2026.csv"
    shutil.copy(DATA / "import_clean.csv", source)
    rows_in_file = sum(1 for _ in csv.DictReader(io.StringIO(source.read_text(encoding="utf-8"))))
    import_file(database, source, settings=Settings(database_url=str(database.engine.url)), geocode=False)
    client = login(app.server.test_client(), "staff1@elip.example")
    with database.session() as s:
        staff_id = s.scalars(select(User.id).where(User.email == "staff1@elip.example")).one()
    staff = SimpleNamespace(id=staff_id, email="staff1@elip.example", is_staff=True)
    ok, _message, _rows = manage_user(database, staff, True, email="new@orgb.example", role="partner",
                                      organization_id=ids["org"], password=PASSWORD, reset_email=None,
                                      reset_password=None)
    assert ok

    arabic = _entries(_page(client, "?ui=ar"))
    account = next(e for e in arabic if "new@orgb.example" in e["title"])
    imported = next(e for e in arabic if "partners-2026.csv" in e["title"])
    for entry in (account, imported):
        fields = [row[0] for row in entry["rows"]]
        assert fields and [f for f in fields if LATIN.search(f)] == []   # no English field name
    # The subject: the file in an Arabic phrase, the account by its address; no English words around them.
    assert LATIN.sub("", imported["title"].replace("partners-2026.csv", "")).strip()
    assert not re.search(r"\b(import|user)\b", imported["title"] + account["title"])
    # Values stored in English read in Arabic: the row counts, the role; the organization by its name.
    values = {row[0]: row[2] for row in account["rows"] + imported["rows"]}
    counts = values[catalogue("ar")["Rows"]]
    assert counts == f"{catalogue('ar')['Imported']}: {rows_in_file}"
    assert values[catalogue("ar")["Role"]] == catalogue("ar")["partner organization"]
    assert values[catalogue("ar")["Organization"]] == "Org B"

    english = _entries(_page(client, "?ui=en"))
    imported_en = next(e for e in english if "partners-2026.csv" in e["title"])
    assert imported_en["title"] == "Imported a file · file partners-2026.csv"
    assert ["Rows", "", f"Imported: {rows_in_file}"] in imported_en["rows"]
    # The export keeps the stored English keys and values.
    exported = {row["action"]: json.loads(row["after"]) for row in
                csv.DictReader(io.StringIO(client.get("/staff/audit.csv").get_data(as_text=True))) if row["after"]}
    assert exported["import"]["rows"] == {"imported": rows_in_file}
    assert exported["user.create"]["role"] == "partner"
