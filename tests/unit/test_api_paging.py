"""Cursor paging (network.services.paging): every item exactly once, whatever the keys and page size."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from network.errors import InvalidInput
from network.services.paging import SortKey, decode_cursor, encode_cursor, page_after

Item = tuple[int, float, str]

items = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),
        st.floats(min_value=0, max_value=200, allow_nan=False),
        st.from_regex(r"1[0-9]{9}", fullmatch=True),
    ),
    unique_by=lambda t: t[2],
    max_size=40,
)


def _key(item: Item) -> SortKey:
    return (-item[0], item[1], item[2])  # most prior referrals, then nearest, then NPI


@given(items, st.integers(min_value=1, max_value=7))
def test_paging_through_returns_each_item_once_in_order(raw: list[Item], first: int) -> None:
    ordered = sorted(raw, key=_key)
    seen: list[Item] = []
    after: SortKey | None = None
    while True:
        page = page_after(ordered, _key, after, first)
        assert page.total_count == len(ordered)
        assert page.has_previous == bool(seen)
        seen += page.items
        if not page.has_next:
            break
        cursor = encode_cursor("t", page.items[-1])
        prior, distance, npi = decode_cursor(cursor, "t", (int, (int, float), str))
        after = (-int(prior or 0), float(distance or 0), str(npi))
    assert seen == ordered


@given(st.floats(allow_nan=False), st.integers(), st.text())
def test_cursor_round_trip_is_exact(distance: float, prior: int, npi: str) -> None:
    assert decode_cursor(encode_cursor("x", (prior, distance, npi)), "x", (int, float, str)) == [
        prior,
        distance,
        npi,
    ]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), -0.0])
def test_a_distance_orjson_would_write_otherwise_still_round_trips(value: float) -> None:
    [decoded] = decode_cursor(encode_cursor("x", (value,)), "x", (float,))
    assert isinstance(decoded, float)
    assert math.isnan(decoded) if math.isnan(value) else decoded == value
    assert math.copysign(1, decoded) == math.copysign(1, value)


@pytest.mark.parametrize(("value", "kind"), [(2**64, int), (-(2**63) - 1, int), ("\ud800", str)])
def test_what_orjson_refuses_goes_through_json(value: int | str, kind: type) -> None:
    assert decode_cursor(encode_cursor("x", (value,)), "x", (kind,)) == [value]


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "nonsense",
        encode_cursor("other", (1, 2.0, "n")),
        encode_cursor("x", (1, 2.0)),
        encode_cursor("x", (True, 2.0, "n")),
    ],
)
def test_foreign_or_broken_cursors_are_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(cursor, "x", (int, float, str))
    assert caught.value.field == "after"
