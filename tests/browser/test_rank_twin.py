"""The browser's nearest-first ranking and its Python twin put the same locations in the same order."""

import random
from pathlib import Path

import pytest

from elip_map.rules.filters import rank

ASSET = Path(__file__).resolve().parents[2] / "assets" / "elip_map.js"


def _features(n, seed):
    rnd = random.Random(seed)
    feats = []
    for i in range(n):
        lon, lat = -113.71 + rnd.random() * 0.44, 53.40 + rnd.random() * 0.31
        if i % 50 == 0:
            lon, lat = feats[-1]["geometry"]["coordinates"] if feats else (lon, lat)  # exact ties
        if i % 97 == 0:
            lon, lat = -114.9 - rnd.random(), 52.5 + rnd.random()  # beyond 131 km: the exact-order tail
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                      "properties": {"id": f"loc-{i}", "sort": f"org {i:04d}", "types": ["food" if i % 3 else "housing"],
                                     "langs": ["ar"] if i % 4 == 0 else ["en"], "text": "", "hours": []}})
    return feats  # already in name order, as the page keeps its collection


@pytest.mark.browser
@pytest.mark.parametrize("criteria", [{}, {"types": ["housing"]}, {"langs": ["ar"], "types": ["food"]}])
def test_rank001_browser_and_python_rank_identically(dash_duo, criteria):
    driver = dash_duo.driver
    driver.get("about:blank")
    driver.execute_script(ASSET.read_text(encoding="utf-8"))
    feats = _features(800, seed=len(criteria))
    near = {"lat": 53.5461, "lon": -113.4938}
    got = driver.execute_script(
        "return window.elip.map.rankFeatures(arguments[0], arguments[1], arguments[2])"
        ".map(function (r) { return [r.f.properties.id, r.d]; });", feats, criteria, near)
    want = [(f["properties"]["id"], d) for f, d in rank(feats, criteria, near)]
    assert [i for i, _ in got] == [i for i, _ in want]
    assert all(abs(a - b) < 0.002 for (_, a), (_, b) in zip(got, want))  # same km to the metre
