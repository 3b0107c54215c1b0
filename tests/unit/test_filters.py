"""The filter predicate, text keys and hours display on their truth tables (tests/truth_tables.py); the
browser runs the same tables against the JavaScript twins in tests/browser/test_home.py."""

from __future__ import annotations

import pytest
from truth_tables import DAYS, FOLD_TABLE, HOURS_TABLE, TRUTH_TABLE

from elip_map.rules.filters import distance_km, edit_distance, matches, rank, text_matches
from elip_map.rules.hours import display_hours
from elip_map.rules.text import fold


@pytest.mark.parametrize("props, criteria, expected, why", TRUTH_TABLE, ids=[row[3] for row in TRUTH_TABLE])
def test_matches(props, criteria, expected, why):
    assert matches(props, criteria) is expected, why


@pytest.mark.parametrize("a, b, limit, expected", [
    ("english", "english", 1, 0), ("englsh", "english", 1, 1), ("enlgish", "english", 2, 1), ("lnic", "linc", 1, 1), ("engilsh", "english", 2, 1),
    ("abc", "xyz", 1, 2),  # gave up: more than the limit
])
def test_edit_distance(a, b, limit, expected):
    assert edit_distance(a, b, limit) == expected


@pytest.mark.parametrize("text, expected", FOLD_TABLE)
def test_fold(text, expected):
    assert fold(text) == expected


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


@pytest.mark.parametrize("rows, expected", HOURS_TABLE)
def test_display_hours(rows, expected):
    assert display_hours(rows, DAYS) == expected
