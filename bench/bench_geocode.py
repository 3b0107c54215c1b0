"""Geocoding benchmark: accuracy on held-out stop intersections and offline speed on 10,000 rows.

Prints figures beside a simple baseline run in the same process:
- accuracy baseline: one global affine map from grid numbers to lat/lon (least squares on the
  fit split), the "formula" a hand-written grid geocoder would use;
- speed baseline: a naive per-address loop (parse, then locate one point at a time).

Usage: python bench/bench_geocode.py [STOPS_FILE]   (default: ../shared/geodata/, or $ELIP_DATA_MIRROR)
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

import numpy as np

from elip_map.geocoding.chain import geocode_batch
from elip_map.geocoding.grid import (MAX_SUPPORT_M, GridModel, clean_control_points, evaluate, haversine_m,
                                     load_grid_model, read_stop_intersections, split_points)
from elip_map.geocoding.parse import parse_address
from elip_map.paths import PROJECT_ROOT

STOPS_NAME = "ets_bus_stops_2026-07.txt"


def _stops_path() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    mirror = os.environ.get("ELIP_DATA_MIRROR")
    return (Path(mirror) if mirror else PROJECT_ROOT.parent / "shared" / "geodata") / STOPS_NAME


def _figures(err: np.ndarray) -> str:
    return (f"median {np.median(err):6.0f} m | p90 {np.percentile(err, 90):6.0f} m | "
            f"within 250 m {np.mean(err <= 250):6.1%} | max {np.max(err):6.0f} m | over 1 km {int(np.sum(err > 1000))}")


def accuracy(stops: Path) -> None:
    points = read_stop_intersections(stops)
    fit, held = split_points(points)
    fit, dropped = clean_control_points(fit)
    rep = evaluate(GridModel.fit(fit), held)
    ok = ~np.isnan(rep["errors"]) & (rep["support"] <= MAX_SUPPORT_M)
    print(f"held-out intersections: {rep['n']} (fit on {len(fit)}, {len(dropped)} dropped as inconsistent)")
    print(f"  grid model (placed {ok.sum()}, refused {rep['n'] - ok.sum()}): {_figures(rep['errors'][ok])}")
    # Baseline: a global affine map, applied to every held-out point (it never refuses).
    A = np.column_stack([[p.east for p in fit], [p.north for p in fit], np.ones(len(fit))])
    cl, *_ = np.linalg.lstsq(A, [p.lat for p in fit], rcond=None)
    co, *_ = np.linalg.lstsq(A, [p.lon for p in fit], rcond=None)
    B = np.column_stack([[p.east for p in held], [p.north for p in held], np.ones(len(held))])
    base = haversine_m(B @ cl, B @ co, [p.lat for p in held], [p.lon for p in held])
    print(f"  baseline global affine (placed {len(held)}):        {_figures(base)}")
    print(f"  median error ratio baseline/grid: {np.median(base) / np.median(rep['errors'][ok]):.1f}x")


def synthetic_addresses(n: int, seed: int = 7) -> list[tuple[str, None, None]]:
    """Civic addresses and intersections in the usual typed forms, inside the calibrated grid."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        ave, street = rng.randint(60, 160), rng.randint(20, 180)
        form = rng.random()
        if form < 0.4:
            rows.append((f"{street * 100 + rng.randint(1, 99)} {ave} Avenue NW", None, None))
        elif form < 0.7:
            rows.append((f"Suite {rng.randint(100, 400)}, {ave * 100 + rng.randint(1, 99)} {street} St", None, None))
        elif form < 0.9:
            rows.append((f"{street} Street & {ave} Avenue", None, None))
        else:
            rows.append((f"{ave * 100 + rng.randint(1, 99)}-{street}A Street", None, None))
    return rows


def speed() -> None:
    rows = synthetic_addresses(10_000)
    model = load_grid_model()
    geocode_batch(rows[:10])  # warm-up: load model and tables once, as a running app would have
    t0 = time.perf_counter()
    results = geocode_batch(rows)
    chain_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for a, _, _ in rows:   # baseline: the naive loop, one locate call per address
        xy = parse_address(a).grid_xy()
        if xy is not None:
            model.locate([xy[0]], [xy[1]])
    naive_s = time.perf_counter() - t0
    placed = sum(r.status == "ok" for r in results)
    print(f"10,000 addresses offline: chain {chain_s:.2f} s (target < 5 s), {placed} placed | "
          f"naive per-address loop {naive_s:.2f} s | ratio naive/chain {naive_s / chain_s:.1f}x")
    # The importer's path: geocode_locations on 10,000 unsaved Location objects (provenance and
    # neighbourhood assignment included; the database write is the importer's and not timed here).
    from elip_map.directory.models import Address, Location, Organization
    from elip_map.geocoding.apply import geocode_locations

    org = Organization(name="bench", name_key="bench")
    locs = []
    for i, (a, _, _) in enumerate(rows):
        loc = Location(organization=org, location_key=str(i))
        loc.addresses.append(Address(address_1=a, city="Edmonton"))
        locs.append(loc)
    t0 = time.perf_counter()
    summary = geocode_locations(None, locs)
    orm_s = time.perf_counter() - t0
    print(f"geocode_locations on 10,000 Location objects: {orm_s:.2f} s "
          f"({dict(summary.by_method)}, {summary.needs_attention} need attention)")


if __name__ == "__main__":
    stops = _stops_path()
    if not stops.is_file():
        print(f"stops file not found: {stops}", file=sys.stderr)
        sys.exit(2)
    accuracy(stops)
    speed()
