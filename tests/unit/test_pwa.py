"""Installable and offline-capable: manifest, root-scoped worker, places for offline "near", low data."""

from __future__ import annotations

import json
import re

import pytest

from elip_map.components.low_data import low_data_wanted
from elip_map.config import Settings


@pytest.mark.parametrize("param, save_data, cookie, expected", [
    (None, None, None, False),
    (None, "on", None, True),        # the browser's data saver
    (None, "On ", None, True),
    (None, "off", None, False),
    ("full", "on", None, False),     # the reader's explicit choice wins over the browser's hint
    (None, "on", "full", False),
    (None, None, "low", True),       # remembered from an earlier visit
    ("low", None, "full", True),     # the link just clicked wins over the cookie
    ("bogus", None, None, False),
])
def test_low_data_truth_table(param, save_data, cookie, expected):
    assert low_data_wanted(param, save_data, cookie) is expected


@pytest.fixture
def client(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}", tile_url=""), load_sample=False)
    return app.server.test_client()


def test_worker_is_served_from_the_root_and_always_revalidated(client):
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw.mimetype == "text/javascript"
    assert sw.headers["Service-Worker-Allowed"] == "/" and sw.headers["Cache-Control"] == "no-cache"
    text = sw.get_data(as_text=True)
    assert "__RELEASE__" not in text and re.search(r'var RELEASE\s*=\s*"[0-9a-f]{12}"', text)
    assert "/*" not in text and "\n  " not in text  # shipped without its comments and indentation
    page = client.get("/").get_data(as_text=True)
    assert 'href="/manifest.webmanifest"' in page
    # The tab's icon is the installed app's own SVG (fetched once for both), not a second favicon file.
    icons = re.findall(r'<link rel="icon"[^>]*href="([^"]+)"', page)
    assert icons == [json.loads(client.get("/manifest.webmanifest").data)["icons"][0]["src"]] and "favicon.ico" not in page
    assert "immutable" in client.get(icons[0]).headers["Cache-Control"]  # fetched once, not revalidated per use


def test_an_unchanged_worker_is_not_sent_again(client):
    """The browser checks the worker at each visit: a returning visitor gets 304, not the script."""
    first = client.get("/sw.js", headers={"Accept-Encoding": "br"})
    etag = first.headers["ETag"]
    again = client.get("/sw.js", headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert again.headers["Service-Worker-Allowed"] == "/" and again.headers["Cache-Control"] == "no-cache"
    other = client.get("/sw.js", headers={"If-None-Match": '"an-older-release"'})
    assert other.status_code == 200 and re.search(rb"var RELEASE\s*=", other.data)


def test_manifest_in_the_readers_language(client):
    en = json.loads(client.get("/manifest.webmanifest").data)
    assert en["start_url"] == "/" and en["scope"] == "/" and en["display"] == "standalone" and en["icons"]
    ar = json.loads(client.get("/manifest.webmanifest?ui=ar").data)
    assert ar["dir"] == "rtl" and ar["start_url"] == "/?ui=ar" and ar["description"] != en["description"]
    assert client.get(en["icons"][0]["src"]).status_code == 200


def test_places_are_neighbourhood_centres(client):
    places = json.loads(client.get("/api/places.json").data)
    for place in places:
        assert set(place) == {"name", "lat", "lon"} and 53 < place["lat"] < 54 and -114 < place["lon"] < -113
        assert round(place["lat"], 4) == place["lat"] and round(place["lon"], 4) == place["lon"]  # 11 m is enough


def test_low_data_choice_is_remembered_in_a_cookie(client):
    cookies = client.get("/?data=low").headers.getlist("Set-Cookie")
    assert any(c.startswith("elip_data=low;") and "Max-Age=31536000" in c for c in cookies)
    assert not any(c.startswith("elip_data=") for c in client.get("/about?data=low").headers.getlist("Set-Cookie"))
