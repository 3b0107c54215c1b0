"""Shared helpers for the newcomer-page benchmarks: a synthetic directory, a local server (in a thread, or
`elip-map serve` with its gunicorn workers), Chromium."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from elip_map.directory.models import (Address, Language, Location, Organization, Schedule, Service,  # noqa: E402
                                       ServiceAtLocation, ServiceType)
from elip_map.directory.storage import bump_directory_version, open_database  # noqa: E402
from elip_map.directory.taxonomy import SLUGS  # noqa: E402
from elip_map.testing import free_port  # noqa: E402

LANGS = ("en", "fr", "ar", "pa", "zh", "yue", "es", "tl", "uk", "so", "ti", "am", "fa", "prs", "ur", "hi")
WORDS = ("Newcomer", "Settlement", "Family", "Community", "Centre", "Society", "Services", "Network", "Hub", "Place")


def build_directory(database_url: str, n: int, seed: int = 7, unplaced_every: int = 25) -> None:
    """n locations (of n // 3 organizations) spread over Edmonton, each with one service of 1-3 types,
    1-3 languages, weekday hours for half of them; every ``unplaced_every``-th one has no map position
    (address being checked, or no street address), as real directories do and the page lists them too.
    Bulk inserts: seconds, not minutes."""
    rnd = random.Random(seed)
    database = open_database(database_url)
    n_orgs = max(1, n // 3)
    with database.session() as s:
        s.execute(insert(Organization), [
            {"id": i + 1, "name": f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {i + 1}", "name_key": f"org-{i + 1}",
             "website": f"https://org{i + 1}.example.org"} for i in range(n_orgs)])
        locs, addrs, services, types, langs, links, hours = [], [], [], [], [], [], []
        for i in range(1, n + 1):
            org = (i - 1) % n_orgs + 1
            lat, lon = 53.40 + rnd.random() * 0.30, -113.70 + rnd.random() * 0.45
            unplaced = bool(unplaced_every) and i % unplaced_every == 0
            locs.append({"id": i, "organization_id": org, "name": f"Site {i}", "location_key": f"site-{i}",
                         "latitude": None if unplaced else lat, "longitude": None if unplaced else lon,
                         "geocode_status": "needs-attention" if unplaced else "ok", "closed": False,
                         "neighbourhood_number": str(1000 + rnd.randrange(400)),
                         "last_verified": dt.date(2026, 1 + rnd.randrange(12), 1), "version": 1})
            street = "PO Box 1234" if unplaced and i % (2 * unplaced_every) == 0 else \
                f"{rnd.randrange(1, 13000)} {rnd.randrange(1, 200)} Street NW"
            addrs.append({"location_id": i, "address_1": street,
                          "city": "Edmonton", "state_province": "AB", "country": "CA", "address_type": "physical"})
            services.append({"id": i, "organization_id": org, "name": f"{rnd.choice(WORDS)} program {i}", "status": "active"})
            for slug in rnd.sample(SLUGS, rnd.randint(1, 3)):
                types.append({"service_id": i, "slug": slug})
            for code in rnd.sample(LANGS, rnd.randint(1, 3)):
                langs.append({"service_id": i, "code": code})
            links.append({"service_id": i, "location_id": i})
            if i % 2:
                for day in range(1, 6):
                    hours.append({"location_id": i, "weekday": day, "opens_at": dt.time(9), "closes_at": dt.time(17)})
        for model, rows in ((Location, locs), (Address, addrs), (Service, services), (ServiceType, types),
                            (Language, langs), (ServiceAtLocation, links), (Schedule, hours)):
            s.execute(insert(model), rows)
        bump_directory_version(s)
    database.dispose()


class LocalServer:
    """A Flask/Dash app served on 127.0.0.1 in a thread (threaded Werkzeug), for the benchmarks only."""

    def __init__(self, flask_app, ssl_context=None):
        from werkzeug.serving import make_server

        self.httpd = make_server("127.0.0.1", 0, flask_app, threaded=True, ssl_context=ssl_context)
        self.url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()


@contextlib.contextmanager
def gunicorn_server(database_url: str, *, start_timeout: float = 180.0, env: dict | None = None):
    """`elip-map serve --workers 2` in a child process on a free port, as production runs it; yields the
    process (its children are the workers whose memory the benchmarks read) and the base URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "ELIP_SECRET_KEY": "bench-only-" + "x" * 32, **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "elip_map", "serve", "--port", str(port), "--workers", "2"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + start_timeout
        while time.time() < deadline:
            try:
                if requests.get(base + "/", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            raise SystemExit("the server did not start")
        yield proc, base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def chromium(width: int = 1280, height: int = 900, extra_args: tuple[str, ...] = ()):
    """Headless Chromium (the system one), as the browser tests use it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service as ChromeService

    opts = Options()
    opts.binary_location = os.environ.get("DASH_TEST_CHROMEPATH") or shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic",
                "--disable-background-networking", "--disable-component-update", f"--window-size={width},{height}",
                *extra_args):
        opts.add_argument(arg)
    return webdriver.Chrome(service=ChromeService(shutil.which("chromedriver") or "chromedriver"), options=opts)


def wait_for_count(driver, expected: int | None = None, timeout: float = 60.0) -> int:
    """Wait until #result-count shows a number (or ``expected``); returns it."""
    import time

    end = time.time() + timeout
    while time.time() < end:
        text = driver.execute_script("const e = document.getElementById('result-count'); return e && e.textContent")
        if text and text.strip().isdigit() and (expected is None or int(text) == expected):
            return int(text)
        time.sleep(0.05)
    raise TimeoutError(f"#result-count never showed {expected if expected is not None else 'a number'}")


# Runs in the page: tick a checkbox, then watch the count, the list and the map's panes with a
# MutationObserver. The figure is the time of the last change to any of them (the update is complete
# once nothing has changed for 300 ms); it is never shorter than the real update. Milliseconds.
MEASURE_CLICK_JS = """
const [selector, listId, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const watched = {list: [document.getElementById('result-count'), document.getElementById(listId)],
                 map: [document.querySelector('.leaflet-map-pane')]};
const last = {list: null, map: null};
const observers = Object.entries(watched).map(([key, nodes]) => {
  const o = new MutationObserver(() => { last[key] = performance.now(); });
  nodes.filter(Boolean).forEach(n => o.observe(n, {childList: true, subtree: true, characterData: true, attributes: true}));
  return o;
});
const box = document.querySelector(selector);
const t0 = performance.now();
box.click();
function settle() {
  const now = performance.now(), latest = Math.max(last.list || 0, last.map || 0);
  if (last.list !== null && now - latest > 300) {
    observers.forEach(o => o.disconnect());
    done({all: latest - t0, list: last.list - t0, map: last.map === null ? null : last.map - t0});
  } else if (now - t0 > 30000) { observers.forEach(o => o.disconnect()); done({all: -1, list: -1, map: -1}); }
  else setTimeout(settle, 50);
}
setTimeout(settle, 50);
"""
