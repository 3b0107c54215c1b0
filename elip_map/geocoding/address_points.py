"""The City's address points and road centrelines as compact indexes in the instance folder.

Built by ``elip-map refresh --addresses`` from the City's open data (never shipped in the repo:
420,000 points are the City's to publish, and they change every year). Two files:

- ``address_points.npz``: one 64-bit hash per civic address key ("10310 102 AVENUE NW"), sorted,
  with its point; a lookup is one binary search (microseconds), the file loads in milliseconds;
- ``centrelines.npz``: the vertices of each named road with their grid coordinates, so a house
  number can be put where the road's line crosses its grid line (the grid rule), and two named
  roads meet where their lines do.

Keys come from the same parser as the queries (``parse_address``), so "JASPER AVENUE NW" in the
City's table and "Jasper Ave" typed by a partner meet on one key.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import PROJECT_ROOT
from ..refdata import city_addresses as ca
from ..refdata.sources import portal_url
from . import notes as N
from .grid import GridModel, haversine_m, load_grid_model
from .parse import CIVIC, NAMED_ROAD, ParsedAddress, parse_address
from .roads import InverseGrid

DEFAULT_INDEX_DIR = PROJECT_ROOT / "instance" / "city_addresses"
POINTS_FILE = "address_points.npz"
CENTRELINES_FILE = "centrelines.npz"
MANIFEST_FILE = "manifest.json"
INDEX_FORMAT = 1
ADDRESS_POINT_PRECISION_M = 25.0     # a property's point is inside its lot
CENTRELINE_PRECISION_M = 60.0        # the grid line read back from the calibrated grid model
QUADRANTS = ("NW", "SW", "NE", "SE")


def key_hash(key: str) -> int:
    """The 64-bit key an address is filed under in the index (the index keeps hashes, not text,
    to stay small: 420,000 addresses in about 10 MB)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def index_keys(parsed: ParsedAddress) -> list[str]:
    """The keys an address may be filed under, most likely first.

    ``index_keys(parse_address("10310 102 Ave"))`` -> ``["10310 102 AVENUE NW"]``; a named road
    typed without its quadrant tries each quadrant.
    """
    if parsed.municipality or parsed.outside_region or parsed.ambiguous:
        return []
    if parsed.kind == CIVIC and parsed.road is not None and parsed.house_number is not None:
        return [f"{parsed.house_number} {parsed.road.label().upper()}"]
    if parsed.kind == NAMED_ROAD:
        out = []
        for ref in parsed.named_candidates:
            for q in ((ref.quadrant,) if ref.quadrant else QUADRANTS):
                out.append(f"{ref.house} {ref.key} {q}")
        return out
    return []


@dataclass(frozen=True)
class PointHit:
    lat: float
    lon: float
    key: str


class AddressIndex:
    """Sorted key hashes and their points."""

    def __init__(self, keys: np.ndarray, lat: np.ndarray, lon: np.ndarray):
        self.keys, self.lat, self.lon = keys, lat, lon

    def __len__(self) -> int:
        return len(self.keys)

    def find_key(self, key: str) -> tuple[float, float] | None:
        h = np.uint64(key_hash(key))
        i = int(np.searchsorted(self.keys, h))
        if i < len(self.keys) and self.keys[i] == h:
            return float(self.lat[i]), float(self.lon[i])
        return None

    def lookup(self, parsed: ParsedAddress) -> PointHit | None:
        for key in index_keys(parsed):
            found = self.find_key(key)
            if found is not None:
                return PointHit(found[0], found[1], key)
        return None

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, float, float]]) -> tuple[AddressIndex, dict]:
        """From ``(house number, street name, lat, lon)`` rows; several rows of one address
        (suites, condominium units) are averaged into one point."""
        hashes, lats, lons = [], [], []
        read = unreadable = 0
        for house, street, lat, lon in rows:
            read += 1
            keys = index_keys(parse_address(f"{house} {street}"))
            if not keys:
                unreadable += 1
                continue
            hashes.append(key_hash(keys[0]))
            lats.append(lat)
            lons.append(lon)
        h = np.asarray(hashes, dtype=np.uint64)
        order = np.argsort(h, kind="stable")
        h, la, lo = h[order], np.asarray(lats)[order], np.asarray(lons)[order]
        uniq, start, counts = np.unique(h, return_index=True, return_counts=True)
        lat_mean = np.add.reduceat(la, start) / counts if len(h) else la
        lon_mean = np.add.reduceat(lo, start) / counts if len(h) else lo
        stats = {"rows": read, "unreadable_addresses": unreadable, "addresses": len(uniq)}
        return cls(uniq, lat_mean.astype(np.float64), lon_mean.astype(np.float64)), stats

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            np.savez(fh, keys=self.keys, lat=self.lat, lon=self.lon)

    @classmethod
    def load(cls, path: Path) -> AddressIndex:
        with np.load(path) as data:
            return cls(data["keys"], data["lat"], data["lon"])


class CentrelineIndex:
    """Vertices of each named road (by the parser's road key) with their grid coordinates."""

    def __init__(self, names: list[str], offsets: np.ndarray, lat: np.ndarray, lon: np.ndarray,
                 east: np.ndarray, north: np.ndarray, trusted: np.ndarray, line: np.ndarray):
        self.names = list(names)
        self._row = {n: i for i, n in enumerate(self.names)}
        self.offsets, self.lat, self.lon = offsets, lat, lon
        self.east, self.north, self.trusted, self.line = east, north, trusted, line

    def __len__(self) -> int:
        return len(self.names)

    def _slice(self, key: str) -> slice | None:
        i = self._row.get(key)
        return None if i is None else slice(int(self.offsets[i]), int(self.offsets[i + 1]))

    def crossing(self, key: str, axis: str, value: float) -> tuple[float, float] | str | None:
        """Where road ``key`` crosses grid line ``value`` (axis "north": an avenue line).

        Returns (lat, lon), None when the road is not known, or a reason when it never crosses
        that line where the grid is calibrated, or crosses it in places far apart.
        """
        sl = self._slice(key)
        if sl is None:
            return None
        coord = (self.north if axis == "north" else self.east)[sl]
        lat, lon, ok, line = self.lat[sl], self.lon[sl], self.trusted[sl], self.line[sl]
        a, b = coord[:-1], coord[1:]
        same_line = (line[:-1] == line[1:]) & ok[:-1] & ok[1:]
        hit = same_line & (np.minimum(a, b) <= value) & (np.maximum(a, b) >= value) & (a != b)
        idx = np.nonzero(hit)[0]
        if len(idx) == 0:
            return N.CENTRELINE_NOT_ON_LINE()
        t = (value - a[idx]) / (b[idx] - a[idx])
        plat = lat[idx] + t * (lat[idx + 1] - lat[idx])
        plon = lon[idx] + t * (lon[idx + 1] - lon[idx])
        spread = haversine_m(plat, plon, plat[0], plon[0])
        if float(np.max(spread)) > 150.0:
            return N.CENTRELINE_CROSSES_TWICE()
        return float(np.mean(plat)), float(np.mean(plon))

    def meeting(self, key_a: str, key_b: str, within_m: float = 30.0) -> tuple[float, float] | None:
        """Where two named roads' lines meet (their nearest vertices within ``within_m``)."""
        sa, sb = self._slice(key_a), self._slice(key_b)
        if sa is None or sb is None:
            return None
        d = haversine_m(self.lat[sa][:, None], self.lon[sa][:, None], self.lat[sb][None, :], self.lon[sb][None, :])
        i, j = np.unravel_index(int(np.argmin(d)), d.shape)
        close = d <= max(within_m, float(d[i, j]))
        if d[i, j] > within_m:
            return None
        # Two roads meeting twice (a crescent) cannot say which meeting is meant.
        ii, _ = np.nonzero(close)
        pts_lat, pts_lon = self.lat[sa][ii], self.lon[sa][ii]
        if float(np.max(haversine_m(pts_lat, pts_lon, pts_lat[0], pts_lon[0]))) > 150.0:
            return None
        return float((self.lat[sa][i] + self.lat[sb][j]) / 2), float((self.lon[sa][i] + self.lon[sb][j]) / 2)

    @classmethod
    def build(cls, segments: Iterable[tuple[str, list[list[tuple[float, float]]]]], grid: GridModel
              ) -> tuple[CentrelineIndex, dict]:

        by_key: dict[str, list[list[tuple[float, float]]]] = {}
        unreadable = 0
        for name, lines in segments:
            key = road_key(name)
            if key is None:
                unreadable += 1
                continue
            by_key.setdefault(key, []).extend(lines)
        inverse = InverseGrid(grid)
        names = sorted(by_key)
        offsets, lat, lon, line_no = [0], [], [], []
        n_line = 0
        for key in names:
            for line in by_key[key]:
                for la, lo in line:
                    lat.append(la)
                    lon.append(lo)
                    line_no.append(n_line)
                n_line += 1
            offsets.append(len(lat))
        lat_a, lon_a = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        east, north = inverse.many(lat_a, lon_a)
        _, _, support = grid.locate(east, north)
        trusted = support <= 1000.0   # where the grid model itself would place a query
        index = cls(names, np.asarray(offsets, dtype=np.int64), lat_a, lon_a, east, north, trusted,
                    np.asarray(line_no, dtype=np.int64))
        return index, {"segments_named": sum(len(v) for v in by_key.values()), "roads": len(names),
                       "unreadable_names": unreadable, "vertices": len(lat)}

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            np.savez(fh, names=np.asarray(self.names), offsets=self.offsets, lat=self.lat, lon=self.lon,
                     east=self.east, north=self.north, trusted=self.trusted, line=self.line)

    @classmethod
    def load(cls, path: Path) -> CentrelineIndex:
        with np.load(path) as d:
            return cls([str(n) for n in d["names"]], d["offsets"], d["lat"], d["lon"], d["east"], d["north"],
                       d["trusted"], d["line"])


def road_key(name: str) -> str | None:
    """The parser's key of a road name as the City writes it: "CASTLE DOWNS ROAD NW" ->
    "CASTLE DOWNS ROAD NW"; "102 AVENUE NW" -> "102 AVENUE NW"; "JASPER AVENUE NW" -> "101 AVENUE NW"."""
    parsed = parse_address(f"1 {name}")
    keys = index_keys(parsed)
    return keys[0].split(" ", 1)[1] if keys else None


@dataclass
class CityIndexes:
    points: AddressIndex | None
    centrelines: CentrelineIndex | None
    manifest: dict


def write_indexes(index_dir: Path, points: AddressIndex, centrelines: CentrelineIndex | None,
                  manifest: dict) -> dict[str, str]:
    """Write into a temporary folder beside ``index_dir``, then swap each file in with one
    ``os.replace`` (atomic on one file system), the manifest last. Returns name -> sha256."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    shas = {}
    with tempfile.TemporaryDirectory(prefix=".city-", dir=index_dir) as tmp:
        tmp_dir = Path(tmp)
        points.save(tmp_dir / POINTS_FILE)
        files = [POINTS_FILE]
        if centrelines is not None:
            centrelines.save(tmp_dir / CENTRELINES_FILE)
            files.append(CENTRELINES_FILE)
        for name in files:
            shas[name] = hashlib.sha256((tmp_dir / name).read_bytes()).hexdigest()
        manifest = dict(manifest, format=INDEX_FORMAT, outputs=shas)
        (tmp_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        for name in [*files, MANIFEST_FILE]:
            os.replace(tmp_dir / name, index_dir / name)
    return shas


NO_CITY_INDEXES = CityIndexes(None, None, {})


@functools.lru_cache(maxsize=4)
def load_city_indexes(index_dir: Path | None = None) -> CityIndexes:
    """The refreshed indexes (read-only, loaded once per process); empty when never refreshed."""
    index_dir = Path(index_dir) if index_dir else DEFAULT_INDEX_DIR
    try:
        manifest = json.loads((index_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return NO_CITY_INDEXES
    points = AddressIndex.load(index_dir / POINTS_FILE) if (index_dir / POINTS_FILE).is_file() else None
    lines = CentrelineIndex.load(index_dir / CENTRELINES_FILE) if (index_dir / CENTRELINES_FILE).is_file() else None
    return CityIndexes(points, lines, manifest)


@dataclass
class CityRefreshReport:
    origin: str
    inputs: dict[str, str]       # dataset key -> sha256 of the original
    counts: dict[str, int]       # rows read, addresses, roads...
    outputs: dict[str, str]      # file -> sha256

    def lines(self) -> list[str]:
        out = [f"City address data from {self.origin}:"]
        out += [f"  {k}: sha256 {v}" for k, v in self.inputs.items()]
        out.append("  " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in self.counts.items()))
        out.append("Index files (swapped in):")
        out += [f"  {k}: sha256 {v}" for k, v in self.outputs.items()]
        return out


def refresh_city_indexes(index_dir: Path, *, mirror: Path | None = None, base_url: str | None = None,
                         timeout: float = 120.0, grid: GridModel | None = None) -> CityRefreshReport:
    """Fetch the City's address points and centrelines (portal or mirror), check the downloads are
    complete, build both indexes and swap them into ``index_dir``. Raises RefDataError with
    nothing changed on any problem."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".download-", dir=index_dir) as tmp:
        if mirror is not None:
            fetched = [ca.from_mirror(Path(mirror), d) for d in ca.CITY_DATASETS]
            origin = f"the mirror {mirror}"
        else:
            base = (base_url or portal_url()).rstrip("/")
            fetched = [ca.download(base, d, Path(tmp), timeout=timeout) for d in ca.CITY_DATASETS]
            origin = f"the open data portal {base}"
        points_file, lines_file = fetched
        ca.check_complete(points_file, ca.count_assessment_rows(points_file.path))
        segments, features = ca.read_centrelines(lines_file.path)
        ca.check_complete(lines_file, features)
        points, p_stats = AddressIndex.build(ca.read_assessment(points_file.path))
        if len(points) == 0:
            raise ca.RefDataError("The property assessment table has no address with a point; nothing was changed.")
        lines, l_stats = CentrelineIndex.build(segments, grid or load_grid_model())
        counts = {**p_stats, "centreline_features": features, **l_stats}
        inputs = {f.dataset.key: f.sha256 for f in fetched}
        outputs = write_indexes(index_dir, points, lines, {"origin": origin, "inputs": inputs, "counts": counts})
    load_city_indexes.cache_clear()
    return CityRefreshReport(origin, inputs, counts, outputs)
