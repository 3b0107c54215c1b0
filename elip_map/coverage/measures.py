"""Coverage measures: how far each neighbourhood is from a kind of service, and how well it is served.

Everything here is numpy (and scipy.sparse for the few-percent-full catchment and supply matrices) on
arrays in a metric CRS, so one call computes a single view for the page or every service type and
language at once (the benchmark), with the same code. PySAL's ``access`` computes the same 2SFCA but
builds a cost table first and is about 40 times slower at this size (docs/PITFALLS.md); the hand-worked
cases in tests/unit/test_coverage.py pin the numbers down instead. A zone is a
neighbourhood (its representative point); a site is a public location; a *combination* is one
column of the demand and supply matrices (a service type, optionally with a language).

Measures, for each zone and combination:

- ``nearest_km``: straight-line distance to the nearest site offering the combination;
- ``services_within``: number of matching services within the catchment;
- ``access_score``: two-step floating catchment area (2SFCA, Luo & Wang 2003), or enhanced 2SFCA with
  a Gaussian distance decay (Dai 2010), in services per 1,000 people of demand;
- ``gap_index``: people of demand who are short of the city-wide level of access (see :func:`gap_index`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported where used: heavy, and a web worker never needs them
    from scipy import sparse

DEFAULT_CATCHMENT_KM = 2.0
METHODS = ("2sfca", "e2sfca")
# The catchment edge counts as inside, to the millimetre: projecting to metres and back leaves
# nanometre noise that must not push a site exactly at the edge out.
EDGE_TOLERANCE_KM = 1e-6


def distance_matrix_km(zone_x, zone_y, site_x, site_y) -> np.ndarray:
    """Straight-line distances in km, zones by sites, from coordinates in metres (a metric CRS).

    The array is column-major (each site's distances to all zones lie together), so picking the
    columns of the sites that offer a service, as :func:`nearest_km` does, reads contiguous memory.

    Parameters
    ----------
    zone_x, zone_y, site_x, site_y : array-like of float
        Coordinates in metres; Z zones and S sites.

    Returns
    -------
    numpy.ndarray
        Shape (Z, S), kilometres.

    Example
    -------
    >>> distance_matrix_km([0], [0], [3000, 0], [4000, 1000]).tolist()
    [[5.0, 1.0]]
    """
    # In place, to keep one (S, Z) array alive instead of four temporaries of the same size.
    dist = np.asarray(site_x, dtype=float)[:, None] - np.asarray(zone_x, dtype=float)[None, :]
    dy = np.asarray(site_y, dtype=float)[:, None] - np.asarray(zone_y, dtype=float)[None, :]
    np.multiply(dist, dist, out=dist)
    np.multiply(dy, dy, out=dy)
    dist += dy
    np.sqrt(dist, out=dist)
    dist /= 1000.0
    return dist.T


def _as_demand(values, rows: int) -> tuple[np.ndarray, bool]:
    """Demand as a (Z, M) float matrix and whether it was given as a vector."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
        vector = True
    else:
        vector = False
    if arr.shape[0] != rows:
        raise ValueError(f"expected demand for {rows} zones, got {arr.shape[0]}")
    return arr, vector


def _as_supply(values, rows: int) -> tuple[sparse.csc_array, bool]:
    """Supply as a sparse (S, M) column matrix (a few percent of sites offer any one combination)."""
    from scipy import sparse  # delayed: scipy.sparse is 9 MB in every web worker; only the coverage page needs it
    if sparse.issparse(values):
        mat, vector = sparse.csc_array(values, dtype=float), False
    else:
        arr = np.asarray(values, dtype=float)
        vector = arr.ndim == 1
        mat = sparse.csc_array(arr[:, None] if vector else arr)
    if mat.shape[0] != rows:
        raise ValueError(f"expected supply for {rows} sites, got {mat.shape[0]}")
    mat.eliminate_zeros()
    return mat, vector


def _unwrap(result: np.ndarray, was_vector: bool) -> np.ndarray:
    return result[:, 0] if was_vector else result


def _nearest(dist_km: np.ndarray, sup: sparse.csc_array) -> np.ndarray:
    out = np.full((dist_km.shape[0], sup.shape[1]), np.nan)
    for m in range(sup.shape[1]):
        # Gather only the matching columns: the total work over all combinations is the number of
        # (zone, matching site) pairs, far less than combinations x sites.
        cols = sup.indices[sup.indptr[m]:sup.indptr[m + 1]]
        if cols.size:
            out[:, m] = dist_km[:, cols].min(axis=1)
    return out


def nearest_km(dist_km: np.ndarray, supply) -> np.ndarray:
    """Distance from each zone to the nearest site with supply > 0; NaN where no site offers it.

    Example
    -------
    >>> nearest_km(np.array([[1.0, 3.0], [4.0, 2.0]]), [0, 1]).tolist()
    [3.0, 2.0]
    """
    sup, vec = _as_supply(supply, dist_km.shape[1])
    return _unwrap(_nearest(dist_km, sup), vec)


def catchment_weights(dist_km: np.ndarray, catchment_km: float, method: str = "2sfca") -> sparse.csr_array:
    """Weight of each (zone, site) pair: 1 inside the catchment for 2SFCA; a Gaussian decay for E2SFCA.

    The E2SFCA weight follows Dai (2010): ``(exp(-d²/2d0²) - exp(-1/2)) / (1 - exp(-1/2))`` inside the
    catchment ``d0``, so it is 1 at the zone's point and falls to 0 at the edge of the catchment.
    Returned sparse: only a few percent of pairs lie within a catchment of a few km.

    Example
    -------
    >>> catchment_weights(np.array([[0.0, 1.0, 2.5]]), 2.0).toarray().tolist()
    [[1.0, 1.0, 0.0]]
    """
    from scipy import sparse  # delayed: as above
    if not catchment_km > 0:
        raise ValueError("the catchment must be more than 0 km")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    dist_km = np.asarray(dist_km)
    # Scan in memory order (site by site for the column-major matrix): the pairs come out sorted by
    # site, which is the compressed-column layout, so no sort is needed to build the sparse matrix.
    by_site = dist_km.T
    site, zone = np.nonzero(by_site <= catchment_km + EDGE_TOLERANCE_KM)
    if method == "2sfca":
        weight = np.ones(zone.size)
    else:
        edge = math.exp(-0.5)
        d = by_site[site, zone]
        weight = np.maximum((np.exp(-0.5 * (d / catchment_km) ** 2) - edge) / (1.0 - edge), 0.0)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(site, minlength=dist_km.shape[1]))))
    return sparse.csc_array((weight, zone, indptr), shape=dist_km.shape).tocsr()


def services_within(dist_km: np.ndarray, supply, catchment_km: float) -> np.ndarray:
    """Number of matching services (summed supply) within ``catchment_km`` of each zone.

    Example
    -------
    >>> services_within(np.array([[1.0, 3.0], [4.0, 2.0]]), [1, 2], 2.5).tolist()
    [1.0, 2.0]
    """
    sup, vec = _as_supply(supply, dist_km.shape[1])
    return _unwrap(_within(catchment_weights(dist_km, catchment_km, "2sfca"), sup), vec)


def _within(inside: sparse.csr_array, sup: sparse.csc_array) -> np.ndarray:
    # Sparse by sparse: both the catchment pairs and the (site, combination) supply are a few percent full.
    return np.asarray((inside @ sup.tocsr()).toarray(), dtype=float)


def _two_step(weights: sparse.csr_array, dem: np.ndarray, sup: sparse.csc_array, per: float) -> np.ndarray:
    """2SFCA on prepared matrices: weights (Z, S), demand (Z, M or 1), supply (S, M) sparse."""
    from scipy import sparse  # delayed: as above
    dem = np.nan_to_num(dem, nan=0.0)
    # Many combinations share a demand column (every service type with no language uses newcomers):
    # compute the people within reach of each site once per distinct column.
    first: dict[bytes, int] = {}
    which = np.array([first.setdefault(np.ascontiguousarray(dem[:, m]).tobytes(), len(first))
                      for m in range(dem.shape[1])], dtype=np.int64)
    distinct = dem[:, [list(which).index(k) for k in range(len(first))]]
    if which.size == 1:
        which = np.zeros(sup.shape[1], dtype=np.int64)
    reach = np.asarray(weights.T @ distinct)                      # (S, distinct) people within reach
    coo = sup.tocoo()
    people = reach[coo.row, which[coo.col]]
    ratio = np.divide(coo.data, people, out=np.zeros(coo.data.size), where=people > 0)
    ratios = sparse.csr_array((ratio, (coo.row, coo.col)), shape=sup.shape)
    return per * np.asarray((weights @ ratios).toarray(), dtype=float)


def two_step_fca(dist_km: np.ndarray, demand, supply, catchment_km: float = DEFAULT_CATCHMENT_KM,
                 method: str = "2sfca", per: float = 1000.0) -> np.ndarray:
    """Two-step floating catchment area access score, in services per ``per`` people of demand.

    Step 1: each site's ratio R_j = supply_j / Σ_i w_ij·demand_i (the people who can reach it).
    Step 2: each zone's score A_i = per · Σ_j w_ij·R_j (the ratios of the sites it can reach).
    Zones with unknown demand (NaN) count as 0 people in step 1 and still get a score in step 2.
    A site that nobody can reach contributes nothing.

    Parameters
    ----------
    dist_km : numpy.ndarray
        Zones by sites, km.
    demand : array-like
        (Z,) or (Z, M): people in each zone, one column per combination.
    supply : array-like or scipy sparse
        (S,) or (S, M): services at each site, one column per combination.

    Returns
    -------
    numpy.ndarray
        (Z,) or (Z, M) scores.

    Example
    -------
    >>> two_step_fca(np.array([[1.0], [3.0]]), [500, 300], [1], 2.0).tolist()
    [2.0, 0.0]
    """
    dem, dvec = _as_demand(demand, dist_km.shape[0])
    sup, svec = _as_supply(supply, dist_km.shape[1])
    if dem.shape[1] not in (1, sup.shape[1]):
        raise ValueError("demand and supply need the same number of columns (or one demand column)")
    weights = catchment_weights(dist_km, catchment_km, method)
    return _unwrap(_two_step(weights, dem, sup, per), dvec and svec)


def reference_access(demand, access) -> np.ndarray:
    """City-wide access: the demand-weighted mean of the zones' scores (NaN where there is no demand).

    For 2SFCA this equals ``1000 x (services reaching at least one person) / (all people)``, the
    city-wide ratio, because step 1 shares every site's supply out among the people who can reach it.
    """
    dem = np.nan_to_num(np.asarray(demand, dtype=float), nan=0.0)
    acc = np.nan_to_num(np.asarray(access, dtype=float), nan=0.0)
    if dem.ndim == 1 and acc.ndim == 2:
        dem = dem[:, None]
    total = dem.sum(axis=0)
    weighted = (dem * acc).sum(axis=0)
    return np.divide(weighted, total, out=np.full(np.shape(total), np.nan), where=total > 0)


def gap_index(demand, access) -> np.ndarray:
    """People short of the city-wide level of access: ``demand x max(0, 1 - access / city-wide access)``.

    In words: the number of people in the neighbourhood times the share by which its access score
    falls short of the city-wide average. A neighbourhood with no service in reach counts all its
    people; one at or above the average counts none. NaN where demand is unknown.

    Example
    -------
    >>> gap_index([100, 100, 100], [0.0, 1.0, 2.0]).tolist()   # city-wide access here: 1.0
    [100.0, 0.0, 0.0]
    """
    dem = np.asarray(demand, dtype=float)
    acc = np.nan_to_num(np.asarray(access, dtype=float), nan=0.0)
    if dem.ndim == 1 and acc.ndim == 2:
        dem = np.repeat(dem[:, None], acc.shape[1], axis=1)
    ref = reference_access(dem, acc)
    with np.errstate(divide="ignore", invalid="ignore"):
        shortfall = np.where(ref > 0, np.clip(1.0 - acc / ref, 0.0, 1.0), 1.0)
    return dem * shortfall


def gap_ranks(gap, demand, nearest) -> np.ndarray:
    """Rank 1 = worst served: largest gap first, ties by farther nearest service, then more demand.

    Zones with unknown demand (NaN gap) get rank 0 (unranked). Vectors give a vector; (Z, M) arrays
    give one ranking per column.

    Example
    -------
    >>> gap_ranks([5.0, 10.0, np.nan, 5.0], [5, 10, np.nan, 8], [1.0, 0.5, 2.0, 3.0]).tolist()
    [3, 1, 0, 2]
    """
    gap = np.asarray(gap, dtype=float)
    vector = gap.ndim == 1
    gap = np.atleast_2d(gap.T)                                   # (M, Z): one ranking per row
    dem = np.broadcast_to(np.nan_to_num(np.atleast_2d(np.asarray(demand, dtype=float).T), nan=0.0), gap.shape)
    # A zone with nothing in reach anywhere sorts as infinitely far.
    near = np.nan_to_num(np.atleast_2d(np.asarray(nearest, dtype=float).T), nan=np.inf)
    known = ~np.isnan(gap)
    # lexsort sorts by the last key first, ascending; negate for "largest first".
    order = np.lexsort((-dem, -near, -np.nan_to_num(gap, nan=0.0), ~known), axis=-1)
    ranks = np.empty_like(order)
    rows = np.arange(gap.shape[0])[:, None]
    ranks[rows, order] = np.arange(1, gap.shape[1] + 1)[None, :]
    ranks[~known] = 0
    return ranks[0] if vector else ranks.T


def compute_measures(dist_km: np.ndarray, demand, supply, catchment_km: float = DEFAULT_CATCHMENT_KM,
                     method: str = "2sfca") -> dict[str, np.ndarray]:
    """Every measure for every zone and combination: nearest_km, services_within, access_score, gap_index.

    ``demand`` is (Z,) or (Z, M) and ``supply`` (S,) or (S, M) (dense or scipy sparse); results are
    (Z,) or (Z, M) arrays. Ranks are per combination: see :func:`gap_ranks`.
    """
    dem, dvec = _as_demand(demand, dist_km.shape[0])
    sup, svec = _as_supply(supply, dist_km.shape[1])
    if dem.shape[1] not in (1, sup.shape[1]):
        raise ValueError("demand and supply need the same number of columns (or one demand column)")
    vec = dvec and svec
    inside = catchment_weights(dist_km, catchment_km, "2sfca")
    weights = inside if method == "2sfca" else catchment_weights(dist_km, catchment_km, method)
    access = _two_step(weights, dem, sup, 1000.0)
    return {
        "nearest_km": _unwrap(_nearest(dist_km, sup), vec),
        "services_within": _unwrap(_within(inside, sup), vec),
        "access_score": _unwrap(access, vec),
        "gap_index": _unwrap(gap_index(dem if dem.shape[1] == sup.shape[1] else dem[:, 0], access), vec),
    }
