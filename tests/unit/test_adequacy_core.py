"""The vectorised audit core on hand-computed cases: inclusive limits, detour, weights, counting."""

from __future__ import annotations

import math

import numpy as np
import pytest

from network.adequacy.core import PointSet, ProviderSet, audit_arrays, audit_type
from network.geo import EARTH_RADIUS_MILES, haversine_miles

BASE = (41.70, -72.70)


def north(miles: float, lat: float = BASE[0], lon: float = BASE[1]) -> tuple[float, float]:
    """The point ``miles`` due north (along a meridian the great-circle distance is R x dlat)."""
    return lat + math.degrees(miles / EARTH_RADIUS_MILES), lon


def points(
    coords: list[tuple[float, float]],
    county: list[int] | None = None,
    weight: list[float] | None = None,
    n: int = 1,
) -> PointSet:
    return PointSet(
        lat=np.array([c[0] for c in coords], dtype=float),
        lon=np.array([c[1] for c in coords], dtype=float),
        weight=np.array(weight or [1.0] * len(coords), dtype=float),
        county=np.array(county or [0] * len(coords), dtype=np.intp),
        n_counties=n,
    )


def providers(coords: list[tuple[float, float]], ids: list[int] | None = None) -> ProviderSet:
    return ProviderSet(
        lat=np.array([c[0] for c in coords], dtype=float),
        lon=np.array([c[1] for c in coords], dtype=float),
        provider=np.array(ids if ids is not None else list(range(len(coords))), dtype=np.intp),
    )


def test_a_point_exactly_at_the_limit_has_access() -> None:
    p = north(10.0)
    exact = haversine_miles(BASE[0], BASE[1], *p)
    result = audit_type(points([p]), np.array([exact]), providers([BASE]))
    assert result.covered.tolist() == [True]
    assert result.nearest_miles[0] == pytest.approx(exact, abs=1e-9)
    assert result.providers_counted.tolist() == [1]


def test_a_point_just_beyond_the_limit_has_none() -> None:
    p = north(10.0)
    exact = haversine_miles(BASE[0], BASE[1], *p)
    result = audit_type(points([p]), np.array([exact - 0.001]), providers([BASE]))
    assert result.covered.tolist() == [False]
    assert result.providers_counted.tolist() == [0]


def test_detour_factor_multiplies_great_circle_miles() -> None:
    p = north(10.0)
    d = haversine_miles(BASE[0], BASE[1], *p)
    assert audit_type(points([p]), np.array([14.9]), providers([BASE]), detour=1.5).covered.tolist() == [
        False
    ]
    assert audit_type(points([p]), np.array([d * 1.5]), providers([BASE]), detour=1.5).covered.tolist() == [
        True
    ]
    nearest = audit_type(points([p]), np.array([20.0]), providers([BASE]), detour=1.5).nearest_miles[0]
    assert nearest == pytest.approx(d * 1.5)


def test_weights_sum_per_county() -> None:
    coords = [north(2), north(30), north(3), north(40)]
    result = audit_type(
        points(coords, county=[0, 0, 1, 1], weight=[3, 1, 2, 5], n=2),
        np.array([10.0, 10.0]),
        providers([BASE]),
    )
    assert result.points_weight.tolist() == [4, 7]
    assert result.covered_weight.tolist() == [3, 2]
    assert result.points_count.tolist() == [2, 2]
    assert result.covered_count.tolist() == [1, 1]


def test_providers_counted_once_within_reach_of_any_point_of_the_county() -> None:
    # County 0's only point sits at BASE; county 1's at 50 miles north.
    pts = points([BASE, north(50)], county=[0, 1], n=2)
    locs = [north(1), north(2), north(45), north(8)]
    ids = [7, 7, 9, 11]  # provider 7 practises at two locations within reach: counted once
    result = audit_type(pts, np.array([5.0, 10.0]), providers(locs, ids))
    assert result.providers_counted.tolist() == [1, 1]  # county 0: {7}; county 1: {9}
    wider = audit_type(pts, np.array([10.0, 10.0]), providers(locs, ids))
    assert wider.providers_counted.tolist() == [2, 1]  # county 0 now reaches provider 11 too


def test_unevaluated_county_and_missing_providers() -> None:
    pts = points([BASE, north(1)], county=[0, 1], n=2)
    result = audit_type(pts, np.array([np.nan, 5.0]), providers([BASE]))
    assert result.covered.tolist() == [False, True]
    assert result.providers_counted.tolist() == [0, 1]
    none = audit_type(pts, np.array([5.0, 5.0]), providers([]))
    assert none.covered.tolist() == [False, False]
    assert np.isinf(none.nearest_miles).all()


def test_counties_without_points_are_empty_not_errors() -> None:
    result = audit_type(points([BASE], county=[1], n=3), np.array([5.0, 5.0, 5.0]), providers([BASE]))
    assert result.points_weight.tolist() == [0, 1, 0]
    assert result.providers_counted.tolist() == [0, 1, 0]


def test_audit_arrays_splits_locations_by_type() -> None:
    pts = points([BASE])
    locs = providers([north(1), north(30)])
    limits = np.array([[5.0, 5.0]])
    first, second = audit_arrays(pts, limits, locs, np.array([1, 0], dtype=np.intp))
    assert first.covered.tolist() == [False]  # type 0 is only 30 miles away
    assert second.covered.tolist() == [True]


def test_rejects_a_non_positive_detour() -> None:
    with pytest.raises(ValueError, match="detour"):
        audit_type(points([BASE]), np.array([5.0]), providers([BASE]), detour=0)
