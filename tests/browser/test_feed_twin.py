"""The browser's feed decoder (assets/elip_feed.js) and the Python twin agree on one truth table."""

from __future__ import annotations

from pathlib import Path

import pytest
from feed_truth import FEATURES, LISTINGS

from elip_map.api.compact import encode_feed

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@pytest.mark.browser
def test_feed001_browser_decodes_the_truth_table(dash_duo):
    driver = dash_duo.driver
    driver.get("about:blank")
    for name in ("elip_map.js", "elip_feed.js"):  # the search-text rule lives in elip_map.js
        driver.execute_script((ASSETS / name).read_text(encoding="utf-8"))
    got = driver.execute_script("return window.elip.feed.decode(arguments[0]);", encode_feed(LISTINGS))
    assert got == FEATURES
    refused = driver.execute_script("try { window.elip.feed.decode({format: 'x'}); return null; }"
                                    " catch (e) { return e.message; }")
    assert refused == "not an elip-feed/2 document"
