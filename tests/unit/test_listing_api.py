"""The locations API: compressed, revalidated with an ETag, changed when the directory changes."""

from __future__ import annotations

import gzip
import json

from elip_map.config import Settings  # noqa: E402
from elip_map.testing import add_location  # noqa: E402


def test_locations_geojson_etag_gzip_and_freshness(tmp_path, clear_pages_state):
    from elip_map.directory.storage import open_database
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'api.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        add_location(s, "Org", "One")
        add_location(s, "Org", "Hidden", status="needs-attention")
    app = create_app(Settings(database_url=url, tile_url=""), load_sample=False)
    client = app.server.test_client()

    first = client.get("/api/locations.geojson", headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    data = json.loads(gzip.decompress(first.data))
    # A location the map cannot show yet is still listed (call or visit online), with no position at all.
    placed = {f["properties"]["name"]: f["geometry"] for f in data["features"]}
    assert set(placed) == {"One", "Hidden"}
    assert placed["One"]["type"] == "Point" and placed["Hidden"] is None
    etag = first.headers["ETag"]

    again = client.get("/api/locations.geojson", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    with database.session() as s:  # a new listing: the next page load must see it
        add_location(s, "Org", "Two")
    fresh = client.get("/api/locations.geojson", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    assert sorted(f["properties"]["name"] for f in json.loads(fresh.data)["features"]) == ["Hidden", "One", "Two"]
    database.dispose()
