"""What the offline browser tests share: what the service worker has saved, Chromium's offline switch,
and waiting until a visit is kept whole (the worker says so on <html data-offline-ready>)."""

from __future__ import annotations

from dash.testing.wait import until

# Every address the worker's caches hold, as path and query ("/api/details?ids=…", "/__elip/callback/…").
SAVED = """const done = arguments[arguments.length - 1];
caches.keys().then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()))))
  .then(lists => done([].concat(...lists).map(r => { const u = new URL(r.url); return u.pathname + u.search; })))
  .catch(() => done([]));"""
SHELL = {"/", "/api/locations.feed", "/_dash-layout", "/_dash-dependencies", "/api/places.json"}


def saved(driver) -> list[str]:
    return driver.execute_async_script(SAVED)


def set_offline(driver, offline: bool) -> None:
    """Chromium's own offline emulation: the page's requests fail as with no signal."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": offline, "latency": 0,
                                                                 "downloadThroughput": -1, "uploadThroughput": -1})


def wait_until_kept(driver, timeout: float = 30) -> None:
    """The worker is in charge and has kept the page, its bundles, the feed and the page's own answers."""
    until(lambda: driver.execute_script("return !!navigator.serviceWorker.controller"), timeout=20)
    until(lambda: SHELL <= set(saved(driver)), timeout=20)
    until(lambda: sum(p.startswith("/__elip/callback/") for p in saved(driver)) >= 2, timeout=20)
    until(lambda: driver.execute_script("return document.documentElement.getAttribute('data-offline-ready')") == "true",
          timeout=timeout)
