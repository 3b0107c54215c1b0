"""Newcomer page: bytes a phone transfers on a first visit and on a return visit.

Served over HTTPS on 127.0.0.1 (a throwaway certificate that this Chromium is told to trust), as in
production, so the browser asks for brotli the way a phone does. The bytes are counted by the server
(every body and header it sends, the service worker's requests included, which Chromium's resource
timing in the page cannot see); Chromium's own view gives the breakdown by kind of file. For the bundled sample and for a
synthetic 10,000-location directory it prints, in one run, today's page beside the page as it was
before issue 17 ("old path": the GeoJSON feed, every bundle on every page, compressed per request,
assets revalidated on every visit), with the share of each kind of file and the largest files.

Targets (issue 17): first load < 350 KB (sample) and < 600 KB (10,000 locations); return < 30 KB.

``--languages`` loads the bundled sample once per interface language instead (each page carries only
its own language's strings and search words) against the 600 KB target, English as the baseline.

Run: ``.venv/bin/python bench/bench_page_weight.py [--locations 10000] [--languages]``
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from _newcomer import LocalServer, build_directory, chromium, wait_for_count

from elip_map.config import Settings

RESOURCES_JS = """
const nav = performance.getEntriesByType('navigation')[0];
const rows = performance.getEntriesByType('resource').map(e => ({name: e.name, type: e.initiatorType,
  transfer: e.transferSize, body: e.decodedBodySize, encoded: e.encodedBodySize}));
rows.push({name: nav.name, type: 'document', transfer: nav.transferSize, body: nav.decodedBodySize, encoded: nav.encodedBodySize});
return rows;
"""
TARGETS = {"first": {"bundled sample": 350e3, "10,000 locations": 600e3}, "return": 30e3}


def certificate(folder: Path) -> tuple[tuple[str, str], str]:
    """A self-signed certificate for 127.0.0.1 and its key's SPKI hash (what Chromium is told to trust)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    pub = subprocess.run(["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"], check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub, check=True,
                         capture_output=True).stdout
    return (str(cert), str(key)), base64.b64encode(hashlib.sha256(der).digest()).decode()


class ByteCounter:
    """WSGI wrapper: what the server sends (status line, headers, body), request by request."""

    def __init__(self, app):
        self.app, self.sent = app, []

    def __call__(self, environ, start_response):
        record = {"path": environ.get("PATH_INFO", ""), "bytes": 0}
        self.sent.append(record)

        def start(status, headers, exc_info=None):
            record["bytes"] += len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers)
            return start_response(status, headers, exc_info)

        for chunk in self.app(environ, start):
            record["bytes"] += len(chunk)
            yield chunk


def visits(url: str, spki: str, counter: ByteCounter) -> list[tuple[int, list[dict], list[dict]]]:
    """A first visit with an empty cache, then the same reader coming back (same profile)."""
    driver = chromium(360, 640, (f"--ignore-certificate-errors-spki-list={spki}",))
    try:
        out = []
        for _ in range(2):
            counter.sent.clear()
            driver.get(url)
            wait_for_count(driver)
            time.sleep(3)  # late requests (outlines, async chunks, the offline worker's copies) finish
            out.append((sum(r["bytes"] for r in counter.sent), list(counter.sent), driver.execute_script(RESOURCES_JS)))
            driver.get("about:blank")
        return out
    finally:
        driver.quit()


def report(label: str, sent: int, served: list[dict], rows: list[dict]) -> int:
    total = sum(r["transfer"] for r in rows)
    raw = sum(r["body"] for r in rows)
    fetched = [r for r in rows if r["transfer"] > 0]
    print(f"  {label}: {sent / 1e3:.1f} KB sent by the server in {len(served)} answers "
          f"(the page's own view: {total / 1e3:.1f} KB in {len(fetched)} of {len(rows)} requests, {raw / 1e3:.0f} KB "
          f"uncompressed)")
    kinds: dict[str, int] = {}
    for r in rows:
        name = r["name"].split("?")[0]
        kind = ("feed/api" if "/api/" in name else "dash callbacks" if "_dash-" in name and "component-suites" not in name
                else "javascript" if name.endswith(".js") else "css" if name.endswith(".css") else r["type"])
        kinds[kind] = kinds.get(kind, 0) + r["transfer"]
    print("     " + ", ".join(f"{k} {v / 1e3:.1f} KB" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]) if v))
    largest = sorted(fetched, key=lambda r: -r["transfer"])[:4]
    print("     largest: " + ", ".join(f"{r['name'].split('/')[-1].split('?')[0][:34]} {r['transfer'] / 1e3:.1f}"
                                       for r in largest))
    return sent


def _old_feed():
    """The GeoJSON feed as it was served before issue 17: gzip level 6, no brotli."""
    import gzip
    import json

    from flask import current_app

    from elip_map.api import GEOJSON_MIMETYPE, conditional_response
    from elip_map.api.feed import feature_collection
    from elip_map.directory.fingerprint import directory_fingerprint
    from elip_map.directory.listings import load_listings

    with current_app.config["ELIP_DATABASE"].session() as session:
        key = directory_fingerprint(session)

        def build():
            raw = json.dumps(feature_collection(load_listings(session)), ensure_ascii=False, separators=(",", ":")).encode()
            return raw, gzip.compress(raw, compresslevel=6)

        raw, gz = current_app.config["ELIP_API_CACHE"].get_or_build("old-" + key, build)
    response = conditional_response(raw, key, GEOJSON_MIMETYPE)
    if response.status_code == 200:
        response.set_data(gz)
        response.headers["Content-Encoding"] = "gzip"
    return response


def _old_outlines():
    """The outlines as they were: 5 decimals with names and ids, gzip, revalidated on every visit."""
    from flask import current_app

    from elip_map.api import GEOJSON_MIMETYPE, conditional_response

    hoods = current_app.config["ELIP_NEIGHBOURHOODS"]
    etag = hashlib.sha1(hoods.geojson_bytes).hexdigest()[:16]
    response = conditional_response(hoods.geojson_bytes, etag, GEOJSON_MIMETYPE)
    if response.status_code == 200:
        response.set_data(hoods.geojson_gzip)
        response.headers["Content-Encoding"] = "gzip"
    return response


@contextmanager
def old_path(app):
    """The page as it was before issue 17, rebuilt in this process for the baseline: the GeoJSON feed
    (the page's decoder passes GeoJSON through), Dash's own index (every bundle, the full config),
    static files compressed per request by Flask-Compress and revalidated (``Vary: Cookie``), outlines
    at full precision."""
    import dash

    from elip_map.factory import ElipDash

    server = app.server
    saved = {name: getattr(ElipDash, name) for name in ("_generate_scripts_html", "_generate_css_dist_html", "_config")}
    hooks = server.after_request_funcs[None]
    static_hook = next(f for f in hooks if f.__name__ == "_static")
    views = {name: server.view_functions[name] for name in ("elip_api.locations_feed", "elip_api.neighbourhoods_geojson",
                                                            "elip_pwa.service_worker")}
    wrapped = server.wsgi_app
    for name in saved:
        setattr(ElipDash, name, getattr(dash.Dash, name))
    hooks.remove(static_hook)
    server.wsgi_app = wrapped.app  # without PublicVary
    server.view_functions["elip_api.locations_feed"] = _old_feed
    server.view_functions["elip_api.neighbourhoods_geojson"] = _old_outlines
    server.view_functions["elip_pwa.service_worker"] = lambda: ("", 404)  # no offline worker then
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(ElipDash, name, fn)
        hooks.append(static_hook)
        server.wsgi_app = wrapped
        server.view_functions.update(views)


def measure(app, spki: str, tls) -> dict:
    out = {}
    for path, ctx in (("old path (before issue 17)", old_path(app)), ("this page", None)):
        with (ctx or _nothing()):
            counter = ByteCounter(app.server.wsgi_app)
            app.server.wsgi_app, plain = counter, app.server.wsgi_app
            try:
                with LocalServer(app.server, ssl_context=tls) as srv:
                    print(f" {path}")
                    first, again = visits(srv.url + "/", spki, counter)
            finally:
                app.server.wsgi_app = plain
            out[path] = (report("first visit", *first), report("return visit", *again))
    return out


@contextmanager
def _nothing():
    yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--languages", action="store_true", help="bundled sample in every interface language")
    args = parser.parse_args()
    from elip_map.factory import create_app

    if args.languages:
        per_language()
        return

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tls, spki = certificate(Path(tmp))
        app = create_app(Settings(database_url=f"sqlite:///{Path(tmp) / 'sample.sqlite3'}", tile_url=""),
                         load_sample=True)  # offline: no tiles
        print("\nBundled sample directory, phone-sized window (360x640), HTTPS")
        results["bundled sample"] = measure(app, spki, tls)
        big_url = f"sqlite:///{Path(tmp) / 'big.sqlite3'}"
        build_directory(big_url, args.locations)
        app = create_app(Settings(database_url=big_url, tile_url=""), load_sample=False)
        label = f"{args.locations:,} locations"
        print(f"\nSynthetic {label} directory")
        results[label] = measure(app, spki, tls)
    print("\n| directory | path | first visit | return visit |\n|---|---|---|---|")
    for label, paths in results.items():
        for path, (first, again) in paths.items():
            print(f"| {label} | {path} | {first / 1e3:.0f} KB | {again / 1e3:.1f} KB |")
    print("\ntargets (issue 17), this page:")
    for label, paths in results.items():
        first, again = paths["this page"]
        want = TARGETS["first"].get(label)
        if want:
            print(f"  {label:18} first {first / 1e3:.0f} KB < {want / 1e3:.0f} KB: {'met' if first < want else 'NOT met'}")
        print(f"  {label:18} return {again / 1e3:.1f} KB < 30 KB: {'met' if again < TARGETS['return'] else 'NOT met'}")


def per_language() -> None:
    """First-load bytes of the newcomer page with the bundled sample, in each interface language."""
    from elip_map.factory import create_app
    from elip_map.i18n import SUPPORTED_UI

    totals = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(database_url=f"sqlite:///{Path(tmp) / 's.sqlite3'}", tile_url=""), load_sample=True)
        with LocalServer(app.server) as srv:
            for ui in SUPPORTED_UI:
                rows = first_load(f"{srv.url}/?ui={ui}")
                doc_and_dash = sum(r["transfer"] for r in rows if r["type"] == "document" or any(
                    k in r["name"] for k in ("_dash-layout", "_dash-update-component", "_dash-dependencies")))
                totals[ui] = (sum(r["transfer"] for r in rows), doc_and_dash)
    base = totals["en"][0]
    print("\nBundled sample, first load at 360x640, per interface language (target: under 600 KB)")
    print(f"  {'ui':8} {'total KB':>9} {'vs en':>8} {'page+layout+callbacks KB':>25}")
    for ui, (total, dynamic) in totals.items():
        print(f"  {ui:8} {total / 1e3:9.1f} {100 * (total - base) / base:+7.1f}% {dynamic / 1e3:25.1f}"
              f"  {'met' if total < 600e3 else 'NOT met'}")


if __name__ == "__main__":
    main()
