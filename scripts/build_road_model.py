"""Build geodata/road_model.json (named roads, grid edges) from the ETS stops and print its
held-out accuracy (model built without a hashed 20 % of stop names, measured on those).

Usage: python scripts/build_road_model.py [STOPS_FILE] [--out geodata/road_model.json]
Default stops file: $ELIP_DATA_MIRROR/ets_bus_stops_2026-07.txt, else ../shared/geodata/.
Needs geodata/grid_model.json (scripts/build_grid_model.py) first.
"""

from __future__ import annotations

import hashlib
import sys

from elip_map.geocoding.grid import load_grid_model
from elip_map.geocoding.roads import DEFAULT_ROAD_MODEL_PATH, build_road_model

from build_grid_model import print_written, stops_and_out  # the same stops file and --out as the grid model


def main(argv: list[str] | None = None) -> int:
    found = stops_and_out(__doc__, DEFAULT_ROAD_MODEL_PATH, argv)
    if found is None:
        return 2
    stops, out = found
    grid = load_grid_model()
    meta = {"source": stops.name, "source_sha256": hashlib.sha256(stops.read_bytes()).hexdigest(),
            "grid_model_sha256": grid.meta.get("source_sha256"),
            "licence": "Contains information licensed under the Open Government Licence - City of Edmonton."}
    model = build_road_model(stops, grid, meta=meta)
    model.save(out)
    named = sum(1 for k in model.roads if not k[0].isdigit())
    print(f"roads: {len(model.roads)} ({named} named, {len(model.roads) - named} numbered); "
          f"named crossings: {len(model.crossings)}; house-number stops off the grid rule: "
          f"{len(model.meta['house_stops_off_grid_rule'])}; crossings dropped (road crosses a line twice): "
          f"{model.meta['crossed_twice_dropped']}; roads followed through all their stops: {model.meta['paths']}")
    print_written(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
