"""What a load's roster rows say together: one record per payer, network and plan.

Built by a first pass over the (small) files, before any row is mapped, so a plan's ``network_ids`` are
the networks of all its accepted rows whatever the batch. The first row about a plan or network states its
attributes; a later row contradicting it is a conflict (rejected). A payer's name comes from its own row
when it has one, else from the first row mentioning it (``partof_display``); other names are noted.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from loaders.plans.layouts import Facts, Problem, plan_design
from network.model import Label, Network, Organization, Plan, PlanType


@dataclass(slots=True)
class Roster:
    """The aggregate of a load's roster files: one record per payer, network and plan."""

    payers: dict[str, tuple[Organization, bool]] = field(default_factory=dict)  # key -> (record, own row)
    networks: dict[str, tuple[Network, str]] = field(default_factory=dict)  # id -> (record, first place)
    plans: dict[str, tuple[Plan, str]] = field(default_factory=dict)  # id -> (record, first place)
    conflicts: dict[tuple[str, int], Problem] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)

    def note(self, text: str) -> None:
        self.notes[text] = self.notes.get(text, 0) + 1

    def add(self, file: str, line: int, facts: Facts) -> None:
        where = f"{file}:{line}"
        problem = self._conflict(facts)
        if problem is not None:
            self.conflicts[(file, line)] = problem
            return
        for i, payer in enumerate(facts.payers):
            self._add_payer(payer, own=i == len(facts.payers) - 1 and facts.primary is not Label.NETWORK)
        if facts.network is not None:
            self.networks.setdefault(facts.network.id, (facts.network, where))
        if facts.plan is not None:
            plan, first = self.plans.setdefault(facts.plan.id, (facts.plan, where))
            networks = tuple(dict.fromkeys(plan.network_ids + facts.plan.network_ids))
            self.plans[plan.id] = (dataclasses.replace(plan, network_ids=networks), first)
            if plan_design(facts.plan_words) not in (None, PlanType(plan.plan_type)):
                self.note("plan names another design than its alias/type columns: the alias/type was used")

    def _conflict(self, facts: Facts) -> Problem | None:
        if facts.network is not None and facts.network.id in self.networks:
            known, first = self.networks[facts.network.id]
            for attr in ("name", "payer_id"):
                if getattr(known, attr) != getattr(facts.network, attr):
                    return Problem(
                        attr,
                        f"network {known.id} has another {attr} at {first}",
                        str(getattr(facts.network, attr)),
                    )
        if facts.plan is not None and facts.plan.id in self.plans:
            plan, first = self.plans[facts.plan.id]
            for attr in ("name", "plan_type", "referral_required", "payer_id"):
                if getattr(plan, attr) != getattr(facts.plan, attr):
                    return Problem(
                        attr, f"plan {plan.id} has another {attr} at {first}", str(getattr(facts.plan, attr))
                    )
        return None

    def _add_payer(self, payer: Organization, own: bool) -> None:
        known = self.payers.get(payer.id)
        if known is None or (own and not known[1]):
            self.payers[payer.id] = (payer, own)
        elif known[0] != payer and own == known[1]:
            self.note("payer named differently on several rows: the first row's name was kept")
