"""Warming the referral search's plans (network.services.warmup), on the embedded store: which searches it
asks, that they read nothing, its errors, its stop, and the API's lifespan running it in the background.
The plans themselves are Neo4j's: tests/contract/test_referral_search.py checks those."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from threading import Event

import pytest
from support.api_region import build_region

from network.errors import InvalidInput
from network.services.warmup import WARM_PCP, default_terms, warm_referral_search
from network.settings import Settings
from network.specialties import reference
from network.store import ReferralAsk
from network.store.memory import MemoryStore
from network.store.rows import ReferralFound
from schema.app import create_app


class AskingStore(MemoryStore):
    """Remembers the searches it was asked and what they found."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[ReferralAsk, ReferralFound]] = []

    def referral_search(self, ask: ReferralAsk) -> ReferralFound:
        found = super().referral_search(ask)
        self.asked.append((ask, found))
        return found


def test_warms_every_cms_type_and_a_search_naming_none() -> None:
    store = AskingStore()
    build_region(store)  # a graph with specialists in it: the searches must still read none of them
    warmed = warm_referral_search(store)
    assert warmed.searches == len(default_terms()) == len(reference().cms_types) + 1
    assert not warmed.stopped
    asked = [ask.specialty_key for ask, _ in store.asked]
    assert asked[0] is None
    assert len(asked) == len(set(asked)) == warmed.searches
    for ask, found in store.asked:
        assert ask.pcp_npi == WARM_PCP
        assert ask.plan_id == ""
        assert found.page.items == []
        assert found.context.plan is None


def test_named_terms_only() -> None:
    store = AskingStore()
    warmed = warm_referral_search(store, ["Cardiology", "207RC0000X"])
    assert warmed.searches == 2
    assert [ask.query.specialty_codes for ask, _ in store.asked] == [
        reference().codes_for_cms_type("Cardiology"),
        frozenset({"207RC0000X"}),
    ]


def test_an_unknown_term_is_named_with_close_ones() -> None:
    with pytest.raises(InvalidInput, match=r"'Cardiolgy'.*close: Cardiology") as err:
        warm_referral_search(MemoryStore(), ["Cardiolgy"])
    assert err.value.field == "specialty"


def test_stops_between_terms() -> None:
    stop = Event()
    store = AskingStore()
    original = store.referral_search

    def then_stop(ask: ReferralAsk) -> ReferralFound:
        stop.set()  # as a server shutting down during the first search would
        return original(ask)

    store.referral_search = then_stop  # type: ignore[method-assign]
    warmed = warm_referral_search(store, stop=stop)
    assert (warmed.searches, warmed.stopped) == (1, True)


@pytest.mark.parametrize("enabled", [True, False])
async def test_the_api_warms_as_it_starts_when_asked(enabled: bool, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pnet.api")
    store = AskingStore()
    app = create_app(Settings(warm_search_plans=enabled), store)
    async with app.router.lifespan_context(app):
        # The API answers while it warms; leaving sooner would stop the warming between terms.
        deadline = time.monotonic() + 10
        while enabled and len(store.asked) < len(default_terms()) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
    # Leaving the lifespan waited for the warming thread: its log line is there.
    assert len(store.asked) == (len(default_terms()) if enabled else 0)
    logged = [r.getMessage() for r in caplog.records if "warmed" in r.getMessage()]
    assert len(logged) == int(enabled)
    if enabled:
        assert logged[0].startswith(f"warmed {len(default_terms())} referral searches in ")


async def test_leaving_the_lifespan_stops_the_warming_and_waits_for_it() -> None:
    store = AskingStore()
    app = create_app(Settings(warm_search_plans=True), store)
    async with app.router.lifespan_context(app):
        pass  # a server stopped as soon as it started
    assert not any(t.name == "pnet-warm-plans" for t in threading.enumerate())
    assert len(store.asked) <= len(default_terms())  # stopped between terms, maybe before the first
