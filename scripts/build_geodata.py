"""Build the derived reference files in geodata/ from a folder of City of Edmonton originals.

    python scripts/build_geodata.py --mirror ../shared/geodata

A thin wrapper: the work is done by elip_map.refdata (the same code as `elip-map refresh --mirror`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from elip_map.paths import GEODATA_DIR
from elip_map.refdata.refresh import refresh_geodata
from elip_map.refdata.sources import RefDataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True, help="folder holding the original files")
    parser.add_argument("--out", type=Path, default=GEODATA_DIR, help="folder to write (default: geodata/)")
    args = parser.parse_args(argv)
    try:
        report = refresh_geodata(args.out, mirror=args.mirror)
    except RefDataError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
