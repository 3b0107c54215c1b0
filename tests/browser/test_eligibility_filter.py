"""The newcomer page's "Who I am" question in real Chromium: it narrows the list exactly as the directory
says (served statuses, plus unknown eligibility kept visible), explains each card, and lives in the URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.factory import create_app
from elip_map.testing import add_location, tick

pytestmark = pytest.mark.browser

# (organization, statuses stored on its service or None for unknown, fee level)
PLACES = [
    ("Settlement Program", "permanent-resident;protected-person", "free"),
    ("Claimant Support", "refugee-claimant", "free"),
    ("Open Drop-in", "everyone", "low-cost"),
    ("Student Centre", "international-student", "fee"),
    ("Unknown Rules", None, None),
]


@pytest.fixture
def app(tmp_path, geodata_mirror, clear_pages_state):
    url = f"sqlite:///{tmp_path / 'elig.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        for i, (org, statuses, fee) in enumerate(PLACES):
            loc = add_location(s, org, "Main office", lat=53.54 + i * 0.01, lon=-113.5)
            service = loc.services[0]
            service.eligible_statuses, service.fee = statuses, fee
    database.dispose()
    return create_app(Settings(database_url=url, tile_url="", data_mirror=geodata_mirror), load_sample=False)


def cards(dash_duo) -> dict[str, str]:
    return {el.find_element(By.CSS_SELECTOR, "h3").text: el.text for el in dash_duo.find_elements(".elip-card")}


def choose_status(dash_duo, slug):
    tick(dash_duo, f"#home-filter-status input[value='{slug}']")


def test_elig001_status_filter_matches_directory_and_explains_cards(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal("#result-count", str(len(PLACES)), timeout=10)
    before = cards(dash_duo)
    assert "Ask about eligibility" in before["Unknown Rules"]
    assert "Open to everyone" in before["Open Drop-in"] and "Low cost" in before["Open Drop-in"]

    choose_status(dash_duo, "refugee-claimant")
    # Expected from the table above, not from the code: served, open to everyone, or unknown.
    expected = {org for org, statuses, _fee in PLACES
                if statuses is None or "refugee-claimant" in statuses.split(";") or statuses == "everyone"}
    dash_duo.wait_for_text_to_equal("#result-count", str(len(expected)), timeout=10)
    shown = cards(dash_duo)
    assert set(shown) == expected
    assert "Open to refugee claimants" in shown["Claimant Support"]
    assert "Open to everyone" in shown["Open Drop-in"]
    assert "Ask about eligibility" in shown["Unknown Rules"]
    until(lambda: "status=refugee-claimant" in dash_duo.driver.current_url, timeout=5)

    # The URL round trip: a fresh page opened on the shared address shows the same view.
    shared = dash_duo.driver.current_url
    dash_duo.driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_text_to_equal("#result-count", str(len(PLACES)), timeout=10)
    dash_duo.driver.get(shared)
    dash_duo.wait_for_text_to_equal("#result-count", str(len(expected)), timeout=10)
    assert set(cards(dash_duo)) == expected
    assert dash_duo.find_element("#home-filter-status input[value='refugee-claimant']").is_selected()

    # "Prefer not to say" brings everything back and takes status out of the URL.
    choose_status(dash_duo, "")
    dash_duo.wait_for_text_to_equal("#result-count", str(len(PLACES)), timeout=10)
    until(lambda: "status=" not in dash_duo.driver.current_url, timeout=5)
    assert dash_duo.get_logs() == []


def test_elig002_who_i_am_in_arabic_on_a_phone(dash_duo, app, tmp_path):
    """The question and the card lines in Arabic, right to left, at 360 px (screenshots for a person to look at)."""
    import os

    shots = Path(os.environ.get("ELIP_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    dash_duo.start_server(app)
    dash_duo.driver.set_window_size(360, 640)
    dash_duo.driver.get(dash_duo.server_url + "/?ui=ar&status=refugee-claimant")
    expected = sum(1 for _org, statuses, _fee in PLACES
                   if statuses is None or statuses == "everyone" or "refugee-claimant" in statuses.split(";"))
    dash_duo.wait_for_text_to_equal("#result-count", str(expected), timeout=10)
    assert "مفتوح لطالبي اللجوء" in dash_duo.find_element("#home-results").text  # "Open to refugee claimants"
    assert "اسأل عن شروط الأهلية" in dash_duo.find_element("#home-results").text  # "Ask about eligibility"
    radio = dash_duo.find_element("#home-filter-status input[value='refugee-claimant']")
    dash_duo.driver.execute_script("arguments[0].closest('details').open = true; arguments[0].scrollIntoView()", radio)
    dash_duo.driver.save_screenshot(str(shots / "home-status-ar-360.png"))
    dash_duo.driver.set_window_size(1280, 900)
    dash_duo.driver.save_screenshot(str(shots / "home-status-ar-1280.png"))
