"""Neighbourhoods as coverage zones: a representative point in metres, demand figures and map geometry.

The point is each neighbourhood's ``representative_point`` computed in the metric CRS (always inside
the polygon, unlike a centroid of a crescent-shaped neighbourhood). A population-weighted point would
be better, but the open data has no population below the neighbourhood level to weight with.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry import mapping

from ..refdata import load_demand, load_neighbourhoods
from ..refdata.boundaries import read_neighbourhoods, simplify_coverage
from ..refdata.demand import (DWELLING_LANGUAGE_COLUMNS, build_demand, read_age_gender, read_citizenship,
                              read_dwelling_language)
from ..refdata.sources import find_in_mirror
from ..spatial.crs import METRIC, WGS84
from .view import Zones

if TYPE_CHECKING:  # imported where used: heavy, and a web worker never needs them
    import pandas as pd

NEWCOMERS_COLUMN = "not_canadian_citizens_2021"


def build_zones(neighbourhoods_gdf, demand: pd.DataFrame, language_columns: dict[str, str]) -> Zones:
    """Zones from a boundaries GeoDataFrame and the demand table, joined on neighbourhood_number.

    Parameters
    ----------
    neighbourhoods_gdf : geopandas.GeoDataFrame
        Columns neighbourhood_number, name (or neighbourhood), ward; any CRS with a defined ``crs``.
    demand : pandas.DataFrame
        One row per neighbourhood_number with ``not_canadian_citizens_2021`` and the dwelling columns
        named in ``language_columns``; missing figures are NA (unknown, never 0).
    language_columns : dict
        ISO 639 code -> demand column of 2016 dwellings speaking it.

    Returns
    -------
    Zones
        In the boundaries' order; a neighbourhood absent from ``demand`` has unknown (NaN) demand.

    Example
    -------
    >>> zones = build_zones(gdf, demand, {"ar": "dwellings_arabic_2016"})   # doctest: +SKIP
    >>> zones.newcomers[:2]                                                  # doctest: +SKIP
    """
    import pandas as pd  # delayed: pandas is 33 MB in every web worker; only the coverage page reads tables
    gdf = neighbourhoods_gdf
    numbers = tuple(str(n) for n in gdf["neighbourhood_number"])
    name_col = "name" if "name" in gdf.columns else "neighbourhood"
    names = tuple(str(n) for n in gdf[name_col])
    wards = tuple("" if pd.isna(w) else str(w) for w in gdf["ward"]) if "ward" in gdf.columns else ("",) * len(numbers)
    metric = gdf.to_crs(METRIC).geometry.values
    points = shapely.point_on_surface(np.asarray(metric, dtype=object))
    x, y = shapely.get_x(points), shapely.get_y(points)
    geoms = gdf.to_crs(WGS84).geometry.values if gdf.crs is not None else gdf.geometry.values

    table = demand.copy()
    table["neighbourhood_number"] = table["neighbourhood_number"].astype(str)
    table = table.drop_duplicates("neighbourhood_number").set_index("neighbourhood_number").reindex(list(numbers))

    def figures(column: str) -> np.ndarray:
        return pd.to_numeric(table[column], errors="coerce").astype(float).to_numpy(na_value=np.nan)

    return Zones(
        number=numbers, name=names, ward=wards, x=np.asarray(x, dtype=float), y=np.asarray(y, dtype=float),
        newcomers=figures(NEWCOMERS_COLUMN),
        language_dwellings={code: figures(col) for code, col in language_columns.items() if col in table.columns},
        language_columns=dict(language_columns),
        geometry=tuple(mapping(g) for g in geoms),
    )


def zones_from_mirror(mirror) -> Zones:
    """Zones built straight from the City's files in a mirror folder (boundaries simplified in metres).

    Uses the reference-data building blocks; about 2 s for the 406 neighbourhoods, so callers keep
    the result (the page keeps one per app, the CLI one per run).
    """
    files = find_in_mirror(Path(mirror))
    simplified, _figures = simplify_coverage(read_neighbourhoods(files["neighbourhoods"]))
    tables = build_demand(simplified, read_citizenship(files["citizenship_2021"]),
                          read_age_gender(files["age_gender_2021"]),
                          read_dwelling_language(files["dwelling_language_2016"]))
    import geopandas as gpd  # delayed: only this rarely used path builds a GeoDataFrame here

    gdf = gpd.GeoDataFrame(
        {"neighbourhood_number": [n.number for n in simplified], "name": [n.name for n in simplified],
         "ward": [n.ward for n in simplified]},
        geometry=[n.geometry for n in simplified], crs=WGS84)
    return build_zones(gdf, tables.demand, DWELLING_LANGUAGE_COLUMNS)


def load_zones(mirror=None) -> Zones:
    """The coverage zones the app and the CLI use.

    From ``mirror`` (a folder of the City's original files) when given; otherwise from the reference
    data's loaders (the compact copy in the project's ``geodata/``).
    """
    if mirror is not None:
        return zones_from_mirror(mirror)
    return build_zones(load_neighbourhoods(), load_demand(), DWELLING_LANGUAGE_COLUMNS)
