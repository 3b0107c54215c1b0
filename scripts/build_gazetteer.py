"""Build geodata/gazetteer.csv: named places from the shipped open data (see
elip_map/geocoding/gazetteer_build.py for the sources).

Usage: python scripts/build_gazetteer.py [MIRROR_DIR] [--out geodata/gazetteer.csv]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from elip_map.geocoding.gazetteer import GAZETTEER_PATH, write_places
from elip_map.geocoding.gazetteer_build import STOPS_NAME, build_places
from elip_map.paths import PROJECT_ROOT


def mirror_dir(arg: Path | None) -> Path:
    if arg:
        return arg
    mirror = os.environ.get("ELIP_DATA_MIRROR")
    return Path(mirror) if mirror else PROJECT_ROOT.parent / "shared" / "geodata"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mirror", nargs="?", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=GAZETTEER_PATH)
    args = ap.parse_args(argv)
    mirror = mirror_dir(args.mirror)
    if not (mirror / STOPS_NAME).is_file():
        print(f"stops file not found in {mirror}", file=sys.stderr)
        return 2
    places = build_places(mirror)
    write_places(args.out, places)
    counts = Counter(p.kind for p in places)
    print(f"{len(places)} places: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
