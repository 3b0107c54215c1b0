"""Server under load: `elip-map serve --workers 2` with 50 concurrent users on 127.0.0.1.

Each simulated user loads the newcomer page the way the browser does (the HTML, Dash's layout and
dependencies, the page-router callback, the locations GeoJSON), pauses as a reader would, and does it
again. Printed: requests per second, median and p95 latency, and each worker's resident memory,
beside the same page load made by one user alone in the same run (the baseline). Targets
(PRODUCT.md): p95 under 200 ms with 50 users; each worker under 300 MB.

    .venv/bin/python bench/bench_server.py [--users 50] [--seconds 20] [--think 1.0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time

import psutil
import requests
from _newcomer import gunicorn_server

from elip_map.testing import page_body

ROUTER = page_body("/")  # the request Dash's page router makes when the browser opens "/"


def page_load(session: requests.Session, base: str, timings: list[float]) -> None:
    """One newcomer page load: every request the page makes to the server, each timed."""
    def timed(method, path, **kw):
        t0 = time.perf_counter()
        r = session.request(method, base + path, timeout=30, **kw)
        timings.append(time.perf_counter() - t0)
        r.raise_for_status()
        return r

    timed("GET", "/")
    timed("GET", "/_dash-layout")
    timed("GET", "/_dash-dependencies")
    token = session.cookies.get("_csrf_token", "")
    timed("POST", "/_dash-update-component", json=ROUTER, headers={"X-CSRFToken": token, "Referer": base + "/"})
    timed("GET", "/api/locations.geojson", headers={"Accept-Encoding": "gzip"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think", type=float, default=1.0, help="pause between a user's page loads (s)")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="elip-bench-")
    with gunicorn_server(f"sqlite:///{tmp}/bench.sqlite3", start_timeout=120) as (server, base):
        alone: list[float] = []
        with requests.Session() as s:
            for _ in range(10):
                page_load(s, base, alone)

        timings: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.time() + args.seconds

        def user(k: int) -> None:
            mine: list[float] = []
            with requests.Session() as s:
                time.sleep(args.think * k / args.users)  # users arrive spread over one pause
                while time.time() < stop:
                    try:
                        page_load(s, base, mine)
                    except requests.RequestException as exc:
                        with lock:
                            errors.append(str(exc)[:120])
                    time.sleep(args.think)
            with lock:
                timings.extend(mine)

        threads = [threading.Thread(target=user, args=(k,)) for k in range(args.users)]
        started = time.time()
        for t in threads:
            t.start()
        peak_rss: dict[int, int] = {}
        while any(t.is_alive() for t in threads):
            for child in psutil.Process(server.pid).children(recursive=True):
                try:
                    peak_rss[child.pid] = max(peak_rss.get(child.pid, 0), child.memory_info().rss)
                except psutil.NoSuchProcess:
                    pass
            time.sleep(0.5)
        elapsed = time.time() - started

    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))] * 1000

    p95, alone_p95 = pct(timings, 0.95), pct(alone, 0.95)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the load generator shares the machine)")
    print(f"{args.users} users for {elapsed:.0f} s against 2 workers: {len(timings)} requests "
          f"({len(timings) / elapsed:.0f}/s), {len(errors)} errors")
    print(f"  latency median {statistics.median(timings) * 1000:.0f} ms, p95 {p95:.0f} ms "
          f"(target < 200 ms: {'met' if p95 < 200 else 'NOT met'})")
    print(f"  baseline, one user alone: median {statistics.median(alone) * 1000:.0f} ms, p95 {alone_p95:.0f} ms "
          f"-> p95 ratio under load {p95 / alone_p95:.1f}x")
    for pid, rss in sorted(peak_rss.items()):
        mb = rss / 2**20
        print(f"  worker {pid}: peak resident memory {mb:.0f} MB (target < 300 MB: {'met' if mb < 300 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
