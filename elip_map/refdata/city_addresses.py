"""The City's own address points and road centrelines: fetch, check complete, read.

Two City of Edmonton open datasets (Open Government Licence – City of Edmonton):
- "Property Assessment Data (Current Calendar Year)", Socrata id ``q7d6-ambg``: one row per property
  with its civic address and a point, CSV columns ``Account Number, Suite, House Number, Street Name,
  Garage, Neighbourhood ID, Neighbourhood, Ward, Assessed Value, Latitude, Longitude, Point Location,
  …`` (about 420,000 rows);
- "Road Network centrelines", id ``9j8t-zm52``, GeoJSON (about 54,000 named segments).

The portal pages and can cut a download short, so the number of rows read is checked against the
portal's own ``$select=count(*)``; a file with fewer rows is refused. A mirror folder (no portal to
ask) is read as it is. Building the geocoder's index from the rows is the geocoder's job
(``geocoding.address_points``); nothing here changes a file in place.
"""

from __future__ import annotations

import csv
import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .sources import RefDataError, copy_capped

USER_AGENT = "elip-service-map refresh (Edmonton Local Immigration Partnership)"
MAX_DOWNLOAD_BYTES = 400 * 1024 * 1024   # the assessment CSV is about 80 MB


@dataclass(frozen=True)
class CityDataset:
    key: str
    socrata_id: str
    title: str
    download_path: str     # under the portal base address
    mirror_pattern: str
    local_name: str


ADDRESS_POINTS = CityDataset(
    "address_points", "q7d6-ambg", "Property Assessment Data (Current Calendar Year)",
    "/api/views/q7d6-ambg/rows.csv?accessType=DOWNLOAD", "property_assessment*.csv", "property_assessment.csv")
CENTRELINES = CityDataset(
    "centrelines", "9j8t-zm52", "Road Network centrelines",
    "/api/geospatial/9j8t-zm52?method=export&format=GeoJSON", "road_centrelines*.geojson",
    "road_centrelines.geojson")
CITY_DATASETS = (ADDRESS_POINTS, CENTRELINES)

ASSESSMENT_COLUMNS = ("Account Number", "Suite", "House Number", "Street Name", "Latitude", "Longitude")


@dataclass(frozen=True)
class FetchedFile:
    dataset: CityDataset
    path: Path
    sha256: str
    expected_rows: int | None    # the portal's count; None for a mirror


def _get(url: str, timeout: float) -> urllib.request.addinfourl:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise RefDataError(f"The open data portal answered HTTP {exc.code} for {url}.") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise RefDataError(f"Could not reach the open data portal for {url} ({getattr(exc, 'reason', exc)}). "
                           "Nothing was changed.") from None


def portal_count(base_url: str, dataset: CityDataset, *, timeout: float = 30.0) -> int:
    """The portal's own row count: ``GET /resource/<id>.json?$select=count(*)`` -> ``[{"count": "420123"}]``."""
    url = f"{base_url.rstrip('/')}/resource/{dataset.socrata_id}.json?$select=count(*)"
    with _get(url, timeout) as response:
        body = response.read(1 << 16)
    try:
        value = next(iter(json.loads(body)[0].values()))
        return int(value)
    except (ValueError, IndexError, KeyError, TypeError, StopIteration, AttributeError):
        raise RefDataError(f"The portal's count for {dataset.title} is not readable: {body[:80]!r}.") from None


def download(base_url: str, dataset: CityDataset, dest: Path, *, timeout: float = 60.0) -> FetchedFile:
    """Download one dataset into ``dest`` and ask the portal how many rows it should hold."""
    expected = portal_count(base_url, dataset, timeout=timeout)
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / dataset.local_name
    with _get(base_url.rstrip("/") + dataset.download_path, timeout) as response, open(path, "wb") as out:
        digest = copy_capped(response, out, limit=MAX_DOWNLOAD_BYTES, what=f"The portal's {dataset.title}")
    return FetchedFile(dataset, path, digest, expected)


def from_mirror(mirror: Path, dataset: CityDataset) -> FetchedFile:
    matches = sorted(p for p in Path(mirror).glob(dataset.mirror_pattern) if p.is_file())
    if not matches:
        raise RefDataError(f"The data mirror {mirror} lacks {dataset.title} ({dataset.mirror_pattern}).")
    path = matches[-1]
    return FetchedFile(dataset, path, hashlib.sha256(path.read_bytes()).hexdigest(), None)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def read_assessment(path: Path) -> Iterator[tuple[str, str, float, float]]:
    """``(house number, street name, lat, lon)`` of every row with an address and a point.

    Rows without a house number or a point (vacant land, pipelines) are skipped; a file without
    the expected columns is refused in plain words.
    """
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ASSESSMENT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RefDataError(f"{Path(path).name} is not the property assessment table: no column "
                               + ", ".join(repr(m) for m in missing) + ".")
        for row in reader:
            house, street = (row["House Number"] or "").strip(), (row["Street Name"] or "").strip()
            lat, lon = _number(row["Latitude"]), _number(row["Longitude"])
            if house and street and lat is not None and lon is not None:
                yield house, street, lat, lon


def count_assessment_rows(path: Path) -> int:
    """Data rows in the CSV (quoted line breaks counted right), for the completeness check."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def read_centrelines(path: Path) -> tuple[list[tuple[str, list[list[tuple[float, float]]]]], int]:
    """``(road name, [line of (lat, lon)...])`` per named segment of the GeoJSON export, and the
    number of features in the file (named or not, for the completeness check).

    The name is the first property called like a road name (``road_name``, ``street_name``,
    ``name``...): the export's property names are lower case and have changed over the years.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        features = data["features"]
    except (OSError, ValueError, KeyError, TypeError):
        raise RefDataError(f"{Path(path).name} is not a GeoJSON feature collection.") from None
    out = []
    for f in features:
        props = f.get("properties") or {}
        name = next((str(v) for k, v in props.items() if v and "name" in k.lower()), "")
        geom = f.get("geometry") or {}
        if not name.strip() or geom.get("type") not in ("LineString", "MultiLineString"):
            continue
        lines = [geom["coordinates"]] if geom["type"] == "LineString" else geom["coordinates"]
        out.append((name.strip(), [[(float(c[1]), float(c[0])) for c in line] for line in lines]))
    return out, len(features)


def check_complete(fetched: FetchedFile, rows: int) -> None:
    """Refuse a download with fewer rows than the portal says it holds (a truncated page)."""
    if fetched.expected_rows is not None and rows < fetched.expected_rows:
        raise RefDataError(f"{fetched.dataset.title}: the download holds {rows:,} rows but the portal counts "
                           f"{fetched.expected_rows:,}; it was cut short, so it was not used. Nothing was changed.")
