"""Security headers as a browser receives them (the policy itself is exercised in Chromium by
tests/browser/test_security_headers.py): who may frame which page, HSTS only in production over HTTPS,
no-store on answers that may carry staff or partner data, and no HTTPS redirect on 127.0.0.1."""

from __future__ import annotations

import pytest

from elip_map.api.headers import tile_origin
from elip_map.config import Settings, SettingError
from elip_map.testing import page_body, post_callback

PARTNER_SITE = "https://settlement-agency.example"


def _client(tmp_path, **settings):
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'h.sqlite3'}", secret_key="h" * 40, **settings),
                     load_sample=False)
    client = app.server.test_client()
    client.get("/")
    return client


def _csp(response) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in response.headers["Content-Security-Policy"].split(";"))}


def test_pages_have_a_policy_and_only_the_site_may_frame_them(tmp_path, clear_pages_state):
    client = _client(tmp_path, tile_url="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    for path in ("/", "/about", "/login", "/staff/review", "/partner", "/no-such-page"):
        r = client.get(path)
        csp = _csp(r)
        assert csp["frame-ancestors"] == "'self'" and r.headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"], path
        assert csp["object-src"] == "'none'" and csp["default-src"] == "'self'", path
        assert "https://*.tile.example.org" in csp["img-src"], path
        assert "Strict-Transport-Security" not in r.headers, path  # development


def test_the_newcomer_page_may_be_framed_by_listed_sites_only(tmp_path, clear_pages_state):
    client = _client(tmp_path, tile_url="", frame_origins=(PARTNER_SITE,))
    home = client.get("/")
    assert _csp(home)["frame-ancestors"] == f"'self' {PARTNER_SITE}"
    assert "X-Frame-Options" not in home.headers  # it cannot name another site; frame-ancestors does
    for path in ("/about", "/login", "/staff/review", "/partner"):
        r = client.get(path)
        assert _csp(r)["frame-ancestors"] == "'self'" and r.headers["X-Frame-Options"] == "SAMEORIGIN", path


def test_frame_origins_must_be_whole_origins():
    for bad in ("*", "https://*.example.org", "partner.example", "https://partner.example/embed"):
        with pytest.raises(SettingError, match="ELIP_FRAME_ORIGINS"):
            Settings.from_env({"ELIP_FRAME_ORIGINS": bad})
    assert Settings.from_env({"ELIP_FRAME_ORIGINS": "https://a.example, https://b.example:8443"}).frame_origins == (
        "https://a.example", "https://b.example:8443")


def test_hsts_in_production_over_https_only_and_no_redirect_on_plain_http(tmp_path, clear_pages_state):
    client = _client(tmp_path, tile_url="", production=True)
    secure = client.get("/about", base_url="https://map.example.org")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    behind_proxy = client.get("/about", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in behind_proxy.headers
    plain = client.get("/about")  # 127.0.0.1 over plain HTTP: served, not redirected
    assert plain.status_code == 200 and "Strict-Transport-Security" not in plain.headers


def test_callback_and_private_answers_are_not_stored(tmp_path, clear_pages_state):
    client = _client(tmp_path, tile_url="")
    r = post_callback(client, page_body("/about"))
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    for path in ("/staff/review", "/staff/audit.csv", "/partner", "/login"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/api/locations.feed").headers.get("Cache-Control", "")  # public, cacheable


def test_the_policy_travels_with_documents_only(tmp_path, clear_pages_state):
    """Scripts, styles and JSON obey the policy of the page that loads them; repeating it on each costs
    a phone a kilobyte per answer. Documents (pages, SVG) and the service worker keep it."""
    client = _client(tmp_path, tile_url="", production=True)
    for path in ("/", "/about", "/sw.js", "/assets/icon.svg"):
        r = client.get(path, base_url="https://map.example.org")
        assert r.status_code == 200 and _csp(r)["default-src"] == "'self'", path
        assert r.headers["Referrer-Policy"] == "same-origin", path
    for path in ("/api/locations.feed", "/api/places.json", "/assets/elip_map.js?m=1", "/assets/elip_map.css?m=1",
                 "/manifest.webmanifest"):
        r = client.get(path, base_url="https://map.example.org")
        assert r.status_code == 200, path
        assert "Content-Security-Policy" not in r.headers and "X-Frame-Options" not in r.headers, path
        assert "Permissions-Policy" not in r.headers, path
        # What still protects a subresource stays: no MIME sniffing, HTTPS from now on.
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000"), path
    # "Not modified" answers (every returning visit's feed and worker checks) keep the stored answer's headers.
    for path in ("/api/locations.feed", "/sw.js"):
        etag = client.get(path, base_url="https://map.example.org").headers["ETag"]
        again = client.get(path, base_url="https://map.example.org", headers={"If-None-Match": etag})
        assert again.status_code == 304 and "Content-Security-Policy" not in again.headers, path
        assert again.headers["X-Content-Type-Options"] == "nosniff", path


def test_tile_origin():
    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tile_origin("https://{s}.basemaps.example.com/{z}/{x}/{y}.png") == "https://*.basemaps.example.com"
    assert tile_origin("http://127.0.0.1:8081/{z}/{x}/{y}.png") == "http://127.0.0.1:8081"
    assert tile_origin("") is None and tile_origin("/tiles/{z}/{x}/{y}.png") is None
