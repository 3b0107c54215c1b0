"""The benchmark's held-out split must hold out places, not spellings: a corner written two ways
on both sides of the split lets the model be tested on a point it was given."""

from __future__ import annotations

import csv

import pytest

from elip_map.geocoding.grid import read_stop_intersections, split_points
from elip_map.geocoding.holdout import corner_key, heldout_names

STOPS = "ets_bus_stops_2026-07.txt"


@pytest.mark.parametrize("a,b", [
    ("Hewes Way & 28 Avenue", "28 Avenue & Hewes Way"),
    ("Hewes Way & 28 Avenue", "28 Ave NW & Hewes Way"),
    ("Ellerslie Rd SW & 91 St", "91 Street SW & Ellerslie Road"),
    ("50 Street & 122 Avenue", "122 Ave & 50 St NW"),
    ("Leger Way & Leger Road", "Leger Rd & Leger Way"),
])
def test_two_spellings_of_one_corner_have_one_key(a, b):
    assert corner_key(a) is not None and corner_key(a) == corner_key(b)


@pytest.mark.parametrize("a,b", [
    ("Hewes Way & 28 Avenue", "Hewes Way & 23 Avenue"),
    ("Hewes Way & 28 Avenue", "Hewes Way & 28A Avenue"),
    ("17 Street & 23 Avenue", "17 Street NE & 23 Avenue"),   # NW and NE: two corners
    ("2019 Leger Road", "2019 Leger Way"),
])
def test_different_corners_have_different_keys(a, b):
    assert corner_key(a) != corner_key(b)


def test_spellings_and_neighbouring_stops_fall_on_one_side():
    # Synthetic stops: two spellings of one corner far apart from each other's hash luck, a third
    # name 30 m away (the same place), and many unrelated corners so that some are held out.
    stops = [("Hewes Way & 28 Avenue", 53.4560, -113.5800), ("28 Avenue & Hewes Way", 53.4562, -113.5797),
             ("2810 Hewes Way", 53.4563, -113.5802)]
    stops += [(f"Test Road & {n} Avenue", 53.40 + n * 0.01, -113.40) for n in range(1, 60)]
    held = heldout_names(stops, set())
    corner = {"Hewes Way & 28 Avenue", "28 Avenue & Hewes Way", "2810 Hewes Way"}
    assert corner <= held or not (corner & held)
    assert 0 < len(held) < len(stops)   # a real split, not all or nothing


def test_no_corner_of_the_real_stops_is_split(geodata_mirror):
    stops = []
    with open(geodata_mirror / STOPS, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh, quotechar="'"):
            stops.append((row[2].strip(), float(row[3]), float(row[4])))
    _, held_grid = split_points(read_stop_intersections(geodata_mirror / STOPS))
    held = heldout_names(stops, {(p.east, p.north) for p in held_grid})
    by_key: dict[str, set[bool]] = {}
    for name, _, _ in stops:
        key = corner_key(name)
        if key is not None:
            by_key.setdefault(key, set()).add(name in held)
    assert all(len(sides) == 1 for sides in by_key.values())
    share = sum(sides == {True} for sides in by_key.values()) / len(by_key)
    assert 0.1 < share < 0.35
