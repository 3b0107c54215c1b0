"""From what a partner typed to a correction: times, opening hours, the pin."""

from __future__ import annotations

import pytest

from elip_map.review.changes import InvalidChange
from elip_map.review.forms import format_time, hours_from_form, hours_to_form, parse_time, payload_from_form


@pytest.mark.parametrize("text, minutes", [
    ("9:00", 540), ("09:30", 570), ("17h30", 1050), ("5pm", 1020), ("12 am", 0), ("12pm", 720), ("9", 540),
    ("24:00", 1440), ("", None), ("  ", None),
])
def test_parse_time(text, minutes):
    assert parse_time(text) == minutes


@pytest.mark.parametrize("text", ["25:00", "9:75", "noon", "13pm", "9-5"])
def test_parse_time_refuses(text):
    with pytest.raises(ValueError, match="not a time"):
        parse_time(text)


def test_format_time():
    assert format_time(570) == "09:30" and format_time(None) == ""


def test_hours_round_trip_keeps_second_periods_of_untouched_days():
    original = [[1, 540, 720], [1, 780, 1020], [3, 600, 960]]
    opens, closes = hours_to_form(original)
    assert opens[:3] == ["09:00", "", "10:00"] and closes[0] == "12:00"
    assert hours_from_form(opens, closes, original) == original
    opens[2], closes[2] = "", ""  # Wednesday now closed
    opens[4], closes[4] = "10am", "2pm"  # Friday now open
    assert hours_from_form(opens, closes, original) == [[1, 540, 720], [1, 780, 1020], [5, 600, 840]]


def test_hours_need_both_times():
    with pytest.raises(InvalidChange, match="Tuesday: give both"):
        hours_from_form(["", "9:00"] + [""] * 5, [""] * 7)
    with pytest.raises(InvalidChange, match="Monday: 'nine' is not a time"):
        hours_from_form(["nine"] + [""] * 6, ["17:00"] + [""] * 6)


FORM = dict(name="Office", address_1="", postal_code="", phone="", accessibility="", hours_note="",
            opens=[""] * 7, closes=[""] * 7, closed=False, services={})


@pytest.mark.parametrize("snapshot_pin, lat, lon, start, moved", [
    ({"lat": 53.5, "lon": -113.5}, "53.5", "-113.5", None, False),          # untouched pin
    ({"lat": 53.5, "lon": -113.5}, "53.5000001", "-113.5", None, False),    # rounding noise
    ({"lat": 53.5, "lon": -113.5}, "53.51", "-113.5", None, True),
    (None, "53.5461", "-113.4938", [53.5461, -113.4938], False),             # unplaced: marker left at the centre
    (None, "53.56", "-113.4938", [53.5461, -113.4938], True),                # unplaced and dragged
])
def test_pin_is_a_change_only_when_the_marker_moved(snapshot_pin, lat, lon, start, moved):
    payload = payload_from_form({"pin": snapshot_pin, "hours": []}, lat=lat, lon=lon, pin_start=start, **FORM)
    assert ("pin" in payload) is moved


def test_bad_coordinates_are_explained():
    with pytest.raises(InvalidChange, match="must be numbers"):
        payload_from_form({"pin": None, "hours": []}, lat="north", lon="-113", **FORM)
