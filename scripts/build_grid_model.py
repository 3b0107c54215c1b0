"""Build geodata/grid_model.json from the ETS stops file and print its held-out accuracy.

Usage: python scripts/build_grid_model.py [STOPS_FILE] [--out geodata/grid_model.json]
Default stops file: $ELIP_DATA_MIRROR/ets_bus_stops_2026-07.txt, else ../shared/geodata/.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from elip_map.geocoding.grid import DEFAULT_MODEL_PATH, build_grid_model, check_aliases, read_stop_intersections
from elip_map.paths import PROJECT_ROOT

STOPS_NAME = "ets_bus_stops_2026-07.txt"


def default_stops() -> Path:
    mirror = os.environ.get("ELIP_DATA_MIRROR")
    base = Path(mirror) if mirror else PROJECT_ROOT.parent / "shared" / "geodata"
    return base / STOPS_NAME


def stops_and_out(doc: str, default_out: Path, argv: list[str] | None) -> tuple[Path, Path] | None:
    """STOPS_FILE and --out, as both model builders take them; None (having said why) without a stops file."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("stops", nargs="?", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=default_out)
    args = ap.parse_args(argv)
    stops = args.stops or default_stops()
    if not stops.is_file():
        print(f"stops file not found: {stops}", file=sys.stderr)
        return None
    return stops, args.out


def print_written(out: Path) -> None:
    print(f"wrote {out.relative_to(PROJECT_ROOT) if out.is_relative_to(PROJECT_ROOT) else out} "
          f"({out.stat().st_size // 1024} KB)")


def main(argv: list[str] | None = None) -> int:
    found = stops_and_out(__doc__, DEFAULT_MODEL_PATH, argv)
    if found is None:
        return 2
    stops, out = found
    model, report = build_grid_model(stops)
    print(f"intersections from stop names: {model.meta['intersections']}; "
          f"fit split {report['fit_points']} (dropped {report['fit_dropped']} inconsistent), "
          f"held-out {report['n']}")
    print(f"held-out: placed {report['placed']}, refused {report['refused']} (outside calibrated area)")
    print(f"held-out error: median {report['median_m']:.0f} m, p90 {report['p90_m']:.0f} m, "
          f"within 250 m {report['within_250m']:.1%}, max {report['max_m']:.0f} m, over 1 km {report['over_1km']}")
    a, b = report["precision_coef"]
    cal = report["precision_calibration"]
    print(f"precision model: {a:.0f} m + {b:.3f} x support (m), calibrated on {cal['folds']} folds of the fit split "
          f"({cal['answers']} answers, {cal['within']:.0%} within it); held-out error within it: "
          f"{report['within_precision']:.0%}")
    for alias, fig in check_aliases(read_stop_intersections(stops)).items():
        print(f"alias check {alias}: {fig['compared']} stop corners, median {fig['median_m']:.0f} m from the grid line")
    print(f"control points shipped: {model.meta['control_points']} "
          f"(dropped as inconsistent: {', '.join(model.meta['dropped_as_inconsistent']) or 'none'})")
    model.save(out)
    print_written(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
