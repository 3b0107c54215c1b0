"""Newcomer page: bytes transferred on a first load (empty cache), measured by Chromium itself.

Target (docs/PRODUCT.md): under 1.5 MB compressed. Prints the total for the bundled sample directory
and for a synthetic 10,000-location directory, the share of each kind of file, the largest files, and
the same page's uncompressed size as the baseline (what it would cost without gzip/brotli).

``--languages`` loads the bundled sample once per interface language instead (each page carries only
its own language's strings and search words) against the 600 KB target, English as the baseline.

Run: ``.venv/bin/python bench/bench_page_weight.py [--locations 10000] [--languages]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
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


def first_load(url: str) -> list[dict]:
    driver = chromium(360, 640)  # a phone-sized window, a fresh profile: nothing cached
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        driver.get(url)
        wait_for_count(driver)
        time.sleep(1.5)  # late requests (neighbourhood outlines, async chunks) finish
        return driver.execute_script(RESOURCES_JS)
    finally:
        driver.quit()


def report(label: str, rows: list[dict]) -> int:
    total = sum(r["transfer"] for r in rows)
    raw = sum(r["body"] for r in rows)
    print(f"\n{label}: {total / 1e6:.2f} MB transferred, {raw / 1e6:.2f} MB uncompressed "
          f"({raw / total if total else 0:.1f}x), {len(rows)} requests")
    kinds: dict[str, int] = {}
    for r in rows:
        name = r["name"].split("?")[0]
        kind = ("geojson/api" if "/api/" in name or "_dash-" in name and "component-suites" not in name
                else "javascript" if name.endswith(".js") else "css" if name.endswith(".css") else r["type"])
        kinds[kind] = kinds.get(kind, 0) + r["transfer"]
    for kind, size in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:14} {size / 1e3:9.1f} KB")
    print("  largest:")
    for r in sorted(rows, key=lambda r: -r["transfer"])[:6]:
        print(f"    {r['transfer'] / 1e3:8.1f} KB  {r['name'].split('/')[-1].split('?')[0][:70]}")
    plotly = [r for r in rows if "plotly" in r["name"]]
    print(f"  plotly.js loaded: {'YES' if plotly else 'no'}")
    return total


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
        sample_url = f"sqlite:///{Path(tmp) / 'sample.sqlite3'}"
        app = create_app(Settings(database_url=sample_url, tile_url=""), load_sample=True)  # offline: no tiles
        with LocalServer(app.server) as srv:
            results["bundled sample"] = report("Bundled sample directory, first load at 360x640",
                                               first_load(srv.url + "/"))
        big_url = f"sqlite:///{Path(tmp) / 'big.sqlite3'}"
        build_directory(big_url, args.locations)
        app = create_app(Settings(database_url=big_url, tile_url=""), load_sample=False)
        with LocalServer(app.server) as srv:
            results[f"{args.locations:,} locations"] = report(f"Synthetic {args.locations:,}-location directory",
                                                              first_load(srv.url + "/"))
    print("\ntarget: under 1.5 MB compressed on first load")
    for label, total in results.items():
        print(f"  {label:20} {total / 1e6:.2f} MB -> {'met' if total < 1.5e6 else 'NOT met'}")


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
