"""The API test region plus the counties a network adequacy audit needs."""

from __future__ import annotations

from typing import TypeVar

from network.model import County
from network.store import GraphStore
from support.api_region import build_region

S = TypeVar("S", bound=GraphStore)
HARTFORD, NEW_HAVEN, TOLLAND = "09003", "09009", "09013"


def build_adequacy_region(store: S) -> S:
    """The API test region plus the counties an audit needs: Hartford Rural, New Haven Metro, and Tolland
    without a designation (skipped). The PPO network has cardiologists near Hartford and no OB/GYN."""
    build_region(store)
    store.upsert(
        [
            County(
                fips=HARTFORD, name="Hartford", state="CT", designation="Rural", beneficiaries_required=1000
            ),
            County(
                fips=NEW_HAVEN, name="New Haven", state="CT", designation="Metro", beneficiaries_required=1000
            ),
            County(fips=TOLLAND, name="Tolland", state="CT"),
        ]
    )
    return store
