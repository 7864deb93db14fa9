"""On a real Neo4j: a search stopped while Neo4j plans it leaves no plan, so the store plans it again in
the background, and a later search under the same short limit answers (network.store.replan)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from support.api_region import AS_OF, CENTER, PCP, build_region

from network.errors import StoreTimeout
from network.store import GeoPoint, GraphStore, RankQuery
from network.store.neo4j import (
    Neo4jStore,
    _reading_nothing,
    rank_args,
    rank_params,
    rank_text,
    search_params,
)
from network.store.rows import ReferralAsk

pytestmark = pytest.mark.neo4j

# Under the time a new referral search text takes Neo4j to plan (0.15-2 s here), over what a planned one
# takes to run on the region.
SHORT_S = 0.05
HARTFORD = GeoPoint(CENTER["lat"], CENTER["lon"])


def _never_searched() -> RankQuery:
    """A search for a code made up for this run: its twins make a statement text Neo4j has not planned
    yet, even on an instance that ran this test before (the plan cache outlives a test run)."""
    return RankQuery(
        network_ids=("N-HMO",),
        as_of=AS_OF,
        center=HARTFORD,
        radius_miles=25.0,
        specialty_codes=frozenset({f"9{uuid.uuid4().hex[:9].upper()}"}),
    )


def test_the_planning_read_ranks_within_no_network_on_a_real_graph(neo4j_store: GraphStore) -> None:
    assert isinstance(neo4j_store, Neo4jStore)
    build_region(neo4j_store)
    search = RankQuery(network_ids=("N-HMO",), as_of=AS_OF, center=HARTFORD, radius_miles=25.0)
    assert neo4j_store.rank_specialists(search).items  # the member's search finds specialists here
    ask = ReferralAsk(pcp_npi=PCP, plan_id="HMO", specialty_key=None, query=search)
    for params in (rank_params(search, 25.0), search_params(ask, 25.0)):  # both ways a ranking is asked
        quiet = _reading_nothing(params)
        at_hartford = {**quiet, "lat": HARTFORD.lat, "lon": HARTFORD.lon}  # empty for its networks alone
        for sent in (quiet, at_hartford):
            rows = neo4j_store._run(rank_text(search), rank_args(sent))
            assert [(r["npi"], r["total"]) for r in rows] == [(None, 0)]  # the same text, nothing ranked


@pytest.mark.timeout(300)
def test_a_stopped_search_is_planned_behind_it_and_then_answers(
    neo4j_store: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(neo4j_store, Neo4jStore)
    build_region(neo4j_store)
    store = Neo4jStore(neo4j_store._driver, database=neo4j_store._database, read_timeout_s=SHORT_S)
    started: list[threading.Thread] = []
    timed_out = store._replanner.timed_out

    def recorded(text: str, plan: Callable[[], object]) -> threading.Thread | None:
        thread = timed_out(text, plan)
        if thread is not None:
            started.append(thread)
        return thread

    store._replanner.timed_out = recorded  # type: ignore[method-assign]
    # Neo4j checks the limit as it goes, and now and then finishes a plan and its short read before it
    # looks: 2 new texts in 5 answered under this limit. A stopped one is what this test is about.
    with caplog.at_level("WARNING", logger="pnet.store"):
        for _ in range(8):
            search = _never_searched()
            try:
                store.rank_specialists(search)
            except StoreTimeout:
                break
        else:
            pytest.fail("no new search text was stopped under the limit: nothing was left to plan again")
        assert len(started) == 1, "the stopped search was not planned again"
        started[0].join(60)
        assert not started[0].is_alive(), "the background planning never ended"
    # The planning read ran, and did not fail.
    assert [r.getMessage() for r in caplog.records if r.name == "pnet.store"] == []
    # Here Neo4j may also get there alone, a stopped try at a time (3-6 more on this graph; on the M
    # graph none of 6 did): the unit tests show the read behind it is made (tests/unit/test_neo4j_replan.py).
    # Planned, it answers; a try or two spare for a pause of the JVM's under a limit this short.
    for attempt in range(3):
        try:
            assert store.rank_specialists(search).items == []  # no one has the made-up code
            break
        except StoreTimeout:
            if attempt == 2:
                raise
