"""Warming the referral search's plans, so that no member's search pays for one.

On Neo4j the search's statement names its specialty's twins in its text (network.store.twins), so each
specialty is a statement of its own, planned the first time it is asked: 0.5-2 s, again after Neo4j
restarts or after a load changed the graph's statistics enough for Neo4j to plan again (BENCHMARKS.md,
optimisation 32). Warming asks each CMS specialty type once, and a search naming none, for a plan that
does not exist: Neo4j plans the statement and the statement reads nothing. A NUCC code asked on its own
is a statement of its own too; name the ones members use (``terms``).

On the embedded store there is nothing to plan; warming costs a few milliseconds there.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from threading import Event

from network.deadline import deadline_after
from network.errors import InvalidInput
from network.services.inputs import GeoQuery
from network.services.outcomes import InvalidRequest
from network.services.referrals import ReferralRequest, referral_options
from network.specialties import reference
from network.store import GraphStore
from network.store.replan import PLAN_LIMIT_S

# Each warming search's time limit (network.deadline), instead of the API's request timeout: a request
# timeout shorter than the planning time must not stop the warming that spares members the wait.
WARM_SEARCH_LIMIT_S = PLAN_LIMIT_S

# A well-formed NPI (its check digit holds). Whoever it is, the plan below never exists (a plan's id is
# never empty), so the statement ranks within no network and reads nothing.
WARM_PCP = "1234567893"
NO_PLAN = ""


@dataclass(frozen=True, slots=True)
class Warmed:
    searches: int  # one per term: the statements Neo4j planned, or found planned already
    seconds: float
    stopped: bool = False  # asked to stop before every term was warmed


def default_terms() -> tuple[str | None, ...]:
    """A search naming no specialty, and one for each CMS 42 CFR 422.116 specialty type."""
    return (None, *reference().cms_types)


def warm_referral_search(
    store: GraphStore, terms: Iterable[str | None] | None = None, stop: Event | None = None
) -> Warmed:
    """Runs the referral search once per term (``default_terms()`` when None), reading nothing.

    Raises :class:`InvalidInput` naming the term when one is not a specialty pnet knows (the check a
    member's search makes). ``stop`` is looked at between terms: a server shutting down sets it.
    """
    started = time.perf_counter()
    done = 0
    for term in default_terms() if terms is None else terms:
        if stop is not None and stop.is_set():
            return Warmed(done, time.perf_counter() - started, stopped=True)
        request = ReferralRequest(
            pcp_npi=WARM_PCP, plan_id=NO_PLAN, near=GeoQuery(lat=0.0, lon=0.0), specialty=term
        )
        with deadline_after(WARM_SEARCH_LIMIT_S):
            outcome = referral_options(store, request, first=1)
        if isinstance(outcome, InvalidRequest):
            close = f" (close: {', '.join(outcome.suggestions)})" if outcome.suggestions else ""
            raise InvalidInput(
                f"cannot warm the search for {term!r}: {outcome.message}{close}",
                field="specialty",
                suggestions=list(outcome.suggestions),
            )
        done += 1
    return Warmed(done, time.perf_counter() - started)
