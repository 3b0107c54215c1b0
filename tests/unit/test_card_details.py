"""Card details on demand (``/api/details``): a page of cards at a time, public fields only, kept by the
browser for as long as the directory version it names."""

from __future__ import annotations

import pytest

from elip_map.api.feed import MAX_DETAIL_IDS, detail_ids
from elip_map.config import Settings
from elip_map.directory.models import Organization
from elip_map.directory.storage import open_database
from elip_map.testing import add_location

PRIVATE_CONTACT = "private-contact-5a1e@org.example"  # an organization's verification contact: never public


@pytest.mark.parametrize("text, expected", [
    ("loc-3,loc-1", ["loc-3", "loc-1"]),
    (" loc-3 , loc-3,loc-12 ", ["loc-3", "loc-12"]),   # spaces and repeats forgiven
    ("", None),
    (None, None),
    ("loc-1,3", None),                                 # every id is loc-<number>
    ("loc-1,loc-<script>", None),
    ("loc-1;loc-2", None),
    (",".join(f"loc-{i}" for i in range(MAX_DETAIL_IDS)), [f"loc-{i}" for i in range(MAX_DETAIL_IDS)]),
    (",".join(f"loc-{i}" for i in range(MAX_DETAIL_IDS + 1)), None),  # more than two pages of cards
])
def test_detail_ids(text, expected):
    assert detail_ids(text) == expected


@pytest.fixture
def site(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        a = add_location(s, "Bridge Society", "Main office", phone="780-424-7709", website="https://bridge.example.org",
                         address="10010 107A Avenue NW")
        b = add_location(s, "Other Org", "Back office", address="PO Box 12", status="needs-attention", lat=None, lon=None)
        c = add_location(s, "Closed Org", "Gone", closed=True, phone="780-555-0000")
        s.query(Organization).filter_by(name="Bridge Society").one().contact_email = PRIVATE_CONTACT
        s.flush()
        ids = {"open": f"loc-{a.id}", "unplaced": f"loc-{b.id}", "closed": f"loc-{c.id}"}
    app = create_app(Settings(database_url=url, tile_url=""), load_sample=False)
    yield app, ids, database
    database.dispose()


def _fingerprint(client) -> str:
    return client.get("/api/details?ids=loc-1").get_json()["v"]


def test_details_of_the_cards_asked_for_and_nothing_private(site):
    app, ids, _ = site
    client = app.server.test_client()
    r = client.get(f"/api/details?ids={ids['open']},{ids['unplaced']},{ids['closed']},loc-999999",
                   headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    found = r.get_json()["details"]
    assert set(found) == {ids["open"], ids["unplaced"]}  # closed and unknown: absent, not an error
    card = found[ids["open"]]
    assert card["address"].startswith("10010 107A Avenue NW")
    assert [p["display"] for p in card["phones"]] == ["780-424-7709"]
    assert card["website"] == "https://bridge.example.org"
    assert found[ids["unplaced"]]["address"].startswith("PO Box 12")
    assert PRIVATE_CONTACT not in r.get_data(as_text=True) and "780-555-0000" not in r.get_data(as_text=True)
    # Only card details: what the feed already carries (name, position, types...) is not sent again.
    assert not {"name", "organization", "types", "langs", "lat", "lon", "text"} & set(card)


def test_bad_requests_are_refused_in_plain_words(site):
    app, _, _ = site
    client = app.server.test_client()
    for query in ("", "?ids=", "?ids=1,2", "?ids=" + ",".join(f"loc-{i}" for i in range(MAX_DETAIL_IDS + 1))):
        r = client.get("/api/details" + query)
        assert r.status_code == 400 and "loc-<number>" in r.get_data(as_text=True), query


def test_kept_a_year_under_its_version_and_revalidated_otherwise(site):
    app, ids, database = site
    client = app.server.test_client()
    version = _fingerprint(client)
    current = client.get(f"/api/details?ids={ids['open']}&v={version}")
    assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for query in (f"ids={ids['open']}", f"ids={ids['open']}&v=an-older-version"):
        assert client.get(f"/api/details?{query}").headers["Cache-Control"] == "public, no-cache", query
    again = client.get(f"/api/details?ids={ids['open']}", headers={"If-None-Match": current.headers["ETag"]})
    assert again.status_code == 304
    # Another set of cards is another answer.
    other = client.get(f"/api/details?ids={ids['unplaced']}", headers={"If-None-Match": current.headers["ETag"]})
    assert other.status_code == 200 and ids["unplaced"] in other.get_json()["details"]
    # A corrected listing is a new directory version: new fingerprint, new details, the old tag no longer matches.
    with database.session() as s:
        add_location(s, "Bridge Society", "Second office", phone="780-424-1111")
    fresh = client.get(f"/api/details?ids={ids['open']}", headers={"If-None-Match": current.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.get_json()["v"] != version



def test_the_feed_and_the_details_share_one_load_of_the_listings(site, monkeypatch):
    """Each loaded every listing on its own (two peaks of memory per worker and directory version)."""
    import elip_map.api as api

    app, ids, database = site
    loads = []
    real = api.load_listings
    monkeypatch.setattr(api, "load_listings", lambda *a, **kw: loads.append(1) or real(*a, **kw))
    client = app.server.test_client()
    feed = client.get("/api/locations.feed").get_json()
    details = client.get(f"/api/details?ids={ids['open']},{ids['unplaced']}").get_json()["details"]
    assert len(loads) == 1
    assert feed["n"] == 2 and set(details) == {ids["open"], ids["unplaced"]}
    # A new directory version is loaded once more, for both again.
    with database.session() as s:
        add_location(s, "Bridge Society", "Second office", phone="780-424-1111")
    client.get(f"/api/details?ids={ids['open']}")
    assert client.get("/api/locations.feed").get_json()["n"] == 3
    assert len(loads) == 2
