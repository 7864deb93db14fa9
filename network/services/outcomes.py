"""Expected failures of the services, as values: the API turns each into a member of a result union."""

from __future__ import annotations

from dataclasses import dataclass

from network.errors import InvalidInput
from network.model import Plan, Practitioner


@dataclass(frozen=True, slots=True)
class InvalidRequest:
    """An argument is wrong; ``field`` names it (API spelling) and ``suggestions`` may say what fits."""

    message: str
    field: str | None = None
    suggestions: tuple[str, ...] = ()

    @classmethod
    def from_error(cls, exc: InvalidInput) -> InvalidRequest:
        return cls(str(exc), exc.field, tuple(exc.suggestions))


@dataclass(frozen=True, slots=True)
class ProviderNotFound:
    npi: str


@dataclass(frozen=True, slots=True)
class PlanNotFound:
    plan_id: str


@dataclass(frozen=True, slots=True)
class PcpNotInNetwork:
    """The PCP holds no PCP participation in effect on ``as_of`` in any network the plan uses."""

    pcp: Practitioner
    plan: Plan
    as_of: str
    pcp_network_ids: tuple[str, ...]  # networks where the PCP does hold a PCP participation that day
