"""The offline Edmonton grid geocoder: numbered streets and avenues to a point, calibrated on
transit stops named after numbered intersections.

Why a triangulation and not a formula: the grid is not regular (blocks differ in length, the
numbering jumps across the river valley and ravines, suburbs curve), so a global affine map is
hundreds of metres off in places. Instead each calibrated intersection is a control point in
"grid space" (east = -street number, north = avenue number, signed by quadrant) and a query is
interpolated linearly inside the Delaunay triangle of control points that contains it. The size
of that triangle says how much we know there: a query in a large triangle, or outside all of
them, is refused rather than guessed.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import GEODATA_DIR
from .parse import INTERSECTION, alias_label, parse_address

DEFAULT_MODEL_PATH = GEODATA_DIR / "grid_model.json"
MODEL_FORMAT = 1
EARTH_RADIUS_M = 6_371_000.0
# Metres per degree around Edmonton (53.5 N), for triangle sizes and error figures.
M_PER_DEG_LAT = 111_200.0
M_PER_DEG_LON = 111_200.0 * math.cos(math.radians(53.55))

# A query whose answer lies further than this (barycentric-weighted) from calibrated corners is
# outside what the stops calibrate: the grid may bend or stop existing in between (river valley,
# industrial land, ring road). Chosen from the held-out split: up to 1 km of support the worst
# held-out corner was about 0.5 km off; beyond it single corners were 1.3-5.8 km off.
MAX_SUPPORT_M = 1000.0

# Stated precision: ``a + b * support`` (metres), meant as about the 90th percentile of the error.
# Calibrated on the training side only (``calibrate_precision``: five folds inside the fit split,
# each predicted from a model of the other four; the held-out split is never looked at). On the
# shipped stops that gives about 67 m + 0.28 x support: the error was within it for 91 % of the
# 1391 fold answers and, measured afterwards, for 90 % of the held-out corners (the earlier
# fallback, 60 m + 0.12 x support, covered 72 % and 74 %). The fallback below is that rule, for a
# model built without its own calibration.
PRECISION_COEF = (66.6, 0.277)
PRECISION_FOLDS = 5
PRECISION_SEED = "elip-precision"
PRECISION_QUANTILE = 90


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (numpy-friendly): ``haversine_m(53.5, -113.5, 53.51, -113.5)`` ~ 1112."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


@dataclass(frozen=True)
class ControlPoint:
    east: float
    north: float
    lat: float
    lon: float
    stops: int
    name: str
    alias: str | None = None   # named grid road in the stop name ("Jasper"), for checking aliases


def read_stop_intersections(path: Path) -> list[ControlPoint]:
    """Transit stops named "<number> Street & <number> Avenue", averaged per intersection.

    The ETS file has no header and quotes its text fields with single quotes:
    ``1010,'1010','50 Street & 122 Avenue',53.57697,-113.41825,0,1507454``. The several stops
    around one corner average to (about) the centre of the intersection.
    """
    groups: dict[tuple[float, float], list[tuple[float, float, str, str | None]]] = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh, quotechar="'"):
            if len(row) < 5:
                continue
            name = row[2].strip()
            parsed = parse_address(name)
            if parsed.kind != INTERSECTION:
                continue
            xy = parsed.grid_xy()
            if xy is None:
                continue
            alias = next((label for label in map(alias_label, parsed.notes) if label), None)
            groups[(round(xy[0], 3), round(xy[1], 3))].append((float(row[3]), float(row[4]), name, alias))
    points = []
    for (east, north), items in sorted(groups.items()):
        lats = np.array([i[0] for i in items])
        lons = np.array([i[1] for i in items])
        points.append(ControlPoint(east, north, float(np.median(lats)), float(np.median(lons)),
                                   len(items), items[0][2], next((i[3] for i in items if i[3]), None)))
    return points


def split_points(points: list[ControlPoint], holdout: float = 0.2, seed: str = "elip") -> tuple[list, list]:
    """Deterministic fit/evaluation split by intersection (a hash, so the split never drifts)."""
    fit, held = [], []
    for p in points:
        h = int(hashlib.sha256(f"{seed}:{p.east}:{p.north}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        (held if h < holdout else fit).append(p)
    return fit, held


class GridModel:
    """Control points in grid space, triangulated; ``locate`` interpolates inside the triangles."""

    def __init__(self, east, north, lat, lon, *, meta: dict | None = None):
        from scipy.spatial import Delaunay  # delayed: scipy loads in about 0.3 s; parsing alone never needs it

        self.east = np.asarray(east, dtype=float)
        self.north = np.asarray(north, dtype=float)
        self.lat = np.asarray(lat, dtype=float)
        self.lon = np.asarray(lon, dtype=float)
        self.meta = dict(meta or {})
        self._tri = Delaunay(np.column_stack([self.east, self.north]))

    @classmethod
    def fit(cls, points: list[ControlPoint], *, meta: dict | None = None) -> "GridModel":
        return cls([p.east for p in points], [p.north for p in points], [p.lat for p in points],
                   [p.lon for p in points], meta=meta)

    def locate(self, east, north):
        """Interpolate grid coordinates to points.

        Parameters
        ----------
        east, north : array-like grid coordinates (see ``ParsedAddress.grid_xy``).

        Returns
        -------
        (lat, lon, support_m) arrays; lat/lon are NaN outside the calibrated area, and ``support_m``
        is the barycentric-weighted distance to the enclosing triangle's corners: how far the
        answer is from calibrated points.

        Example
        -------
        >>> lat, lon, support = load_grid_model().locate([-107.0], [101.0])   # 107 Street & Jasper Avenue
        >>> round(float(lat[0]), 3), round(float(lon[0]), 3)
        (53.541, -113.507)
        """
        q = np.column_stack([np.atleast_1d(np.asarray(east, dtype=float)),
                             np.atleast_1d(np.asarray(north, dtype=float))])
        simplex = self._tri.find_simplex(q)
        inside = simplex >= 0
        lat = np.full(len(q), np.nan)
        lon = np.full(len(q), np.nan)
        support = np.full(len(q), np.inf)
        if inside.any():
            s = simplex[inside]
            T = self._tri.transform[s]
            b2 = np.einsum("ijk,ik->ij", T[:, :2, :], q[inside] - T[:, 2, :])
            bary = np.column_stack([b2, 1 - b2.sum(axis=1)])
            verts = self._tri.simplices[s]
            lat[inside] = np.einsum("ij,ij->i", bary, self.lat[verts])
            lon[inside] = np.einsum("ij,ij->i", bary, self.lon[verts])
            # Support: the barycentric-weighted distance to the triangle's corners. A point on a
            # well-calibrated road between two near corners has small support even when the
            # triangle's third corner is far away (its weight is then ~0).
            d = haversine_m(lat[inside][:, None], lon[inside][:, None], self.lat[verts], self.lon[verts])
            support[inside] = np.einsum("ij,ij->i", np.clip(bary, 0, 1), d)
        return lat, lon, support

    def precision_m(self, support_m):
        """Expected error (about the 90th percentile) for a query with this support (see ``locate``).

        ``a + b * support``, calibrated on the training side by ``calibrate_precision`` (the build
        script stores it in the model's meta; see ``PRECISION_COEF``).
        """
        a, b = self.meta.get("precision_coef", PRECISION_COEF)
        return a + b * np.asarray(support_m, dtype=float)

    def to_json(self) -> dict:
        return {
            "format": MODEL_FORMAT,
            "meta": self.meta,
            "points": [[round(float(e), 3), round(float(n), 3), round(float(la), 6), round(float(lo), 6)]
                       for e, n, la, lo in zip(self.east, self.north, self.lat, self.lon)],
        }

    @classmethod
    def from_json(cls, data: dict) -> "GridModel":
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"grid model format {data.get('format')!r} is not {MODEL_FORMAT}: rebuild it "
                             "with scripts/build_grid_model.py")
        pts = np.asarray(data["points"], dtype=float)
        return cls(pts[:, 0], pts[:, 1], pts[:, 2], pts[:, 3], meta=data.get("meta"))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), separators=(",", ":")) + "\n", encoding="utf-8")


@functools.lru_cache(maxsize=4)
def load_grid_model(path: Path | None = None) -> GridModel:
    """The shipped model (read-only, loaded once per process)."""
    path = Path(path) if path else DEFAULT_MODEL_PATH
    if not path.is_file():
        raise FileNotFoundError(f"grid model {path.name} is missing: build it with scripts/build_grid_model.py")
    return GridModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def evaluate(model: GridModel, points: list[ControlPoint]) -> dict:
    """Error figures of ``model`` on ``points`` it was not fitted on (metres)."""
    lat, lon, support = model.locate([p.east for p in points], [p.north for p in points])
    truth_lat = np.array([p.lat for p in points])
    truth_lon = np.array([p.lon for p in points])
    inside = ~np.isnan(lat)
    accepted = inside & (support <= MAX_SUPPORT_M)
    err = np.full(len(points), np.nan)
    err[inside] = haversine_m(lat[inside], lon[inside], truth_lat[inside], truth_lon[inside])
    acc = err[accepted]
    return {
        "n": len(points),
        "placed": int(accepted.sum()),
        "refused": int(len(points) - accepted.sum()),
        "median_m": float(np.median(acc)) if acc.size else math.nan,
        "p90_m": float(np.percentile(acc, 90)) if acc.size else math.nan,
        "within_250m": float(np.mean(acc <= 250)) if acc.size else math.nan,
        "max_m": float(np.max(acc)) if acc.size else math.nan,
        "over_1km": int(np.sum(acc > 1000)),
        "errors": err,
        "support": support,
    }


def clean_control_points(points: list[ControlPoint], limit_m: float = 500.0, k: int = 40) -> tuple[list, list]:
    """Drop control points their neighbours contradict (a stop named after the wrong corner).

    Each point is predicted from a triangulation of its ``k`` nearest other points (in grid
    space); where that prediction comes from a small triangle (dense, well-known grid) yet misses
    by more than ``limit_m``, the point disagrees with everything around it and is left out.
    """
    from scipy.spatial import cKDTree  # delayed: scipy, only for the model build

    xy = np.array([[p.east, p.north] for p in points])
    tree = cKDTree(xy)
    kept, dropped = [], []
    for i, p in enumerate(points):
        _, idx = tree.query(xy[i], k=min(k + 1, len(points)))
        near = [points[j] for j in idx if j != i]
        try:
            model = GridModel.fit(near)
        except Exception:  # degenerate (collinear) neighbourhood: nothing to contradict it
            kept.append(p)
            continue
        lat, lon, support = model.locate([p.east], [p.north])
        if np.isnan(lat[0]):
            # Outside its neighbours' hull: compare with the nearest corner in grid space instead
            # (a corner 1 block away cannot be kilometres away).
            q = near[0]
            gap = abs(q.east - p.east) + abs(q.north - p.north)
            far = float(haversine_m(q.lat, q.lon, p.lat, p.lon))
            (dropped if gap <= 3 and far > 1500 else kept).append(p)
            continue
        err = float(haversine_m(lat[0], lon[0], p.lat, p.lon))
        # Contradicted: far off where dense neighbours say it is, or off by much more than the
        # distance to those neighbours (a corner named after a street 6 km away).
        bad = err > limit_m and (support[0] <= MAX_SUPPORT_M or err > 3 * support[0])
        (dropped if bad else kept).append(p)
    return kept, dropped


def build_grid_model(stops_path: Path, *, holdout: float = 0.2, seed: str = "elip") -> tuple[GridModel, dict]:
    """Fit on one split of the stops, measure on the other, and return the model with its figures.

    The shipped model is then refitted on all (cleaned) intersections: the held-out figures describe
    how well the method interpolates between calibrated corners, which is what a query needs.
    """
    points = read_stop_intersections(stops_path)
    fit_pts, held_pts = split_points(points, holdout, seed)
    fit_clean, dropped = clean_control_points(fit_pts)
    held_model = GridModel.fit(fit_clean)
    report = evaluate(held_model, held_pts)
    # The precision rule is calibrated on the fit split alone: tuned on the held-out split, the
    # held-out figures would no longer say how honest it is.
    coef, calibration = calibrate_precision(fit_pts)
    ok = ~np.isnan(report["errors"]) & (report["support"] <= MAX_SUPPORT_M)
    report["within_precision"] = float(np.mean(report["errors"][ok] <= coef[0] + coef[1] * report["support"][ok]))
    all_clean, all_dropped = clean_control_points(points)
    sha = hashlib.sha256(Path(stops_path).read_bytes()).hexdigest()
    meta = {
        "source": Path(stops_path).name,
        "source_sha256": sha,
        "intersections": len(points),
        "control_points": len(all_clean),
        "dropped_as_inconsistent": [p.name for p in all_dropped],
        "holdout_fraction": holdout,
        "split_seed": seed,
        "heldout": {k: v for k, v in report.items() if k not in ("errors", "support")},
        "precision_coef": coef,
        "precision_calibration": calibration,
        "max_support_m": MAX_SUPPORT_M,
        "licence": "Contains information licensed under the Open Government Licence - City of Edmonton.",
    }
    report["precision_coef"] = coef
    report["precision_calibration"] = calibration
    report["fit_points"] = len(fit_clean)
    report["fit_dropped"] = len(dropped)
    return GridModel.fit(all_clean, meta=meta), report


def calibrate_precision(points: list[ControlPoint], *, folds: int = PRECISION_FOLDS,
                        seed: str = PRECISION_SEED) -> tuple[tuple[float, float], dict]:
    """The stated-precision rule ``(a, b)`` for ``a + b * support``, from ``points`` alone.

    Why folds: the error of a corner the model was fitted on is ~0, so the rule must come from
    corners left out; the held-out split is not available for that (it measures the rule). Each
    fold (a hash of the corner, so it never drifts) is predicted from a cleaned model of the
    others; the answers are cut into quartiles of support, and a line goes through each
    quartile's ``PRECISION_QUANTILE``-th percentile of error (the error grows with the support, so
    one constant would be too loose in dense grid and too tight at its edges). Returns the
    coefficients and what they were measured on.
    """
    support, error = [], []
    for k in range(folds):
        train = [p for p in points if _fold(p, seed, folds) != k]
        test = [p for p in points if _fold(p, seed, folds) == k]
        if len(train) < 3 or not test:
            continue
        fig = evaluate(GridModel.fit(clean_control_points(train)[0]), test)
        ok = ~np.isnan(fig["errors"]) & (fig["support"] <= MAX_SUPPORT_M)
        support.extend(fig["support"][ok].tolist())
        error.extend(fig["errors"][ok].tolist())
    s, e = np.asarray(support), np.asarray(error)
    xs, ys = [], []
    if s.size:
        bins = np.quantile(s, [0, 0.25, 0.5, 0.75, 1.0])
        for lo, hi in zip(bins[:-1], bins[1:]):
            sel = (s >= lo) & (s <= hi)
            if sel.sum() >= 5:
                xs.append(float(np.median(s[sel])))
                ys.append(float(np.percentile(e[sel], PRECISION_QUANTILE)))
    b, a = np.polyfit(xs, ys, 1) if len(xs) >= 2 else (PRECISION_COEF[1], PRECISION_COEF[0])
    coef = (max(float(a), 30.0), max(float(b), 0.0))
    within = float(np.mean(e <= coef[0] + coef[1] * s)) if s.size else math.nan
    return coef, {"folds": folds, "seed": seed, "answers": int(s.size), "quantile": PRECISION_QUANTILE,
                  "within": within}


def _fold(p: ControlPoint, seed: str, folds: int) -> int:
    h = int(hashlib.sha256(f"{seed}:{p.east}:{p.north}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return min(int(h * folds), folds - 1)


def check_aliases(points: list[ControlPoint]) -> dict[str, dict]:
    """How far stops on named grid roads lie from the grid line their alias stands for.

    Fits on the stops named with numbers only, then predicts each aliased stop (``Jasper Avenue``
    read as 101 Avenue): a small median error means the alias is right.
    """
    plain = [p for p in points if p.alias is None]
    model = GridModel.fit(plain)
    out: dict[str, dict] = {}
    for alias in sorted({p.alias for p in points if p.alias}):
        pts = [p for p in points if p.alias == alias]
        lat, lon, _ = model.locate([p.east for p in pts], [p.north for p in pts])
        inside = ~np.isnan(lat)
        err = haversine_m(lat[inside], lon[inside], [p.lat for p, i in zip(pts, inside) if i],
                          [p.lon for p, i in zip(pts, inside) if i])
        out[alias] = {"stops": len(pts), "compared": int(inside.sum()),
                      "median_m": float(np.median(err)) if err.size else math.nan}
    return out
