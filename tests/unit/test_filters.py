"""The filter predicate's truth table. The browser's window.elip.map.matches runs the same table in
tests/browser/test_home.py, so the Python twin and the JavaScript can never drift apart."""

from __future__ import annotations

import pytest

from elip_map.rules.filters import distance_km, edit_distance, matches, rank, text_matches
from elip_map.rules.hours import display_hours
from elip_map.rules.text import fold as normalize_text

LOC = {"types": ["language-training", "employment"], "langs": ["ar", "en"], "hood": "1010",
       "text": normalize_text("Newcomer Centre Language centre English classes (LINC) Café Santé"),
       "hours": [[1, 540, 1020], [3, 570, 720]]}
NO_HOURS = {**LOC, "hours": []}

# (props, criteria, expected, why)
TRUTH_TABLE = [
    (LOC, {}, True, "no filters: everything"),
    (LOC, {"types": ["employment"]}, True, "one of its types"),
    (LOC, {"types": ["food", "employment"]}, True, "any selected type is enough"),
    (LOC, {"types": ["food"]}, False, "a type it lacks"),
    (LOC, {"langs": ["ar"]}, True, "a language spoken"),
    (LOC, {"langs": ["so", "ti"]}, False, "languages not spoken"),
    (LOC, {"types": ["employment"], "langs": ["so"]}, False, "facets combine with AND"),
    (LOC, {"hood": "1010"}, True, "its neighbourhood"),
    (LOC, {"hood": "2020"}, False, "another neighbourhood"),
    (LOC, {"q": "english"}, True, "a word"),
    (LOC, {"q": "Englsh clases"}, True, "two typos, one per word"),
    (LOC, {"q": "engl"}, True, "a prefix"),
    (LOC, {"q": "cafe sante"}, True, "accents ignored"),
    (LOC, {"q": "CAFÉ"}, True, "case and accents in the query ignored"),
    (LOC, {"q": "linc"}, True, "inside brackets"),
    (LOC, {"q": "french"}, False, "a word it does not contain"),
    (LOC, {"q": "lic"}, False, "words under 4 letters allow no typo"),
    (LOC, {"q": "lnic"}, True, "4 letters allow one typo"),
    (LOC, {"day": 1}, True, "open on Monday"),
    (LOC, {"day": 2}, False, "closed on Tuesday"),
    (NO_HOURS, {"day": 1}, False, "unknown hours do not match a day"),
    (LOC, {"open_now": True, "now": {"weekday": 1, "minutes": 600}}, True, "Monday 10:00"),
    (LOC, {"open_now": True, "now": {"weekday": 1, "minutes": 1020}}, False, "closes at 17:00 sharp"),
    (LOC, {"open_now": True, "now": {"weekday": 3, "minutes": 569}}, False, "one minute before opening"),
    (NO_HOURS, {"open_now": True, "now": {"weekday": 1, "minutes": 600}}, False, "unknown hours are not 'open now'"),
    ({"types": [], "langs": [], "text": ""}, {"types": ["food"]}, False, "a listing with no types"),
]


@pytest.mark.parametrize("props, criteria, expected, why", TRUTH_TABLE, ids=[row[3] for row in TRUTH_TABLE])
def test_matches(props, criteria, expected, why):
    assert matches(props, criteria) is expected, why


@pytest.mark.parametrize("a, b, limit, expected", [
    ("english", "english", 1, 0), ("englsh", "english", 1, 1), ("enlgish", "english", 2, 1), ("lnic", "linc", 1, 1), ("engilsh", "english", 2, 1),
    ("abc", "xyz", 1, 2),  # gave up: more than the limit
])
def test_edit_distance(a, b, limit, expected):
    assert edit_distance(a, b, limit) == expected


# Text keys, written out by hand: the Python rule and its browser twin must give exactly these.
FOLD_TABLE = [
    ("Café-Santé", "cafe sante"), ("  LINC (English) ", "linc english"), (None, ""), ("Wîhkwêntôwin", "wihkwentowin"),
    ("10160 - 112 St.", "10160 112 st"),
    # Every script is kept: names in Arabic, Chinese, Punjabi, Amharic, Ukrainian are keys, not blanks.
    ("جمعية الجالية العربية", "جمعيه الجاليه العربيه"),  # teh marbuta read as heh, as people type it
    ("عربى", "عربي"), ("أحمد", "احمد"), ("عَرَبِيّ", "عربي"),  # alef maksura, hamza seat, short vowels
    ("فارسی", "فارسي"),  # Persian yeh finds Arabic yeh
    ("英语课", "英语课"), ("ਅੰਗਰੇਜ਼ੀ ਕਲਾਸਾਂ", "ਅੰਗਰੇਜ਼ੀ ਕਲਾਸਾਂ"), ("አማርኛ ትምህርት", "አማርኛ ትምህርት"),
    ("Курси Англійської", "курси англіиськоі"),
]


@pytest.mark.parametrize("text, expected", FOLD_TABLE)
def test_normalize_text(text, expected):
    assert normalize_text(text) == expected


def test_empty_query_matches_everything():
    assert text_matches("  ", "") is True


def test_distance_is_in_kilometres():
    # Churchill Square to the Legislature grounds: about 1.6 km as the crow flies.
    assert distance_km(53.5444, -113.4909, 53.5335, -113.5065) == pytest.approx(1.6, abs=0.2)


def _feature(fid, lat, lon, sort, **props):
    return {"geometry": {"coordinates": [lon, lat]}, "properties": {"id": fid, "sort": sort, "types": [], "langs": [],
                                                                    **props}}


def test_rank_nearest_first_then_by_name():
    far = _feature("loc-1", 53.60, -113.40, "a")
    near = _feature("loc-2", 53.546, -113.49, "z")
    mid = _feature("loc-3", 53.56, -113.50, "m")
    ranked = rank([far, near, mid], {}, {"lat": 53.5461, "lon": -113.4938})
    assert [f["properties"]["id"] for f, _ in ranked] == ["loc-2", "loc-3", "loc-1"]
    assert ranked[0][1] < ranked[1][1] < ranked[2][1]
    assert [f["properties"]["id"] for f, _ in rank([far, near, mid], {}, None)] == ["loc-1", "loc-3", "loc-2"]


# Hours as people read them, written out by hand: the card's Python rule and its browser twin agree.
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HOURS_TABLE = [
    ([], ""),
    ([[1, 540, 1020]], "Mon 9:00–17:00"),
    ([[1, 540, 720], [1, 780, 1020], [6, 605, 1439]], "Mon 9:00–12:00, Mon 13:00–17:00, Sat 10:05–23:59"),
    ([[7, 0, 1440]], "Sun 0:00–24:00"),
]


@pytest.mark.parametrize("rows, expected", HOURS_TABLE)
def test_display_hours(rows, expected):
    assert display_hours(rows, DAYS) == expected
