"""The outcomes of ``networkAdequacy`` (``NetworkNotFound`` is new here) and the audit run off the loop.

The audit is CPU-bound and runs in a worker thread through the store gateway. When the request times out
the gateway abandons the thread; the audit then stops at its next specialty type instead of computing a
report nobody will read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import strawberry

from network.adequacy import AdequacyReport, AdequacyRequest, audit_adequacy
from network.errors import InvalidInput, NotFound
from network.services import InvalidRequest, PlanNotFound
from network.store import GraphStore
from schema.gateway import StoreGateway
from schema.types.problems import ProblemType

# The service names arguments as the CLI does; a client should see the input's field names.
_API_FIELDS = {"network": "networkId", "detour_factor": "detourFactor", "specialty_types": "specialtyTypes"}


@dataclass(frozen=True, slots=True)
class NetworkNotFound:
    network_id: str


AdequacyOutcome = AdequacyReport | NetworkNotFound | PlanNotFound | InvalidRequest


@strawberry.type(name="NetworkNotFound")
class NetworkNotFoundType(ProblemType):
    network_id: strawberry.ID

    @classmethod
    def from_domain(cls, outcome: NetworkNotFound) -> NetworkNotFoundType:
        return cls(
            message=f"no network with id {outcome.network_id!r}", network_id=strawberry.ID(outcome.network_id)
        )


class AuditAbandoned(Exception):
    """The request that wanted the audit is gone (timed out or cancelled): stop computing."""


def audit_outcome(store: GraphStore, request: AdequacyRequest, abandoned: threading.Event) -> AdequacyOutcome:
    """The report, or why there is none, as a value; stops early once ``abandoned`` is set."""

    def progress(done: int, total: int) -> None:
        if abandoned.is_set():
            raise AuditAbandoned(f"abandoned after {done} of {total} specialty types")

    try:
        return audit_adequacy(store, request, progress)
    except InvalidInput as exc:
        return InvalidRequest(str(exc), _API_FIELDS.get(exc.field or "", exc.field), tuple(exc.suggestions))
    except NotFound as exc:
        return _not_found(exc)


async def run_audit(gateway: StoreGateway, request: AdequacyRequest) -> AdequacyOutcome:
    abandoned = threading.Event()
    try:
        return await gateway.call(audit_outcome, gateway.store, request, abandoned)
    finally:
        abandoned.set()  # harmless once the audit is done; stops it when the request was cancelled


def _not_found(exc: NotFound) -> AdequacyOutcome:
    match exc.kind:
        case "network":
            return NetworkNotFound(exc.key)
        case "plan":
            return PlanNotFound(exc.key)
        case "county":
            return InvalidRequest(f"county {exc.key!r} is not loaded (pnet load counties)", "countyFips")
        case "counties of state":
            return InvalidRequest(f"no counties of {exc.key} are loaded (pnet load counties)", "state")
    raise exc  # a kind of its own: a bug here, not the client's input
