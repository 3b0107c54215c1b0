"""Coordinate reference systems: WGS84 for storage and the map, a metric CRS for distances and areas.

Why UTM zone 12N (EPSG:32612) and not the City's own 3TM (NAD83(CSRS) / Alberta 3TM 114 W, EPSG:3776):
UTM 12N is defined on WGS84, so going from EPSG:4326 to it is a pure projection with no datum shift.
That makes the result identical on every machine (no optional datum grids, no network lookup), which the
byte-for-byte reproducible reference-data build relies on. Edmonton (about 113.5 W) lies 2.5 degrees west
of the zone's central meridian: the scale error there is under 0.04 %, i.e. under 1 m over 2 km, far
below what matters for "services within 2 km". The 3TM's datum shift (about 1 m) would not matter either,
but its transformation depends on which PROJ grids are installed.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pyproj import Transformer

WGS84 = "EPSG:4326"
METRIC = "EPSG:32612"
# Longer aliases, for readers who prefer the explicit name.
WGS84_CRS = WGS84
METRIC_CRS = METRIC

# pyproj Transformers are not thread-safe: keep one per thread (read-only after creation).
_local = threading.local()


def _transformer(src: str, dst: str) -> Transformer:
    cache = getattr(_local, "cache", None)
    if cache is None:
        cache = _local.cache = {}
    key = (src, dst)
    if key not in cache:
        from pyproj import Transformer  # delayed: 11 MB in every web worker; only builds and coverage project

        cache[key] = Transformer.from_crs(src, dst, always_xy=True)
    return cache[key]


def to_metric(lons, lats) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitudes/latitudes (arrays or scalars) to METRIC x/y in metres.

    Example: ``x, y = to_metric([-113.4909], [53.5444])``. NaN stays NaN.
    """
    x, y = _transformer(WGS84, METRIC).transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_wgs84(xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`to_metric`: METRIC x/y in metres to WGS84 longitudes/latitudes."""
    lon, lat = _transformer(METRIC, WGS84).transform(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
