"""Newcomer page: time from a filter change to the map and the list updated, in Chromium, 10,000 locations.

Target (docs/PRODUCT.md): under 50 ms, with no server round trip. Printed beside the same filter done
the old way, by a server callback (Python filters the same 10,000 features with ``elip_map.rules.filters``,
sends the map data and the first page of list entries back), measured the same way in the same run.

Cards fetch their details (address, phones...) after being drawn; that later fill-in is timed apart
(the filter-change figures leave it out, as the results are on screen before it).

Run: ``.venv/bin/python bench/bench_filter.py [--locations 10000] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from _newcomer import MEASURE_CLICK_JS, LocalServer, build_directory, chromium, wait_for_count

from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.api.feed import feature_collection
from elip_map.directory.listings import load_listings

# Filter changes to time, as a reader would make them (each click toggles one box).
CLICKS = [
    ("#home-filter-service input[value='language-training']", "service: language training"),
    ("#home-filter-lang input[value='ar']", "+ language: Arabic"),
    ("#home-filter-service input[value='employment']", "+ service: employment"),
    ("#home-filter-lang input[value='ar']", "- language: Arabic"),
]


def server_callback_app(collection: dict):
    """The baseline: the same clustered map and list, filtered by a Dash server callback."""
    import dash
    import dash_leaflet as dl
    from dash import Input, Output, dcc, html

    from elip_map.components.card import listing_card
    from elip_map.components.filter_panel import service_options
    from elip_map.components.service_map import SUPERCLUSTER_OPTIONS, js
    from elip_map.rules.filters import rank
    from elip_map.pages.home import RESULTS_PAGE
    from elip_map.paths import ASSETS_DIR

    app = dash.Dash("bench_baseline", assets_folder=str(ASSETS_DIR), compress=True)
    langs = sorted({c for f in collection["features"] for c in f["properties"].get("langs", [])})
    app.layout = html.Div([
        html.Div(html.Div([dcc.Checklist(id="home-filter-service", options=service_options("en"), value=[]),
                           dcc.Checklist(id="home-filter-lang", options=[{"label": c, "value": c} for c in langs],
                                         value=[])])),
        html.P(html.Strong(id="result-count")),
        html.Ol(id="home-results"),
        dl.Map([dl.GeoJSON(id="points", cluster=True, superClusterOptions=SUPERCLUSTER_OPTIONS,
                           pointToLayer=js("pointToLayer"))], center=(53.5461, -113.4938), zoom=11,
               style={"height": "600px"}),
    ])

    @app.callback(Output("points", "data"), Output("home-results", "children"), Output("result-count", "children"),
                  Input("home-filter-service", "value"), Input("home-filter-lang", "value"))
    def update(types, langs_):
        ranked = rank(collection["features"], {"types": types or [], "langs": langs_ or []})
        cards = [listing_card({**f["properties"], "lat": f["geometry"]["coordinates"][1] if f["geometry"] else None,
                               "lon": f["geometry"]["coordinates"][0] if f["geometry"] else None})
                 for f, _ in ranked[:RESULTS_PAGE]]
        points = [f for f, _ in ranked if f["geometry"]]  # listings without a map position are listed, not drawn
        return {"type": "FeatureCollection", "features": points}, cards, str(len(ranked))

    return app


# Cards fetch their details (address, phones...) after they are drawn, a page at a time: a later, separate
# update of the list. Left on, the figure above would be the details' round trip, not the filter's.
NO_DETAILS_JS = "if (window.elip && window.elip.map && window.elip.map.needDetails) window.elip.map.needDetails = function () {};"
# The first page's details, asked for at load, must have arrived before the clock starts (else their
# fill-in lands inside the first change's measurement).
DETAILS_SETTLED_JS = """const m = window.elip.map;
if (!m.details) return true;
return [...document.querySelectorAll('#home-results [data-location-id]')]
  .every(e => m.details[e.dataset.locationId] || m.detailsMissing[e.dataset.locationId]);"""


def wait_for_details(driver, timeout: float = 30.0) -> None:
    import time

    end = time.time() + timeout
    while time.time() < end and not driver.execute_script(DETAILS_SETTLED_JS):
        time.sleep(0.05)


def measure(driver, url: str, expected: int, repeats: int, list_id: str,
            details: bool = False) -> tuple[dict, list[float], list[float]]:
    """Per change: time until count, list and map are all updated; plus list-only and map-only times.
    Without ``details``, the cards' details are not fetched (the filter change alone is timed)."""
    out: dict[str, list[float]] = {label: [] for _sel, label in CLICKS}
    lists, maps = [], []
    for _ in range(repeats):
        driver.get(url)
        wait_for_count(driver, expected)
        wait_for_details(driver)
        if not details:
            driver.execute_script(NO_DETAILS_JS)
        driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
        for selector, label in CLICKS:
            ms = driver.execute_async_script(MEASURE_CLICK_JS, selector, list_id)
            out[label].append(ms["all"])
            lists.append(ms["list"])
            if ms["map"] is not None:
                maps.append(ms["map"])
    return out, lists, maps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from elip_map.factory import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        build_directory(url, args.locations)
        app = create_app(Settings(database_url=url, tile_url=""), load_sample=False)
        database = open_database(url)
        with database.session() as s:
            # Every open location, as the page gets it: placed ones and the ones without a map position.
            collection = feature_collection(load_listings(s, include_unplaced=True))
        n = len(collection["features"])
        unplaced = sum(1 for f in collection["features"] if not f["geometry"])
        payload = len(json.dumps(collection, separators=(",", ":")).encode())
        baseline = server_callback_app(collection)
        driver = chromium()
        driver.set_script_timeout(60)
        try:
            with LocalServer(app.server) as page, LocalServer(baseline.server) as base:
                client, c_list, c_map = measure(driver, page.url + "/", n, args.repeats, "home-results")
                last = driver.execute_script("return window.elip.map.lastRender") or {}
                filled, _l, _m = measure(driver, page.url + "/", n, max(1, args.repeats // 2), "home-results",
                                         details=True)
                server, s_list, s_map = measure(driver, base.url + "/", n, args.repeats, "home-results")
        finally:
            driver.quit()

    print(f"Newcomer page filter benchmark: {n:,} locations ({unplaced:,} without a map position), "
          f"{args.repeats} page loads x {len(CLICKS)} changes, "
          f"headless Chromium; GeoJSON {payload / 1e6:.1f} MB before compression")
    print(f"{'filter change':32} {'in browser (ms)':>16} {'server callback (ms)':>21} {'ratio':>7}")
    all_c, all_s = [], []
    for _sel, label in CLICKS:
        c, s = statistics.median(client[label]), statistics.median(server[label])
        all_c += client[label]
        all_s += server[label]
        print(f"{label:32} {c:16.1f} {s:21.1f} {s / c if c else float('nan'):6.1f}x")
    mc, ms = statistics.median(all_c), statistics.median(all_s)
    print(f"{'median of all changes':32} {mc:16.1f} {ms:21.1f} {ms / mc if mc else float('nan'):6.1f}x")
    print(f"p90 in browser: {statistics.quantiles(all_c, n=10)[-1]:.1f} ms; last render step in JS: "
          f"{last.get('ms', float('nan')):.1f} ms (filter and rank {last.get('rank', float('nan')):.1f}, "
          f"count and cards {last.get('list', float('nan')):.1f}, map {last.get('map', float('nan')):.1f}; "
          f"map updated in place: {last.get('inPlace')})")
    print(f"count and list updated (median): {statistics.median(c_list):.1f} ms in browser, "
          f"{statistics.median(s_list):.1f} ms by server callback")
    if c_map and s_map:
        print(f"map redrawn (median): {statistics.median(c_map):.1f} ms in browser, "
              f"{statistics.median(s_map):.1f} ms by server callback")
    with_details = [ms for times in filled.values() for ms in times]
    print(f"then the new cards' details fetched and filled in (median): {statistics.median(with_details):.1f} ms "
          f"after the change ({len(with_details)} changes; local server, no network delay)")
    # Issue 17: a filter change stays at or under the median measured before the compact feed (about 22 ms).
    print(f"target: at most 22 ms in the browser (median) -> {'met' if mc <= 22 else 'NOT met'}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
