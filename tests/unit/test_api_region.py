"""The API tests' region (tests/support/api_region.py) has what they expect."""

from __future__ import annotations

from collections import Counter

from support.api_region import PCP, CountingStore, build_region

from network.model import Practitioner
from network.store.memory import MemoryStore


def test_region_has_what_the_api_tests_expect() -> None:
    store = build_region(MemoryStore())
    assert store.stats().nodes == {
        "Location": 13,
        "Network": 2,
        "Participation": 14,
        "Plan": 2,
        "Practitioner": 13,
        "Specialty": 3,
    }
    assert store.referral_counts(PCP, ["1900000001", "1900000004"]) == {"1900000001": 99, "1900000004": 96}


def test_counting_store_counts_round_trips() -> None:
    store = CountingStore()
    build_region(store)
    store.calls.clear()
    store.get(Practitioner(npi=PCP, name="x").LABEL, PCP)
    assert store.calls == Counter({"get_many": 1})
