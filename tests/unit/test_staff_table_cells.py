"""Staff tables' data cells: the locations a verification link confirmed are named (not "2, 1"), lists are
joined as the reader's language joins them, and a cell's text keeps its time ranges whole and breaks long
e-mail or web addresses only after their separators.
"""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select, text

from elip_map.directory.audit import AuditEntry
from elip_map.directory.models import Location
from elip_map.i18n import format_list, translator
from elip_map.review.changes import diff_rows
from elip_map.components.staff_ui import cell, cell_parts
from elip_map.review.audit_view import audit_view
from elip_map.verification.campaign import confirm_still_correct, queue_campaign
from elip_map.verification.contacts import set_contact
from elip_map.verification.models import VerificationMail
from elip_map.accounts.models import User
from tests.unit.test_review_pages import _staff, site  # noqa: F401 - the shared site fixture


def _confirmed_by_link(database, org_id) -> list[int]:
    """Run the real writer: a contact, a campaign mail, "still correct" by its link; the ids it stored."""
    with database.session() as s:
        staff = s.scalars(select(User).where(User.email == "staff1@elip.example")).one()
        set_contact(s, staff, org_id, "contact@orgb.example", "ar", None)
    with database.session() as s:
        queue_campaign(s, secret_key="test-only-secret", public_url="https://map.elip.test", link_days=30,
                       stale_months=12, organization_ids=[org_id])
    with database.session() as s:
        confirm_still_correct(s, s.scalars(select(VerificationMail)).one())
    with database.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "verification.still-correct")).one()
        return list(entry.after["locations"])


def _row(app, database, ui: str) -> str:
    with app.server.test_request_context(f"/staff/audit?ui={ui}"), database.session() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "verification.still-correct")))
        (item,) = audit_view(s, entries)
    label = translator(ui)("Locations")
    return {r["field"]: r["after"] for r in item["rows"]}[label]


def test_locations_confirmed_by_an_e_mail_link_are_shown_by_name_and_a_deleted_one_by_its_id(site):  # noqa: F811
    app, database, ids = site
    stored = _confirmed_by_link(database, ids["org"])
    assert sorted(stored) == sorted([ids["placed"], ids["lost"]])  # the writer stores ids: the test's premise
    names = {ids["placed"]: "Placed", ids["lost"]: "Lost"}
    first, second = (names[i] for i in stored)
    assert _row(app, database, "en") == f"{first} and {second}"
    # Arabic joins a list with "و", no comma; each name isolated and the list right to left (first on the right).
    assert _row(app, database, "ar") == f"\u200f\u2068{first}\u2069 و\u2068{second}\u2069"

    # "Lost" is deleted since: it is named by its id, in the reader's words.
    with database.session() as s:
        s.execute(text("PRAGMA foreign_keys=OFF"))
        s.execute(text("DELETE FROM location WHERE id = :id"), {"id": ids["lost"]})
    gone = {ids["placed"]: "Placed", ids["lost"]: f"location {ids['lost']}"}
    assert _row(app, database, "en") == " and ".join(gone[i] for i in stored)
    arabic_gone = translator("ar")("location {id}", id=ids["lost"])
    assert arabic_gone != f"location {ids['lost']}" and str(ids["lost"]) in arabic_gone
    assert _row(app, database, "ar") == "\u200f" + " و".join(
        f"\u2068{ {**gone, ids['lost']: arabic_gone}[i]}\u2069" for i in stored)

    # The stored entry and the CSV export keep the ids exactly.
    with database.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "verification.still-correct")).one()
        assert entry.after["locations"] == stored
    response = _staff(app).get("/staff/audit.csv?ui=ar")
    assert response.status_code == 200
    rows = [r for r in csv.reader(io.StringIO(response.get_data(as_text=True)))
            if "verification.still-correct" in r]
    assert len(rows) == 1
    assert any(json.dumps(stored) in field or f'"locations": {json.dumps(stored)}' in field for field in rows[0]), rows


def test_a_location_with_a_name_is_never_shown_by_id(site):  # noqa: F811
    app, database, ids = site
    _confirmed_by_link(database, ids["org"])
    with database.session() as s:
        assert s.get(Location, ids["placed"]).name == "Placed"
    shown = _row(app, database, "en")
    assert str(ids["placed"]) not in shown and str(ids["lost"]) not in shown


def test_a_time_range_is_one_part_and_long_addresses_break_only_after_separators():
    assert cell_parts("Mon 9:00–17:00 and Tue 10:00–12:30") == [
        ("text", "Mon "), ("range", "9:00–17:00"), ("text", " and Tue "), ("range", "10:00–12:30")]
    address = "partner.coordinator@newcomer-centre.example.org"
    pieces = [piece for kind, piece in cell_parts(address) if kind == "text"]
    assert "".join(pieces) == address
    assert pieces == ["partner.", "coordinator@", "newcomer-", "centre.example.org"]  # no piece under 8, tail under 6
    url = "https://www.newcomer-centre.example.org/services/english"
    assert [p for k, p in cell_parts(url) if k == "text"] == [
        "https://", "www.newcomer-", "centre.example.", "org/services/", "english"]
    assert [p for k, p in cell_parts("partner@org.example") if k == "text"] == ["partner@", "org.example"]


def test_ordinary_words_phone_numbers_dates_and_short_addresses_are_left_as_they_are():
    for value in ("English conversation circles and settlement counselling", "+1 780-424-7709", "780-555-0199",
                  "2026-12-01", "info@cmhc.ca", "partners.csv"):
        assert cell(value) == value


def test_an_arabic_time_range_is_a_left_to_right_isolate_that_does_not_wrap():
    parts = cell("الاثنين 9:00–17:00")
    assert parts[0] == "الاثنين "
    assert parts[1].children == "9:00–17:00" and parts[1].dir == "ltr"
    assert type(parts[1]).__name__ == "Bdi" and parts[1].className == "elip-time-range"


def test_lists_of_values_are_joined_as_the_readers_language_joins_them():
    assert format_list(["Arabic", "English", "French"], "en") == "Arabic, English, and French"
    assert format_list(["A", "B"], "ar") == "\u200f\u2068A\u2069 و\u2068B\u2069"  # isolated, right to left
    assert format_list(["A", "B", "C"], "zh-Hans") == "A、B和C"
    assert format_list([], "en") == "" and format_list(["A"], "ar") == "A"


def test_opening_hours_in_a_correction_read_as_one_list_with_the_readers_day_names(site):  # noqa: F811
    app, _database, _ids = site
    hours = [[1, 540, 1020], [5, 600, 960]]
    with app.server.test_request_context("/staff/review?ui=en"):
        (row,) = diff_rows({}, {"hours": hours})
    assert row["after"] == "Mon 9:00–17:00 and Fri 10:00–16:00"
    with app.server.test_request_context("/staff/review?ui=ar"):
        (row,) = diff_rows({}, {"hours": hours})
    assert row["after"] == "\u200f\u2068الاثنين 9:00–17:00\u2069 و\u2068الجمعة 10:00–16:00\u2069"
