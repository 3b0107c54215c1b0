"""Canadian postal codes to a point, offline.

What ships: ``geodata/postal_fsa_edmonton.csv``, the centre points of the forward sortation areas
(the first three characters, "T5J") of the Edmonton region, extracted by ``python -m
elip_map.geocoding.postal`` from the PyPI package ``countrystatecity-postal-codes`` (data from the
countries-states-cities database, Open Database License 1.0; attribution: "Postal-code data ©
countrystatecity.in contributors, ODbL 1.0"). The extract is therefore ODbL too.

Why only FSAs: no package on the registries reachable here ships full six-character Canadian
codes with coordinates under a clear licence (the GeoNames full Canadian file is a download, which
the app must not do at run time). An FSA point is low precision: an Edmonton FSA spans several
kilometres, so on its own it never puts a directory location on the public map; it serves as a
rough origin for "near me" searches and as a sanity check on street geocodes. A full-code table
in the same CSV format (``code,locality,lat,lon`` with "T5J 2R7" codes) is used when present.
"""

from __future__ import annotations

import csv
import functools
import sys
from dataclasses import dataclass
from pathlib import Path

from ..paths import GEODATA_DIR
from ..rules.postal import postal_or_fsa
from ..rules.region import REGION_BBOX, in_region  # noqa: F401  (re-exported for the geocoder's callers)

FSA_PATH = GEODATA_DIR / "postal_fsa_edmonton.csv"
FULL_PATH = GEODATA_DIR / "postal_codes_edmonton.csv"   # optional: full codes, same columns


# Typical error of a point by postal-code level. An Edmonton FSA is 3-6 km across; a full code is
# a block face or a building (Statistics Canada points: 88 % within 200 m, Bow et al. 2004).
FSA_PRECISION_M = 3000.0
FULL_PRECISION_M = 250.0


@dataclass(frozen=True)
class PostalHit:
    code: str
    lat: float
    lon: float
    precision_m: float
    level: str        # "full" or "fsa"
    locality: str


def _read(path: Path) -> dict[str, tuple[float, float, str]]:
    out: dict[str, tuple[float, float, str]] = {}
    if not path.is_file():
        return out
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["code"].strip().upper()] = (float(row["lat"]), float(row["lon"]), row.get("locality", ""))
    return out


class PostalIndex:
    """Postal code -> point; tries the full code, then its forward sortation area."""

    def __init__(self, fsa: dict, full: dict | None = None):
        self._fsa = fsa
        self._full = full or {}

    @property
    def has_full_codes(self) -> bool:
        return bool(self._full)

    def lookup(self, code: str | None) -> PostalHit | None:
        """``lookup("t5j 2r7")`` -> the full code's point if known, else the T5J area's centre."""
        norm = postal_or_fsa(code)
        if not norm:
            return None
        if len(norm) == 7 and norm in self._full:
            lat, lon, loc = self._full[norm]
            return PostalHit(norm, lat, lon, FULL_PRECISION_M, "full", loc)
        fsa = norm[:3]
        if fsa in self._fsa:
            lat, lon, loc = self._fsa[fsa]
            return PostalHit(fsa, lat, lon, FSA_PRECISION_M, "fsa", loc)
        return None

    def is_known_fsa(self, code: str | None) -> bool:
        norm = postal_or_fsa(code)
        return bool(norm) and norm[:3] in self._fsa


@functools.lru_cache(maxsize=4)
def load_postal_index(fsa_path: Path | None = None, full_path: Path | None = None) -> PostalIndex:
    """The shipped tables (read-only, loaded once per process)."""
    return PostalIndex(_read(Path(fsa_path or FSA_PATH)), _read(Path(full_path or FULL_PATH)))


def build_fsa_extract(out: Path = FSA_PATH) -> int:
    """Write the Edmonton-region FSA centres from the registry package; returns the row count."""
    # delayed: a maintenance-only package (pip install '.[maintenance]'), never needed at run time
    from countrystatecity_postal_codes import get_postcodes_of_country

    rows = []
    for p in get_postcodes_of_country("CA"):
        if p.latitude is None or p.longitude is None:
            continue
        if in_region(p.latitude, p.longitude):
            rows.append((p.code.upper(), p.localityName, round(p.latitude, 5), round(p.longitude, 5)))
    rows.sort()
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "locality", "lat", "lon"])
        w.writerows(rows)
    return len(rows)


if __name__ == "__main__":   # python -m elip_map.geocoding.postal  (refresh the shipped extract)
    n = build_fsa_extract()
    print(f"wrote {n} forward sortation areas to geodata/{FSA_PATH.name}")
    sys.exit(0)
