"""Property: the vectorised audit (k-d trees, caps, chords) equals a brute-force all-pairs reference."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from network.adequacy.core import BOUNDARY_EPS_MILES, PointSet, ProviderSet, audit_type
from network.geo import haversine_miles

coord = st.tuples(st.floats(38.0, 44.0), st.floats(-76.0, -70.0))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[PointSet, np.ndarray, ProviderSet, float]:
    n_counties = draw(st.integers(1, 4))
    pts = draw(st.lists(st.tuples(coord, st.integers(0, n_counties - 1), st.floats(0.1, 5.0)), max_size=25))
    locs = draw(st.lists(st.tuples(coord, st.integers(0, 6)), max_size=25))
    # Some providers stand exactly on a sample point: distance zero must count.
    if pts and locs and draw(st.booleans()):
        locs[0] = (pts[0][0], locs[0][1])
    limits = draw(
        st.lists(
            st.one_of(st.floats(0.5, 250.0), st.just(math.nan)), min_size=n_counties, max_size=n_counties
        )
    )
    detour = draw(st.floats(1.0, 2.0))
    pointset = PointSet(
        lat=np.array([p[0][0] for p in pts], dtype=float),
        lon=np.array([p[0][1] for p in pts], dtype=float),
        weight=np.array([p[2] for p in pts], dtype=float),
        county=np.array([p[1] for p in pts], dtype=np.intp),
        n_counties=n_counties,
    )
    providers = ProviderSet(
        lat=np.array([loc[0][0] for loc in locs], dtype=float),
        lon=np.array([loc[0][1] for loc in locs], dtype=float),
        provider=np.array([loc[1] for loc in locs], dtype=np.intp),
    )
    return pointset, np.array(limits, dtype=float), providers, detour


def brute_force(
    points: PointSet, limits: np.ndarray, providers: ProviderSet, detour: float
) -> dict[str, list]:
    """Every point against every location with the scalar formula; no trees, no pruning."""
    nearest, covered = [], []
    counted: list[set[int]] = [set() for _ in range(points.n_counties)]
    for i in range(len(points)):
        limit = limits[points.county[i]]
        dists = [
            haversine_miles(points.lat[i], points.lon[i], providers.lat[j], providers.lon[j]) * detour
            for j in range(len(providers))
        ]
        nearest.append(min(dists, default=math.inf))
        covered.append(bool(dists) and not math.isnan(limit) and min(dists) <= limit + BOUNDARY_EPS_MILES)
        for j, d in enumerate(dists):
            if not math.isnan(limit) and d <= limit + BOUNDARY_EPS_MILES:
                counted[points.county[i]].add(int(providers.provider[j]))
    weights = [0.0] * points.n_counties
    covered_weights = [0.0] * points.n_counties
    for i in range(len(points)):
        weights[points.county[i]] += points.weight[i]
        covered_weights[points.county[i]] += points.weight[i] if covered[i] else 0.0
    return {
        "nearest": nearest,
        "covered": covered,
        "counted": [len(s) for s in counted],
        "weights": weights,
        "covered_weights": covered_weights,
    }


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_vectorised_audit_equals_brute_force(
    scenario: tuple[PointSet, np.ndarray, ProviderSet, float],
) -> None:
    points, limits, providers, detour = scenario
    fast = audit_type(points, limits, providers, detour)
    slow = brute_force(points, limits, providers, detour)
    assert fast.covered.tolist() == slow["covered"]
    assert fast.providers_counted.tolist() == slow["counted"]
    np.testing.assert_allclose(fast.nearest_miles, slow["nearest"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(fast.points_weight, slow["weights"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast.covered_weight, slow["covered_weights"], rtol=1e-12, atol=1e-12)
