"""Sample points: member CSVs (lat/lon or ZIP, optional weight) and the ZIP-centroid default."""

from __future__ import annotations

from pathlib import Path

import pytest

from network.adequacy.points import read_points, zip_centroid_points
from network.errors import DataError
from network.geo import zip_centroid


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "members.csv"
    path.write_text(text)
    return path


def test_reads_lat_lon_and_zip_rows_with_default_weight(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "id,lat,lon,zip,county_fips,weight\n"
        "m1,41.76,-72.68,,09003,2.5\n"
        "m2,,,06106,,\n"  # ZIP only: its centroid and county, weight 1
        "m3,41.30,-72.90,,9009,\n",  # a spreadsheet dropped the leading zero
    )
    pts = read_points(path, {"09003", "09009"})
    hartford = zip_centroid("06106")
    assert hartford is not None
    assert pts.lat.tolist() == [41.76, hartford.lat, 41.30]
    assert pts.weight.tolist() == [2.5, 1.0, 1.0]
    assert pts.county_fips == ["09003", hartford.county_fips, "09009"]
    assert (pts.rows_read, pts.rejected, pts.outside, pts.source) == (3, 0, 0, "file")
    assert pts.personal


def test_bad_rows_are_counted_by_line_and_reason_never_by_value(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "id,lat,lon,zip,county_fips,weight\n"
        "secret-1,41.123456,-72.654321,,09003,-3\n"
        "secret-2,72.6543,41.1234,,09003,\n"  # swapped lat/lon
        "secret-3,41.5,-72.5,,,\n"  # lat/lon without a county
        "secret-4,,,99999,,\n"  # unknown ZIP
        "secret-5,41.5,-72.5,,06037,\n",  # another county: outside the audit, not a problem
    )
    pts = read_points(path, {"09003"})
    assert (pts.rows_read, pts.rejected, pts.outside, len(pts)) == (5, 4, 1, 0)
    assert [(p.line, p.field) for p in pts.problems] == [
        (2, "weight"),
        (3, "lat/lon"),
        (4, "county_fips"),
        (5, "zip"),
    ]
    text = repr(pts.problems)
    for value in ("secret", "41.123456", "72.654321", "99999", "-3"):
        assert value not in text


def test_a_file_without_the_needed_columns_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="id and lat,lon"):
        read_points(_write(tmp_path, "member,lat,lon\n1,41,-72\n"), {"09003"})
    with pytest.raises(DataError, match="county_fips"):
        read_points(_write(tmp_path, "id,lat,lon\n1,41,-72\n"), {"09003"})
    with pytest.raises(DataError, match="cannot open"):
        read_points(tmp_path / "missing.csv", {"09003"})


def test_zip_centroids_stand_in_for_members_per_county() -> None:
    pts = zip_centroid_points(["09003", "09013"])
    assert len(pts) > 20
    assert set(pts.county_fips) == {"09003", "09013"}
    assert pts.weight.tolist() == [1.0] * len(pts)
    assert pts.source == "zip_centroids" and not pts.personal
    assert "ZIP" in pts.note
