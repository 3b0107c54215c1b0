"""The optional online geocoder against a real local HTTP server speaking Nominatim's /search."""

from __future__ import annotations

import re

import pytest

from elip_map.geocoding.chain import geocode_address
from elip_map.geocoding.notes import display_note
from elip_map.geocoding.online import OnlineGeocoder, OnlineUnavailable, precision_from_nominatim
from elip_map.testing import start_fake_nominatim as start

UA = "elip-service-map-tests/0.1 (test suite)"


@pytest.fixture
def nominatim():
    server = start()
    yield server
    server.shutdown()
    server.server_close()


def _client(server, **kw):
    kw.setdefault("timeout", 0.3)
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.01)
    return OnlineGeocoder(server.url, UA, **kw)


def test_success_sends_user_agent_and_region_bounds(nominatim):
    hit = _client(nominatim).geocode("7 Sir Winston Churchill Square, Edmonton")
    assert (hit.lat, hit.lon) == (53.5461, -113.4938)
    assert hit.precision_m == 30.0
    req = nominatim.requests[0]
    assert req["path"] == "/search"
    assert req["user_agent"] == UA
    assert req["query"]["bounded"] == ["1"]
    assert "countrycodes" in req["query"]


def test_no_match_is_none(nominatim):
    nominatim.mode = "empty"
    assert _client(nominatim).geocode("nowhere") is None


def test_result_outside_region_is_rejected(nominatim):
    nominatim.mode = "outside"
    assert _client(nominatim).geocode("somewhere") is None


@pytest.mark.parametrize("mode", ["slow", "429", "500"])
def test_transient_failures_retry_then_give_up(nominatim, mode):
    nominatim.mode = mode
    with pytest.raises(OnlineUnavailable) as failed:
        _client(nominatim, retries=2).geocode("anything")
    assert len(nominatim.requests) == 3   # first try + 2 retries
    # The English stored in the note, as it was worded before it became a note template.
    assert re.fullmatch(r"the geocoder did not answer after 3 attempts \(Geocoder\w+\)", str(failed.value))


def test_flaky_server_succeeds_on_retry(nominatim):
    nominatim.mode = "flaky"
    assert _client(nominatim).geocode("x") is not None
    assert len(nominatim.requests) == 2


def test_malformed_body_is_not_retried(nominatim):
    nominatim.mode = "garbage"
    with pytest.raises(OnlineUnavailable, match="unreadable") as failed:
        _client(nominatim).geocode("x")
    assert re.fullmatch(r"the geocoder sent an unreadable answer \(.+\)", str(failed.value), re.S)
    # Read back in French as a whole, though the server's words inside run over two lines.
    assert display_note(f"online geocoder unavailable: {failed.value}", "fr").startswith("géocodeur en ligne")
    assert "the geocoder sent" not in display_note(f"online geocoder unavailable: {failed.value}", "fr")
    assert len(nominatim.requests) == 1


def test_throttle_spaces_requests(nominatim):
    """Three requests in a row wait out two full intervals: checked on a clock that moves only when the
    throttle sleeps, so the test reads what the throttle decided, not how fast this machine is."""
    client = _client(nominatim, min_interval=0.2)
    now, slept = [1000.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    client._limited._clock = lambda: now[0]
    client._limited._sleep = sleep
    for q in ("a", "b", "c"):
        client.geocode(q)
    assert len(nominatim.requests) == 3
    assert sum(slept) >= 0.4 - 1e-9


def test_public_nominatim_host_is_throttled_to_one_per_second():
    assert OnlineGeocoder("https://nominatim.openstreetmap.org", UA).min_interval == 1.0
    assert OnlineGeocoder("http://127.0.0.1:9", UA).min_interval == 0.0


@pytest.mark.parametrize("raw,expected", [({"place_rank": 30}, 30.0), ({"place_rank": 26, "addresstype": "road"}, 400.0),
                                          ({"place_rank": 16, "addresstype": "city"}, 3000.0), ({}, 3000.0)])
def test_precision_from_nominatim(raw, expected):
    assert precision_from_nominatim(raw) == expected


def test_chain_uses_online_only_for_what_the_grid_cannot_place(nominatim):
    client = _client(nominatim)
    named = geocode_address("Fort Edmonton Park", online=client)
    assert named.status == "ok" and named.method == "online"
    assert "OpenStreetMap" in named.source
    grid = geocode_address("10310 102 Avenue", online=client)
    assert grid.method == "grid"
    assert len(nominatim.requests) == 1


@pytest.mark.parametrize("mode", ["slow", "500", "garbage", "429"])
def test_chain_completes_offline_when_server_fails(nominatim, mode):
    nominatim.mode = mode
    from elip_map.geocoding.chain import geocode_batch

    results = geocode_batch([("Fort Edmonton Park", None, None), ("10310 102 Avenue", None, None),
                             ("Valley Zoo", None, None)], online=_client(nominatim))
    assert [r.status for r in results] == ["needs-attention", "ok", "needs-attention"]
    assert "online geocoder unavailable" in results[0].message
    # After the server failed once, the batch stops asking it: one address's attempts, never the others'.
    assert len(nominatim.requests) <= 3
    assert all("Castle Downs" not in r["query"].get("q", [""])[0] for r in nominatim.requests)


def test_region_town_placed_online_is_marked_outside_city(nominatim):
    r = geocode_address("5 St Anne St", None, "St. Albert", online=_client(nominatim))
    assert r.status == "ok" and r.method == "online" and r.outside_city
    assert nominatim.requests[0]["query"]["q"] == ["5 St Anne St, St. Albert, Alberta, Canada"]
