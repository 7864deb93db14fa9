"""Field checks and geo helpers: NPI check digits, ZIP restoration, distances, the US box."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from network.geo import (
    chord_for_miles,
    haversine_miles,
    haversine_miles_many,
    in_us,
    normalize_zip,
    unit_vectors,
    zip_centroid,
)
from network.validate import is_taxonomy_code, npi_check_digit_ok, npi_problem, parse_date, with_check_digit


@pytest.mark.parametrize("npi", ["1234567893", "1003000126", "1497758544"])
def test_valid_npis(npi: str) -> None:
    assert npi_check_digit_ok(npi) and npi_problem(npi) is None


def test_npi_problems_name_the_rule() -> None:
    assert npi_problem("1234567890") == "NPI check digit (Luhn, prefix 80840) fails"
    assert npi_problem("12345") == "NPI must be 10 digits"
    # The Plan-Net IG examples' shared NPI: a valid check digit, but NPPES never issues a leading 9.
    assert npi_problem("9941339100") == "NPI must start with 1 or 2"


@given(st.from_regex(r"^[12][0-9]{8}$", fullmatch=True))
def test_with_check_digit_always_validates(first9: str) -> None:
    npi = with_check_digit(first9)
    assert npi.startswith(first9) and npi_problem(npi) is None
    wrong = npi[:9] + str((int(npi[9]) + 1) % 10)
    assert not npi_check_digit_ok(wrong)


@pytest.mark.parametrize(
    ("raw", "zip5"),
    [
        ("6101", "06101"),
        ("06101", "06101"),
        ("061011234", "06101"),
        ("61011234", "06101"),
        ("06101-1234", "06101"),
        ("2101", "02101"),
        ("abcde", None),
        ("", None),
        ("1234567890", None),
    ],
)
def test_normalize_zip_restores_lost_leading_zeros(raw: str, zip5: str | None) -> None:
    assert normalize_zip(raw) == zip5


def test_zip_centroid_with_county_and_zip3_fallback() -> None:
    hartford = zip_centroid("06101")
    assert hartford is not None and hartford.county_fips == "09003" and hartford.precision == "zip_centroid"
    boston = zip_centroid("02101")  # not in the offline ZIP table: its 3-digit area stands in
    assert boston is not None and boston.precision == "zip3_centroid" and boston.state == "MA"
    assert zip_centroid("00000") is None


def test_haversine_known_distance_and_vectorised_twin() -> None:
    d = haversine_miles(41.7658, -72.6734, 42.3601, -71.0589)  # Hartford -> Boston
    assert 91 < d < 94
    many = haversine_miles_many(
        41.7658, -72.6734, np.array([42.3601, 41.7658]), np.array([-71.0589, -72.6734])
    )
    assert many[0] == pytest.approx(d, abs=1e-9) and many[1] == 0.0


@given(st.floats(0, 3000))
def test_chord_matches_great_circle(miles: float) -> None:
    a = unit_vectors(np.array([0.0]), np.array([0.0]))[0]
    lon = math.degrees(miles / 3958.7613)
    b = unit_vectors(np.array([0.0]), np.array([lon]))[0]
    assert float(np.linalg.norm(a - b)) == pytest.approx(chord_for_miles(miles), abs=1e-9)


def test_in_us_box() -> None:
    assert in_us(41.77, -72.68) and in_us(13.44, 144.79)  # Hartford, Guam
    assert not in_us(-72.68, 41.77) and not in_us(0.0, 0.0) and not in_us(48.85, 2.35)


def test_taxonomy_and_dates() -> None:
    assert is_taxonomy_code("207RC0000X") and not is_taxonomy_code("207RC0000") and not is_taxonomy_code("x")
    assert parse_date("2024-02-29") == "2024-02-29"
    assert parse_date("02/29/2024") == "2024-02-29"
    assert parse_date("20240229") == "2024-02-29"
    assert parse_date("2023-02-29") is None and parse_date("soon") is None


def _strptime_date(raw: str) -> str | None:
    """parse_date as it was before its ISO fast path: the reference the fast path must agree with."""
    raw = raw.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d"):
        try:
            return datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return None


_DATE_CHARS = st.sampled_from("0123456789-/ W\u0661")  # W: ISO week dates; U+0661: a non-ASCII digit


@given(
    st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.builds(
            lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
            st.integers(0, 9999),
            st.integers(0, 99),
            st.integers(0, 99),
        ),
        st.lists(_DATE_CHARS, max_size=12).map("".join),
    )
)
def test_parse_date_agrees_with_strptime(raw: str) -> None:
    assert parse_date(raw) == _strptime_date(raw)
    assert parse_date(f" {raw} ") == _strptime_date(raw)


def test_parse_date_edge_cases() -> None:
    for raw in (
        "2025-W01-1",
        "2025-1-5",
        "0000-01-01",
        "2025-02-30",
        "2024-12-31",
        "\uff12\uff10\uff12\uff14-01-01",
        "2024-01-01T00",
    ):
        assert parse_date(raw) == _strptime_date(raw), raw
