"""The compact locations feed: smaller than GeoJSON, and decoded into exactly the features the page used."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest
from feed_truth import DETAILS, FEATURES, LISTINGS

from elip_map.api.compact import decode_feed, encode_feed
from elip_map.api.feed import details_table, feature_collection
from elip_map.config import Settings
from elip_map.testing import add_location


def test_truth_table_round_trip():
    assert decode_feed(json.loads(json.dumps(encode_feed(LISTINGS)))) == FEATURES
    assert details_table(LISTINGS) == DETAILS


def test_the_feed_carries_no_card_details():
    """Addresses, phones and notes are fetched for the cards drawn, not sent for every location."""
    text = json.dumps(encode_feed(LISTINGS), ensure_ascii=False)
    for detail in ("10010 107A Ave NW", "780-424-7709", "bridge.example.org", "Ramp at the back", "Closed on holidays",
                   "2026-02-01", "Somewhere"):
        assert detail not in text, detail


def test_a_copy_saved_in_the_first_format_still_opens():
    """A phone may hold a feed saved before the details left it: its extra columns are left unread."""
    old = encode_feed(LISTINGS)
    old["format"] = "elip-feed/1"
    old["cols"]["address"] = [r["address"] or None for r in LISTINGS]
    assert decode_feed(old) == FEATURES


def test_codes_are_integers_and_positions_fixed_point():
    doc = encode_feed(LISTINGS)
    cols = doc["cols"]
    assert cols["id"] == [7, 12, 3, 40]
    assert doc["scale"] == 100_000 and all(isinstance(v, int) for v in cols["lat"][:3] + cols["lon"][:3])
    assert cols["lat"][3] is None and cols["lon"][3] is None  # unplaced: no position, not (0, 0)
    assert cols["types"][0] == cols["types"][1] and doc["types"][cols["types"][0]] == ["food", "housing"]
    assert cols["org"][0] == cols["org"][1] and doc["orgs"].count("Bridge Society") == 1
    assert cols["text"] == [None, None, "edmonton mosaique mosaic مركز clinique", None]  # only the one that differs
    assert "properties" not in json.dumps(doc) and "sort" not in doc["cols"]


def test_bad_id_is_refused_in_plain_words():
    with pytest.raises(ValueError, match="is not loc-<number>"):
        encode_feed([{**LISTINGS[0], "id": "x-1"}])


def test_decoded_feed_equals_the_geojson_feed_on_the_bundled_sample(tmp_path):
    from elip_map.directory.listings import load_listings
    from elip_map.directory.storage import open_database
    from elip_map.importers.sample import load_sample_if_empty

    database = open_database(f"sqlite:///{tmp_path / 'sample.sqlite3'}")
    load_sample_if_empty(database)
    with database.session() as s:
        listings = load_listings(s)
    database.dispose()
    old = feature_collection(listings)["features"]
    new = decode_feed(encode_feed(listings))
    details = details_table(listings)
    assert len(new) == len(old) > 20
    assert sum("phones" in d for d in details.values()) > 10  # the sample has phones: they travel apart

    def without_sort(f):
        return {**f, "properties": {k: v for k, v in f["properties"].items() if k != "sort"}}

    # The feed and the details together are the whole GeoJSON feature, nothing lost, nothing added.
    joined = [{**f, "properties": {**f["properties"], **details[f["id"]]}} for f in new]
    assert [without_sort(f) for f in joined] == [without_sort(f) for f in old]
    assert [f["properties"]["sort"] for f in new] == sorted(f["properties"]["sort"] for f in new)  # list order kept
    geo = len(gzip.compress(json.dumps(feature_collection(listings)).encode()))
    compact = len(gzip.compress(json.dumps(encode_feed(listings)).encode()))
    assert compact < 0.6 * geo


def test_feed_route_brotli_gzip_etag_and_freshness(tmp_path, clear_pages_state):
    from elip_map.directory.storage import open_database
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'feed.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        add_location(s, "Org", "One")
    app = create_app(Settings(database_url=url, tile_url=""), load_sample=False)
    client = app.server.test_client()
    first = client.get("/api/locations.feed?v=1", headers={"Accept-Encoding": "gzip, br"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
    doc = json.loads(brotli.decompress(first.data))
    assert [f["properties"]["name"] for f in decode_feed(doc)] == ["One"]
    gz = client.get("/api/locations.feed?v=1", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and json.loads(gzip.decompress(gz.data)) == doc
    assert client.get("/api/locations.feed", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    with database.session() as s:
        add_location(s, "Org", "Two")
    fresh = client.get("/api/locations.feed", headers={"If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and sorted(f["properties"]["name"] for f in decode_feed(fresh.get_json())) == [
        "One", "Two"]
    database.dispose()
