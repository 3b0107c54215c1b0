"""Reference data from the City of Edmonton open data: neighbourhood boundaries and census demand.

The compact files in ``geodata/`` are built by :func:`build_geodata` (``scripts/build_geodata.py``,
``elip-map refresh``); the app reads them once at start with the loaders below, which are read-only and
cheap (about 0.1 s for the boundaries).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..paths import GEODATA_DIR
from ..spatial.neighbourhoods import read_boundaries
from .build import DEMAND_FILE, MANIFEST_FILE, UNMATCHED_FILE, build_geodata
from .demand import DEMAND_COLUMNS, DWELLING_LANGUAGE_COLUMNS, DWELLINGS_TOTAL_COLUMN, INDIGENOUS_LANGUAGES_COLUMN
from .sources import ATTRIBUTION, LICENCE, RefDataError

if TYPE_CHECKING:  # imported where used: heavy, and a web worker never needs them
    import pandas as pd

__all__ = [
    "ATTRIBUTION", "LICENCE", "DEMAND_COLUMNS", "DWELLING_LANGUAGE_COLUMNS", "DWELLINGS_TOTAL_COLUMN",
    "INDIGENOUS_LANGUAGES_COLUMN", "RefDataError", "build_geodata", "dwelling_column_for",
    "load_demand", "load_manifest", "load_neighbourhoods", "load_unmatched",
]


def _file(geodata_dir: Path | str, name: str) -> Path:
    path = Path(geodata_dir) / name
    if not path.is_file():
        raise RefDataError(f"{path.name} is missing from {Path(geodata_dir).name}/: run `elip-map refresh` "
                           "(or scripts/build_geodata.py) to build the reference data.")
    return path


def load_neighbourhoods(geodata_dir: Path | str = GEODATA_DIR):
    """The current neighbourhood boundaries as a GeoDataFrame in EPSG:4326 (see
    :func:`elip_map.spatial.neighbourhoods.read_boundaries`); a missing file is a RefDataError."""
    try:
        return read_boundaries(geodata_dir)
    except FileNotFoundError as exc:
        raise RefDataError(str(exc)) from None


def load_demand(geodata_dir: Path | str = GEODATA_DIR) -> pd.DataFrame:
    """Census demand per current neighbourhood (one row each), missing figures as <NA> (not 0).

    ``neighbourhood_number`` is text, counts are nullable integers (``Int64``); see geodata/README.md
    for each column. Dwellings speaking a language: ``demand[dwelling_column_for("ar")]``.

    Example
    -------
    >>> demand = load_demand()
    >>> int(demand.loc[demand.neighbourhood == "Downtown", "not_canadian_citizens_2021"].iloc[0])
    2075
    """
    import pandas as pd  # delayed: pandas is 33 MB in every web worker; only builds and coverage read tables
    frame = pd.read_csv(_file(geodata_dir, DEMAND_FILE), dtype=str, keep_default_na=False, encoding="utf-8")
    text_columns = {"neighbourhood_number", "neighbourhood", "ward", "district", "census_2021_status",
                    "census_2016_status"}
    for column in frame.columns:
        if column not in text_columns:
            frame[column] = pd.to_numeric(frame[column].where(frame[column] != ""), errors="raise").astype("Int64")
    return frame


def load_unmatched(geodata_dir: Path | str = GEODATA_DIR) -> pd.DataFrame:
    """Census neighbourhoods with no current boundary and current ones with no census row, per table."""
    import pandas as pd  # delayed: as above
    return pd.read_csv(_file(geodata_dir, UNMATCHED_FILE), dtype=str, keep_default_na=False)


def load_manifest(geodata_dir: Path | str = GEODATA_DIR) -> dict:
    """The build manifest: ``built_on``, input/output sha256, simplification and unmatched figures."""
    return json.loads(_file(geodata_dir, MANIFEST_FILE).read_text(encoding="utf-8"))


def dwelling_column_for(language_code: str) -> str | None:
    """The demand column counting dwellings that speak a language (2016), or None if not counted.

    Example: ``dwelling_column_for("pa") == "dwellings_punjabi_2016"``; ``dwelling_column_for("so") is None``.
    Accepts a region-qualified code too (``"zh-Hans"`` -> Mandarin).
    """
    if not language_code:
        return None
    base = str(language_code).strip().replace("_", "-").split("-")[0].lower()
    return DWELLING_LANGUAGE_COLUMNS.get(base)
