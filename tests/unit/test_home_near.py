"""The newcomer page's "near" rule and page helpers: what people type, what they are told."""

from __future__ import annotations

import datetime as dt

import pytest

from elip_map.components.home_context import browser_labels, page_address, qr_data_uri
from elip_map.geocoding.chain import geocode_query
from elip_map.geocoding.near import postal_elsewhere, resolve_near
from elip_map.spatial.neighbourhoods import neighbourhoods_from_geojson

SQUARES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": name.upper(), "descriptive_name": name, "neighbourhood_number": number},
     "geometry": {"type": "Polygon", "coordinates": [[[x, 53.5], [x + 0.02, 53.5], [x + 0.02, 53.52], [x, 53.52], [x, 53.5]]]}}
    for name, number, x in (("Mill Woods Town Centre", "6560", -113.44), ("Downtown", "1090", -113.50))]}


@pytest.mark.parametrize("typed, found", [("Millwoods", "Mill Woods Town Centre"), ("Mill Woods", "Mill Woods Town Centre"),
                                          ("mill  woods", "Mill Woods Town Centre"), ("downtwn", "Downtown"),
                                          ("DOWNTOWN", "Downtown")])
def test_neighbourhoods_and_areas_people_name_are_found(typed, found):
    answer = resolve_near(typed, neighbourhoods_from_geojson(SQUARES), geocode=None)
    assert answer["status"] == "ok" and answer["label"] == found and answer["precision"] == "neighbourhood"


@pytest.mark.parametrize("code, place", [("T2P 2M5", "Calgary"), ("t3a1b1", "Calgary"), ("T4N 1A1", "Red Deer"),
                                         ("M5V 3L9", "Ontario"), ("V6B 1A1", "British Columbia"), ("T5J 2R4", None),
                                         ("T6E", None), ("11713 82 St NW", None)])
def test_postal_codes_outside_edmonton_say_where_they_are(code, place):
    assert postal_elsewhere(code) == place


def test_out_of_town_postal_code_is_answered_before_the_geocoder():
    def geocoder_must_not_run(_text):
        raise AssertionError("asked the geocoder")

    answer = resolve_near("T2P 2M5", neighbourhoods_from_geojson(SQUARES), geocode=geocoder_must_not_run)
    assert answer == {"status": "elsewhere", "label": "T2P 2M5", "place": "Calgary"}


def test_a_postal_code_is_placed_at_its_area_centre_and_says_so():
    answer = resolve_near("T5J 2R4", neighbourhoods_from_geojson(SQUARES), geocode=geocode_query)
    assert answer["status"] == "ok" and answer["precision"] == "postal-area" and answer["area"] == "T5J"


def test_a_gazetteer_place_is_used_when_there_is_one():
    places = {"kingsway mall": {"name": "Kingsway Mall", "lat": 53.5623, "lon": -113.5067}}
    answer = resolve_near("Kingsway Mall", neighbourhoods_from_geojson(SQUARES), geocode=None,
                          places=lambda text: places.get(text.casefold()))
    assert (answer["status"], answer["label"], answer["precision"]) == ("ok", "Kingsway Mall", "point")


def test_qr_code_only_for_web_addresses_of_reasonable_length():
    assert page_address("http://h.example/", "/", "?q=food") == "http://h.example/?q=food"
    uri = qr_data_uri("https://map.example.ca/?service=food")
    assert uri.startswith("data:image/svg+xml")
    assert qr_data_uri("javascript:alert(1)") is None
    assert qr_data_uri("https://x.example/?" + "q" * 3000) is None
    assert qr_data_uri(None) is None


@pytest.mark.parametrize("ui, decimal, month", [("en", ".", "March"), ("fr", ",", "mars"), ("ar", ".", "مارس")])
def test_browser_labels_carry_babel_number_and_date_rules(ui, decimal, month):
    labels = browser_labels(ui, [], stale_months=12, today=dt.date(2026, 3, 31))
    assert labels["decimal"] == decimal
    assert labels["date"]["months"][2] == month
    assert "MMMM" in labels["date"]["pattern"] and "y" in labels["date"]["pattern"]
    assert labels["stale_before"] == "2025-03-31"


@pytest.mark.parametrize("ui, text", [("en", "Loading…"), ("fr", "Chargement…"), ("ar", "جارٍ التحميل…")])
def test_first_paint_says_loading_in_the_readers_language(tmp_path, clear_pages_state, ui, text):
    from elip_map.config import Settings
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}", tile_url=""), load_sample=False)
    body = app.server.test_client().get(f"/?ui={ui}").data.decode()
    placeholder = body[body.index('class="_dash-loading"'):].split("</div>")[0]
    assert text in placeholder and "Loading..." not in body
