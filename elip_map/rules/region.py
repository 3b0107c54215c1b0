"""The Edmonton region this map serves: its centre and the box a placed point must fall in.

The box covers Edmonton and the municipalities around it whose residents use Edmonton's services
(St. Albert, Strathcona County, Spruce Grove, Stony Plain, Leduc, Beaumont, Fort Saskatchewan, Devon,
Morinville). It is deliberately independent of the neighbourhood file, so a point outside it is
refused as "not a place this map serves" whatever the boundaries say.
"""

from __future__ import annotations

EDMONTON_CENTER = (53.5461, -113.4938)  # City Hall, Sir Winston Churchill Square: where maps open
REGION_BBOX = (53.20, -114.10, 53.85, -113.10)  # south, west, north, east


def in_region(lat: float | None, lon: float | None) -> bool:
    """True for a point in the region box: in_region(53.54, -113.49) is True, in_region(51.05, -114.07) (Calgary) is False."""
    if lat is None or lon is None:
        return False
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return False
    s, w, n, e = REGION_BBOX
    return s <= lat <= n and w <= lon <= e
