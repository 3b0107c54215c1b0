"""The shared value checks (elip_map.directory.values): each refusal in plain words, in the reader's language."""

from __future__ import annotations

import pytest

from elip_map.directory.models import DuplicateSuspect, Location
from elip_map.directory.values import (Problem, ValueRefused, bounded_list, check_phone, check_position, check_row,
                                       check_text, check_website, column_limit)
from elip_map.i18n import translator
from elip_map.importers.records import LocationRecord, OrganizationRecord, Plan, check_plan


@pytest.mark.parametrize("lat, lon", [(95, -113.49), (53.54, 200), (1e308, 1e308), ("nan", -113.49),
                                      (float("inf"), -113.49), (45.42, -75.69), (True, -113.49), ([53.5], -113.5)])
def test_positions_outside_the_region_or_not_numbers_are_refused(lat, lon):
    with pytest.raises(ValueRefused):
        check_position(lat, lon)


def test_a_position_in_edmonton_is_kept():
    assert check_position("53.5444", -113.4909) == (53.5444, -113.4909)
    assert check_position(None, "") is None


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x",
                                 "https://x.org/\"><script>", "https://x.org/a b", "https://localhost", "http://"])
def test_only_plain_http_addresses_pass(url):
    with pytest.raises(ValueRefused, match="is not a web address"):
        check_website(url)


def test_web_addresses_people_type_are_completed():
    assert check_website("www.epl.ca") == "https://www.epl.ca"
    assert check_website("https://epl.ca/a?b=1&c=2") == "https://epl.ca/a?b=1&c=2"


@pytest.mark.parametrize("text", ["<b>780-424-7709</b>", "780-424-7709<script>alert(1)</script>", "12", ["780"]])
def test_phones_with_markup_or_no_number_are_refused(text):
    with pytest.raises(ValueRefused):
        check_phone(text)


def test_text_lengths_come_from_the_tables():
    # Location.name is String(300) and DuplicateSuspect.row_numbers String(200) in the model.
    assert (column_limit(Location, "name"), column_limit(DuplicateSuspect, "row_numbers")) == (300, 200)
    assert column_limit(Location, "notes") is None  # Text: no limit
    assert check_text("x" * 300, "name", 300) == "x" * 300
    with pytest.raises(ValueRefused, match="name has 301 characters; at most 300 fit"):
        check_text("x" * 301, "name", 300)


def test_a_row_is_checked_against_its_column_types():
    problems = check_row(Location, {"name": "x" * 400, "latitude": float("nan"), "notes": {"a": 1}, "closed": "no"})
    assert problems == ["location.name has 400 characters; at most 300 fit", "location.latitude 'nan' is not a number",
                        "location.notes must be text, not an object", "location.closed must be true or false"]


def test_sixty_row_numbers_are_cut_to_fit_with_the_count():
    text = bounded_list(list(range(2, 62)), DuplicateSuspect, "row_numbers")
    assert len(text) <= 200 and text.startswith("2, 3, ") and text.endswith(" ... 61 (60 rows)")
    assert bounded_list([2, 4], DuplicateSuspect, "row_numbers") == "2, 4"


def test_the_plan_is_checked_before_the_write_naming_rows_and_columns():
    plan = Plan()
    org = OrganizationRecord(key="probe", fields={"name": "Probe"}, rows=[7])
    org.locations["k"] = LocationRecord(key="k", fields={"geocode_method": "m" * 41}, rows=[7])
    plan.organizations["probe"] = org
    assert check_plan(plan) == ["row 7: location.geocode_method has 41 characters; at most 40 fit"]


@pytest.mark.parametrize("ui, expected", [
    ("en", "row 3: name must be text, not a list"),
    ("fr", "ligne 3 : name doit être du texte, pas une liste"),
    ("es", "fila 3: name debe ser texto, no una lista"),
])
def test_problems_are_shown_in_the_readers_language(ui, expected):
    problem = Problem("{column} must be text, not {found}", column="name", found="list").in_row(3)
    assert problem.translated(translator(ui)) == expected
    assert str(problem) == "row 3: name must be text, not a list"
