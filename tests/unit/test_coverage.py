"""Coverage measures against a case small enough to work out by hand.

Three neighbourhoods on a line (x in metres): N1 at 0, N2 at 3,000, N3 at 10,000; two services:
A at 1,000 and B at 4,000. Newcomers: N1 1,000, N2 500, N3 200. Catchment 2 km.

Distances (km): N1 -> A 1, B 4; N2 -> A 2, B 1; N3 -> A 9, B 6.
2SFCA step 1: A is reached by N1 + N2 = 1,500 people -> 1/1,500; B by N2 = 500 -> 1/500.
Step 2 (per 1,000): N1 = 1000/1500 = 0.667; N2 = 1000/1500 + 1000/500 = 2.667; N3 = 0.
City-wide: 2 services for 1,700 newcomers = 1.176 per 1,000.
Gap: N1 = 1000 x (1 - 0.667/1.176) = 433.3; N2 = 0 (above average); N3 = 200 (nothing in reach).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from elip_map.coverage import measures as cov

ZONE_X, ZONE_Y = [0.0, 3000.0, 10000.0], [0.0, 0.0, 0.0]
SITE_X, SITE_Y = [1000.0, 4000.0], [0.0, 0.0]
DEMAND = [1000.0, 500.0, 200.0]


@pytest.fixture
def dist():
    return cov.distance_matrix_km(ZONE_X, ZONE_Y, SITE_X, SITE_Y)


def test_distances_are_straight_line_km(dist):
    assert dist.tolist() == [[1.0, 4.0], [2.0, 1.0], [9.0, 6.0]]


def test_nearest_km(dist):
    assert cov.nearest_km(dist, [1, 1]).tolist() == [1.0, 1.0, 6.0]
    # Only B offers it: N1 is 4 km away.
    assert cov.nearest_km(dist, [0, 1]).tolist() == [4.0, 1.0, 6.0]


def test_nearest_km_is_missing_when_no_site_offers_the_service(dist):
    assert np.isnan(cov.nearest_km(dist, [0, 0])).all()


@pytest.mark.parametrize("catchment, expected", [
    (2.0, [1, 2, 0]),      # the edge counts as inside: N2 -> A is exactly 2 km
    (0.5, [0, 0, 0]),
    (6.0, [2, 2, 1]),
])
def test_services_within_catchment(dist, catchment, expected):
    assert cov.services_within(dist, [1, 1], catchment).tolist() == expected


def test_services_within_counts_every_service_at_a_site(dist):
    assert cov.services_within(dist, [3, 1], 2.0).tolist() == [3, 4, 0]


def test_two_step_fca_by_hand(dist):
    scores = cov.two_step_fca(dist, DEMAND, [1, 1], 2.0)
    assert scores == pytest.approx([1000 / 1500, 1000 / 1500 + 1000 / 500, 0.0])


def test_enhanced_two_step_fca_with_gaussian_decay_by_hand(dist):
    # The decay is 0 at the catchment edge, so N2 no longer shares A; w(1 km) cancels out:
    # A: 1/(1000 w), N1 = 1000 w / (1000 w) = 1; B: 1/(500 w), N2 = 1000 w / (500 w) = 2.
    w1 = (math.exp(-0.125) - math.exp(-0.5)) / (1 - math.exp(-0.5))
    assert cov.catchment_weights(dist, 2.0, "e2sfca").toarray()[0, 0] == pytest.approx(w1)
    scores = cov.two_step_fca(dist, DEMAND, [1, 1], 2.0, method="e2sfca")
    assert scores == pytest.approx([1.0, 2.0, 0.0])


def test_unknown_demand_takes_no_share_but_still_gets_a_score(dist):
    scores = cov.two_step_fca(dist, [np.nan, 500.0, 200.0], [1, 1], 2.0)
    # A is now shared by N2 alone: 1/500 + 1/500.
    assert scores == pytest.approx([2.0, 4.0, 0.0])


def test_reference_access_is_the_city_wide_ratio(dist):
    scores = cov.two_step_fca(dist, DEMAND, [1, 1], 2.0)
    assert cov.reference_access(DEMAND, scores) == pytest.approx(1000 * 2 / 1700)


def test_gap_index_by_hand(dist):
    scores = cov.two_step_fca(dist, DEMAND, [1, 1], 2.0)
    gap = cov.gap_index(DEMAND, scores)
    city = 1000 * 2 / 1700
    assert gap == pytest.approx([1000 * (1 - (1000 / 1500) / city), 0.0, 200.0])


def test_gap_rank_one_is_the_worst_served(dist):
    m = cov.compute_measures(dist, DEMAND, [1, 1], 2.0)
    assert cov.gap_ranks(m["gap_index"], DEMAND, m["nearest_km"]).tolist() == [1, 3, 2]


def test_gap_without_any_service_is_all_the_demand(dist):
    m = cov.compute_measures(dist, DEMAND, [0, 0], 2.0)
    assert m["gap_index"].tolist() == DEMAND
    assert cov.gap_ranks(m["gap_index"], DEMAND, m["nearest_km"]).tolist() == [1, 2, 3]


def test_unknown_demand_is_unranked(dist):
    demand = [1000.0, np.nan, 200.0]
    m = cov.compute_measures(dist, demand, [1, 1], 2.0)
    assert np.isnan(m["gap_index"][1])
    assert cov.gap_ranks(m["gap_index"], demand, m["nearest_km"])[1] == 0


def test_many_combinations_at_once_match_one_at_a_time(dist):
    supply = np.array([[1, 0, 2], [1, 1, 0]], dtype=float)       # three combinations
    demand = np.array([[1000, 10, 1000], [500, 20, 500], [200, 30, 200]], dtype=float)
    together = cov.compute_measures(dist, demand, supply, 2.0)
    for m in range(3):
        alone = cov.compute_measures(dist, demand[:, m], supply[:, m], 2.0)
        for key, values in alone.items():
            np.testing.assert_allclose(together[key][:, m], values, equal_nan=True)


@pytest.mark.parametrize("catchment, method, message", [
    (0.0, "2sfca", "more than 0 km"),
    (2.0, "3sfca", "unknown method"),
])
def test_bad_parameters_get_a_plain_error(dist, catchment, method, message):
    with pytest.raises(ValueError, match=message):
        cov.two_step_fca(dist, DEMAND, [1, 1], catchment, method)
