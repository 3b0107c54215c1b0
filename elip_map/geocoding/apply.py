"""Geocode directory locations in place (import and `elip-map geocode` both come through here).

CONTRACT (implementation owned by the geocoding work):
``geocode_locations(session, locations, *, settings=None, force=False) -> GeocodeSummary``
sets each location's coordinates, geocode provenance (method, precision_m, confidence, source,
geocoded_at, status, note), and neighbourhood/ward/outside_city; skips locations whose address
did not change since their last geocode unless ``force``; never touches status ``manual`` pins.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class GeocodeSummary:
    by_method: Counter = field(default_factory=Counter)
    needs_attention: int = 0
    skipped_unchanged: int = 0


def geocode_locations(session, locations, *, settings=None, force=False) -> GeocodeSummary:
    """Placeholder until the geocoding work lands: every location without a pin needs attention."""
    summary = GeocodeSummary()
    for loc in locations:
        if loc.geocode_status == "manual":
            continue
        if loc.latitude is None:
            loc.geocode_status = "needs-attention"
            summary.needs_attention += 1
    return summary
