"""The server under a crowd: locust (headless, bounded) against `elip-map serve --workers 2`, on 127.0.0.1.

Two kinds of simulated newcomers, as the browser behaves:

- first-time visitors, with nothing cached: the page, every script and stylesheet it names, Dash's
  layout and dependencies, the page's three startup callbacks, the locations feed, the outlines, the
  async chunks, the offline worker, its manifest and the neighbourhood centres;
- returning visitors, whose static files are cached for a year: the page, Dash's layout, dependencies
  and startup callbacks, the feed revalidated (``If-None-Match`` -> 304), then a "near" search (a
  server callback); filtering happens in the browser and costs the server nothing.

Run on SQLite and on PostgreSQL (a throwaway schema of the local server), each with a synthetic
directory. Printed per kind of visitor: requests, errors, requests per second, p50/p95/p99 latency,
and each gunicorn worker's peak resident memory, beside one user of each kind alone in the same run.
Targets (issue 17): with 50 users on 2 workers, p95 < 200 ms returning, < 500 ms first visits, each
worker < 250 MB. The load generator shares the machine's cores with the server: figures are upper bounds.

    .venv/bin/python bench/bench_load.py [--users 50] [--first 10] [--seconds 40] [--locations 10000]
"""

# locust patches the standard library with gevent on import: it must come before anything else.
import locust  # noqa: I001
from locust import HttpUser, between, task
from locust.env import Environment

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import psutil  # noqa: E402
import requests  # noqa: E402

from _newcomer import build_directory, gunicorn_server  # noqa: E402

from elip_map.testing import callback_body  # noqa: E402

ENCODINGS = {"Accept-Encoding": "br, gzip"}
ASYNC_CHUNKS = ("/_dash-component-suites/dash/dcc/async-dropdown.js",
                "/_dash-component-suites/dash_leaflet/async-GeoJSON.js")
LOCATION = [{"id": "_pages_location", "property": "pathname", "value": "/"},
            {"id": "_pages_location", "property": "search", "value": ""}]
ROUTER = {"output": ".._pages_content.children..._pages_store.data..",
          "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
          "inputs": LOCATION, "state": [], "changedPropIds": ["_pages_location.pathname"]}
SHELL = {"output": "..shell-nav.children...shell-banner.children...shell-footer.children..",
         "outputs": [{"id": "shell-nav", "property": "children"}, {"id": "shell-banner", "property": "children"},
                     {"id": "shell-footer", "property": "children"}],
         "inputs": LOCATION, "state": [], "changedPropIds": ["_pages_location.pathname"]}


def near(dependencies: list[dict], text: str, clicks: int | None) -> dict:
    """The "near" callback request, for the output names this server gives it (read from its dependencies)."""
    dep = next(d for d in dependencies if "home-near-message.children" in d["output"] and not d.get("clientside_function"))
    return callback_body(dep, {"home-near-button.n_clicks": clicks, "home-near-input.value": text,
                               "home-labels.data": {"ui": "en"}}, trigger="home-near-input.value")


class Newcomer(HttpUser):
    abstract = True
    wait_time = between(1, 3)  # reading the list between two page loads
    locations = 10_000  # the directory's size (set from --locations): card ids run from loc-1

    def get(self, path: str, name: str, **kw):
        with self.client.get(path, name=name, headers={**ENCODINGS, **kw.pop("headers", {})}, catch_response=True,
                             **kw) as r:
            if r.status_code not in (200, 304):
                r.failure(f"HTTP {r.status_code}")
            return r

    def callback(self, body: dict, name: str):
        token = self.client.cookies.get("_csrf_token", "")
        with self.client.post("/_dash-update-component", json=body, name=name, catch_response=True,
                              headers={**ENCODINGS, "X-CSRFToken": token, "Referer": self.host + "/"}) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
            return r

    def details(self, feed, name: str):
        """The details of one page of cards (25), as the page asks for those it draws: a page chosen at
        random, so the answers are not all one cached body."""
        first = random.randrange(1, max(2, self.locations - 25))
        ids = ",".join(f"loc-{i}" for i in range(first, first + 25))
        version = feed.group(0).split("?v=")[1] if feed else ""
        self.get(f"/api/details?ids={ids}&v={version}", name)

    def startup(self, kind: str) -> str:
        """The page and what Dash asks for before anything shows; returns the router's answer."""
        self.get("/_dash-layout", f"{kind}: dash layout")
        self.dependencies = self.get("/_dash-dependencies", f"{kind}: dash dependencies").json()
        page = self.callback(ROUTER, f"{kind}: page callback").text
        self.callback(SHELL, f"{kind}: shell callback")
        self.callback(near(self.dependencies, "", None), f"{kind}: near callback (empty)")
        return page


class FirstVisitor(Newcomer):
    """Nothing cached, no cookie: everything the page names is fetched."""

    @task
    def first_visit(self):
        self.client.cookies.clear()
        html = self.get("/", "first: page").text
        for url in re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="(/[^"]+)"', html):
            self.get(url, "first: static file")
        page = self.startup("first")
        feed = re.search(r'/api/locations\.feed\?v=\w+', page)
        outlines = re.search(r'/api/neighbourhoods\.geojson\?v=\w+', page)
        self.get(feed.group(0) if feed else "/api/locations.feed", "first: locations feed")
        self.details(feed, "first: card details")
        if outlines:
            self.get(outlines.group(0), "first: outlines")
        for chunk in ASYNC_CHUNKS:
            self.get(chunk, "first: static file")
        for path in ("/sw.js", "/manifest.webmanifest", "/api/places.json"):
            self.get(path, "first: offline worker")


class ReturningVisitor(Newcomer):
    """Static files cached: the page, Dash's startup, the feed revalidated, then a "near" search."""

    etag = ""
    clicks = 0

    def on_start(self):
        self.client.get("/", headers=ENCODINGS, name="setup")
        r = self.client.get("/api/locations.feed", headers=ENCODINGS, name="setup")
        self.etag = r.headers.get("ETag", "")

    @task
    def return_visit(self):
        self.get("/", "return: page")
        page = self.startup("return")
        feed = re.search(r'/api/locations\.feed\?v=\w+', page)
        r = self.get(feed.group(0) if feed else "/api/locations.feed", "return: feed (revalidated)",
                     headers={"If-None-Match": self.etag})
        self.etag = r.headers.get("ETag", self.etag)
        self.clicks += 1
        self.callback(near(self.dependencies, "Alberta Avenue", self.clicks), "return: near search")
        self.details(feed, "return: card details")  # the near search drew another page of cards


def group(name: str) -> str:
    return "first" if name.startswith("first") else "return" if name.startswith("return") else "setup"


def run(host: str, classes, users: int, seconds: float, server_pid: int) -> dict:
    """One bounded locust run; per kind of visitor: latencies (ms) and errors; peak memory per worker."""
    env = Environment(user_classes=classes, host=host)
    seen: dict[str, dict] = {}

    def on_request(request_type, name, response_time, response_length, exception, **_kw):
        g = seen.setdefault(group(name), {"ms": [], "errors": 0, "bytes": 0, "why": {}, "by_name": {}})
        g["ms"].append(response_time)
        g["by_name"].setdefault(name, []).append(response_time)
        g["bytes"] += response_length or 0
        if exception is not None:
            g["errors"] += 1
            why = f"{name}: {str(exception)[:90]}"
            g["why"][why] = g["why"].get(why, 0) + 1

    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    peak: dict[int, int] = {}

    def watch():
        while True:
            for child in psutil.Process(server_pid).children(recursive=True):
                try:
                    peak[child.pid] = max(peak.get(child.pid, 0), child.memory_info().rss)
                except psutil.NoSuchProcess:
                    pass
            gevent.sleep(0.5)

    watcher = gevent.spawn(watch)
    started = time.time()
    runner.start(users, spawn_rate=max(1, users / 5))
    gevent.sleep(seconds)
    runner.quit()
    elapsed = time.time() - started
    watcher.kill()
    seen.pop("setup", None)
    return {"groups": seen, "elapsed": elapsed, "peak": peak}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def warm_feed(base: str) -> None:
    """Each worker builds and compresses the feed once per directory version: not a visitor's cost."""
    for _ in range(8):
        requests.get(base + "/api/locations.feed", headers=ENCODINGS, timeout=120)


def postgres_schema(base_url: str):
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    plain = base_url.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base_url else "?"

    def drop():
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    return f"{base_url}{sep}options=-csearch_path%3D{schema}", drop


def line(label: str, result: dict, kind: str, target_ms: float | None) -> str:
    g = result["groups"].get(kind)
    if not g or not g["ms"]:
        return f"  {label:28} {kind:6} no requests"
    p95 = pct(g["ms"], 0.95)
    verdict = "" if target_ms is None else f"  (p95 target < {target_ms:.0f} ms: {'met' if p95 < target_ms else 'NOT met'})"
    return (f"  {label:28} {kind:6} {len(g['ms']):6} req {g['errors']:4} err {len(g['ms']) / result['elapsed']:6.1f} req/s"
            f"  p50 {pct(g['ms'], 0.5):5.0f}  p95 {p95:5.0f}  p99 {pct(g['ms'], 0.99):5.0f} ms"
            f"  {g['bytes'] / len(g['ms']) / 1e3:6.1f} KB/req{verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--first", type=int, default=10, help="of the users, how many are first-time visitors")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--alone-seconds", type=float, default=10.0)
    parser.add_argument("--locations", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default=os.environ.get("ELIP_TEST_POSTGRES_URL",
                                                                 "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    FirstVisitor.fixed_count = args.first
    rows = []
    with tempfile.TemporaryDirectory(prefix="elip-load-") as tmp:
        for backend in args.backends.split(","):
            drop = None
            if backend == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'load.sqlite3'}"
            else:
                url, drop = postgres_schema(args.postgres_url)
            try:
                build_directory(url, args.locations)
                Newcomer.locations = args.locations
                with gunicorn_server(url, env={"ELIP_TILE_URL": ""}) as (proc, base):
                    warm_feed(base)
                    alone_first = run(base, [FirstVisitor], 1, args.alone_seconds, proc.pid)
                    alone_return = run(base, [ReturningVisitor], 1, args.alone_seconds, proc.pid)
                    crowd = run(base, [FirstVisitor, ReturningVisitor], args.users, args.seconds, proc.pid)
            finally:
                if drop:
                    drop()
            rows.append((backend, alone_first, alone_return, crowd))

    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (locust shares them with the server)")
    print(f"{args.locations:,} locations; {args.users} users ({args.first} first-time, "
          f"{args.users - args.first} returning), {args.seconds:.0f} s, think time 1-3 s, 2 gunicorn workers (gthread, 4)")
    for backend, alone_first, alone_return, crowd in rows:
        print(f"\n{backend}")
        print(line("one user alone", alone_first, "first", None))
        print(line("one user alone", alone_return, "return", None))
        print(line(f"{args.users} users", crowd, "first", 500))
        print(line(f"{args.users} users", crowd, "return", 200))
        for kind in ("first", "return"):
            g = crowd["groups"].get(kind, {})
            slow = sorted(((pct(v, .95), n) for n, v in g.get("by_name", {}).items()), reverse=True)[:3]
            print(f"  slowest ({kind}, p95): " + ", ".join(f"{n.split(': ', 1)[-1]} {ms:.0f} ms" for ms, n in slow))
            for why, count in sorted(g.get("why", {}).items(), key=lambda kv: -kv[1])[:3]:
                print(f"  error x{count}: {why}")
        for pid, rss in sorted(crowd["peak"].items()):
            mb = rss / 2**20
            print(f"  worker {pid}: peak resident memory {mb:.0f} MB (target < 250 MB: {'met' if mb < 250 else 'NOT met'})")
    print(json.dumps({b: {k: {"p50": pct(v["ms"], .5), "p95": pct(v["ms"], .95), "p99": pct(v["ms"], .99),
                              "errors": v["errors"], "rps": len(v["ms"]) / c["elapsed"]}
                          for k, v in c["groups"].items()} for b, _a, _r, c in rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
