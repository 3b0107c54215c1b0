"""The newcomer page loads only what it uses, and static files are cached for a year, precompressed."""

from __future__ import annotations

import gzip
import re

import brotli

from elip_map.components.page_assets import slim_config, slim_tags
from elip_map.config import Settings


def test_light_page_drops_staff_bundles_and_defers_the_polyfill():
    tags = ('<script src="/_dash-component-suites/dash/deps/polyfill@7.v1.min.js"></script>\n'
            '<script src="/_dash-component-suites/dash/dash_table/bundle.v7.js"></script>\n'
            '<link rel="stylesheet" href="/assets/coverage.css?m=1">\n'
            '<script src="/_dash-component-suites/dash_extensions/dash_extensions.v2_0_6m1.js"></script>\n'
            '<script src="/assets/elip_map.js?m=1"></script>\n')
    home = slim_tags(tags, "/")
    assert "dash_table" not in home and "coverage.css" not in home and "elip_map.js" in home
    assert "dash_extensions" not in home and "dash_extensions" not in slim_tags(tags, "/about")
    assert "dash_extensions" in slim_tags(tags, "/staff/review")
    assert '<script nomodule src="/_dash-component-suites/dash/deps/polyfill@7.v1.min.js">' in home
    staff = slim_tags(tags, "/coverage")
    assert "dash_table" in staff and "coverage.css" in staff and "nomodule" not in staff  # DataTable needs it


def test_light_page_config_has_no_copy_of_every_layout():
    config = {"validation_layout": {"big": 1}, "suppress_callback_exceptions": False, "ui": False}
    assert slim_config(config, "/") == {"suppress_callback_exceptions": True, "ui": False}
    assert slim_config(config, "/coverage") is config


def test_served_pages_and_static_headers(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    # The coverage view is open without a login here (the development switch): its page shows what a staff page loads.
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'w.sqlite3'}", tile_url="", coverage_public=True),
                     load_sample=False)
    client = app.server.test_client()
    home = client.get("/").get_data(as_text=True)
    assert "dash_table/bundle" not in home and "validation_layout" not in home and "coverage.js" not in home
    assert "dash_table/bundle" in client.get("/coverage").get_data(as_text=True)
    srcs = re.findall(r'<script[^>]* src="([^"]+)"', home)
    assert any("dash_leaflet" in s for s in srcs) and any("elip_map.js" in s for s in srcs)
    for src in srcs:
        raw = client.get(src, headers={"Accept-Encoding": "identity"})
        br = client.get(src, headers={"Accept-Encoding": "gzip, br"})
        gz = client.get(src, headers={"Accept-Encoding": "gzip"})
        assert br.headers["Cache-Control"] == "public, max-age=31536000, immutable", src
        assert br.headers["Content-Encoding"] == "br" and brotli.decompress(br.data) == raw.data, src
        assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == raw.data, src
        assert "Accept-Encoding" in br.headers["Vary"]
    chunk = client.get("/_dash-component-suites/dash/dcc/async-dropdown.js", headers={"Accept-Encoding": "br"})
    assert chunk.headers["Cache-Control"] == "public, max-age=86400"  # no version in its address: a day
    assert client.get("/assets/elip_map.js").headers["Cache-Control"] == "public, no-cache"  # unversioned address


def test_public_files_do_not_vary_by_cookie_and_outlines_are_versioned(tmp_path, clear_pages_state):
    """A first visit gets its session cookie half-way through: cached files must still match next time."""
    import json

    from elip_map.factory import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'v.sqlite3'}", tile_url=""), load_sample=False)
    client = app.server.test_client()
    client.get("/")  # sets the session (CSRF) cookie
    home = client.get("/").get_data(as_text=True)
    src = re.findall(r'<script[^>]* src="(/_dash-component-suites/[^"]+)"', home)[0]
    with app.server.test_request_context():
        from elip_map.api import outlines_url

        url = outlines_url(app.server.config["ELIP_NEIGHBOURHOODS"])
    for path in (src, url, "/api/locations.feed?v=x"):
        vary = client.get(path, headers={"Accept-Encoding": "br"}).headers.get("Vary", "")
        assert "cookie" not in vary.lower() and "Accept-Encoding" in vary, path
    outlines = client.get(url)
    assert outlines.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    doc = json.loads(outlines.data)
    first = doc["features"][0]["geometry"]["coordinates"][0][0] if doc["features"] else [0.0, 0.0]
    assert all(len(str(c).split(".")[-1]) <= 4 for c in first)  # 4 decimals: about 10 m
    assert client.get("/api/neighbourhoods.geojson").headers["Cache-Control"] == "public, no-cache"


def test_our_scripts_are_sent_minified_and_still_whole(tmp_path, clear_pages_state):
    """Comments and indentation explain the code and the styles to their readers, not to a phone on prepaid data."""
    from elip_map.factory import create_app
    from elip_map.paths import ASSETS_DIR

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}", tile_url=""), load_sample=False)
    client = app.server.test_client()
    for name in ("elip_map.js", "elip_feed.js", "elip_offline.js"):
        source = (ASSETS_DIR / name).read_text(encoding="utf-8")
        sent = client.get(f"/assets/{name}?m=1", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
        assert len(sent) < 0.8 * len(source), name
        assert "// " not in sent.replace("https:// ", ""), name  # no line comment survives
        # Every string the page shows or sends is kept as written (the code's words, not its comments).
        for literal in set(re.findall(r'"(/api/[^"\\]+)"', source)):
            assert f'"{literal}"' in sent, (name, literal)
        br = client.get(f"/assets/{name}?m=1", headers={"Accept-Encoding": "br"})
        assert brotli.decompress(br.data).decode() == sent, name
    source = (ASSETS_DIR / "elip_map.css").read_text(encoding="utf-8")
    css = client.get("/assets/elip_map.css?m=1", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    assert "/*" not in css and len(css) < 0.9 * len(source)
    # Every rule is still there, word for word: each line of the sent sheet is a line of the source.
    lines = {line.strip() for line in source.splitlines()}
    assert all(line in lines or line.split("/*")[0].strip() in {x.split("/*")[0].strip() for x in lines}
               for line in css.splitlines())
    assert css.count("{") == source.count("{") and css.count("}") == source.count("}")
    icon = client.get("/assets/icon.svg", headers={"Accept-Encoding": "identity"}).data
    assert icon == (ASSETS_DIR / "icon.svg").read_bytes()  # anything else as it is


def test_dynamic_answers_prefer_brotli(tmp_path, clear_pages_state):
    """Chromium offers zstd and brotli alike; brotli's bodies are smaller for the same CPU."""
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'b.sqlite3'}", tile_url=""), load_sample=False)
    client = app.server.test_client()
    both = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert both.headers["Content-Encoding"] == "br"
    assert "<html" in brotli.decompress(both.data).decode()
    assert client.get("/", headers={"Accept-Encoding": "gzip, zstd"}).headers["Content-Encoding"] == "zstd"
    assert client.get("/", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
