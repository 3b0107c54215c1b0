"""Neighbourhood and ward of a point, by point-in-polygon on the City's boundaries.

CONTRACT (used by geocoding and import; implementation owned by the reference-data work):
``assign_neighbourhoods(lats, lons)`` returns one :class:`NeighbourhoodMatch` per point, in order;
a point outside every neighbourhood gets ``outside_city=True`` and no number/name/ward.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NeighbourhoodMatch:
    number: str | None
    name: str | None
    ward: str | None
    outside_city: bool


def assign_neighbourhoods(lats: Sequence[float], lons: Sequence[float]) -> list[NeighbourhoodMatch]:
    raise NotImplementedError("implemented by the reference-data work")
