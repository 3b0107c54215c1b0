"""The City of Edmonton open-data tables the reference data is built from, and where to get them.

Each source is found in a mirror folder by a file-name pattern (the mirror's names carry a date, the
newest wins) or downloaded from the open-data portal. The portal base address can be changed (env
``ELIP_OPEN_DATA_URL``) so tests can point it at a local server; nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORTAL_URL = "https://data.edmonton.ca"
PORTAL_URL_ENV = "ELIP_OPEN_DATA_URL"

LICENCE = "Open Government Licence – City of Edmonton"
ATTRIBUTION = "Contains information licensed under the Open Government Licence – City of Edmonton."


class RefDataError(Exception):
    """A reference-data input or output problem, worded for the person running the command."""


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    pattern: str  # glob in a mirror folder; the last match in name order (the newest date) is used
    local_name: str  # name given to a downloaded copy
    portal_path: str | None  # path under the portal base URL; None: no download address recorded yet
    page: str  # where a person reads about the dataset


SOURCES: tuple[Source, ...] = (
    Source(
        "neighbourhoods",
        "City of Edmonton - Neighbourhoods (dataset 65fr-66s6)",
        "edmonton_neighbourhoods_*.geojson",
        "edmonton_neighbourhoods.geojson",
        "/api/geospatial/65fr-66s6?method=export&format=GeoJSON",
        "https://data.edmonton.ca/d/65fr-66s6",
    ),
    Source(
        "citizenship_2021",
        "2021 federal census, citizenship by neighbourhood",
        "census2021_citizenship_by_neighbourhood*.csv",
        "census2021_citizenship_by_neighbourhood.csv",
        None,
        "https://data.edmonton.ca/browse?q=2021%20federal%20census%20citizenship",
    ),
    Source(
        "age_gender_2021",
        "2021 federal census, population by age and gender by neighbourhood",
        "census2021_age_gender_by_neighbourhood*.csv",
        "census2021_age_gender_by_neighbourhood.csv",
        None,
        "https://data.edmonton.ca/browse?q=2021%20federal%20census%20age%20gender",
    ),
    Source(
        "dwelling_language_2016",
        "2016 municipal census, dwelling units by language (dataset jsc3-gmwb)",
        "census2016_dwelling_language_by_neighbourhood*.csv",
        "census2016_dwelling_language_by_neighbourhood.csv",
        "/api/views/jsc3-gmwb/rows.csv?accessType=DOWNLOAD",
        "https://data.edmonton.ca/d/jsc3-gmwb",
    ),
)
SOURCE_KEYS = tuple(s.key for s in SOURCES)


def portal_url(environ: dict[str, str] | None = None) -> str:
    """The open-data portal base address: env ELIP_OPEN_DATA_URL, else the City's portal."""
    env = os.environ if environ is None else environ
    return (env.get(PORTAL_URL_ENV) or DEFAULT_PORTAL_URL).rstrip("/")


def find_in_mirror(mirror: Path) -> dict[str, Path]:
    """Each source's file in a mirror folder; a clear error naming what is missing.

    Example: ``find_in_mirror(Path("../shared/geodata"))["neighbourhoods"]``.
    """
    mirror = Path(mirror)
    if not mirror.is_dir():
        raise RefDataError(f"The data mirror folder {mirror} does not exist.")
    found: dict[str, Path] = {}
    missing = []
    for source in SOURCES:
        matches = sorted(p for p in mirror.glob(source.pattern) if p.is_file())
        if matches:
            found[source.key] = matches[-1]
        else:
            missing.append(f"{source.title} ({source.pattern})")
    if missing:
        raise RefDataError(f"The data mirror {mirror} lacks: " + "; ".join(missing) + ".")
    return found


def copy_capped(response, out, *, limit: int, what: str) -> str:
    """Copy a download into ``out`` in 1 MB blocks, refusing it once it passes ``limit`` bytes (a wrong
    address must not fill the disk); returns the SHA-256 of what was copied."""
    digest = hashlib.sha256()
    copied = 0
    while block := response.read(1 << 20):
        copied += len(block)
        if copied > limit:
            raise RefDataError(f"{what} sent more than {limit // 2**20} MB; refusing it.")
        digest.update(block)
        out.write(block)
    return digest.hexdigest()
