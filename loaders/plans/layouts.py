"""The three plans layouts, told apart by header, and one CSV row of any of them as :class:`Facts`.

pnet's roster (one row per plan x network), the Plan-Net sample network file (one row per network) and its
managing-organizations file (one row per organization; plan rows name the network the plan uses). Parsing
a row looks at that row alone; what rows say together is :mod:`loaders.plans.roster`'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from loaders.errors import UnreadableSource
from network.model import Label, Network, Organization, OrgKind, Plan, PlanType

SOURCE = "plans"
SKIP_PROVIDER = "provider organization row: not a plan roster row (providers come from nppes/plannet)"
_TRUE, _FALSE = {"true", "t", "yes", "y", "1"}, {"false", "f", "no", "n", "0"}
_DESIGN_WORDS = [
    (re.compile(r"\b(hmo|health maintenance)\b", re.I), PlanType.HMO),
    (re.compile(r"\b(ppo|preferred provider)\b", re.I), PlanType.PPO),
    (re.compile(r"\b(epo|exclusive provider)\b", re.I), PlanType.EPO),
    (re.compile(r"\b(pos|point[- ]of[- ]service)\b", re.I), PlanType.POS),
]


class Layout(StrEnum):
    ROSTER = "pnet plan roster"
    NETWORKS = "Plan-Net sample network file"
    MANAGING_ORGS = "Plan-Net sample managing-organizations file"


_HEADERS = {
    Layout.ROSTER: {
        "plan_id",
        "plan_name",
        "plan_type",
        "network_id",
        "network_name",
        "payer_id",
        "payer_name",
    },
    Layout.NETWORKS: {"hpid", "partof_id", "partof_display", "name", "prov_type_code"},
    Layout.MANAGING_ORGS: {
        "is_plan",
        "type",
        "id",
        "partof_id",
        "name",
        "plan_id",
        "plan_name",
        "network_id",
    },
}


def detect_layout(header: list[str], path: Path | str = "") -> Layout:
    names = {h.strip().lower() for h in header}
    for layout, required in _HEADERS.items():
        if required <= names:
            return layout
    expected = "; ".join(f"{layout}: {', '.join(sorted(cols))}" for layout, cols in _HEADERS.items())
    raise UnreadableSource(
        f"{path}: unknown plans layout; the header must hold the columns of one of: {expected}"
    )


@dataclass(frozen=True, slots=True)
class Facts:
    """What one row states, normalised; ``primary`` names the record that carries the row's outcome."""

    primary: Label | None  # None: the row is skipped (``skip`` says why)
    payers: tuple[Organization, ...] = ()  # parents first
    network: Network | None = None
    plan: Plan | None = None  # network_ids holds this row's one network
    plan_words: str = ""  # managing-orgs: the plan name, to note when it names another design
    skip: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    column: str
    reason: str
    value: str = ""


def parse_row(layout: Layout, data: dict[str | None, Any]) -> Facts | Problem:
    """One CSV row as :class:`Facts`, or the first problem with it (column, reason, value)."""
    if "__error__" in data:
        return Problem("row", f"unreadable CSV row: {data['__error__']}")
    if data.get(None):
        return Problem("row", "more fields than the header", ",".join(map(str, data[None])))
    row = {str(k).strip().lower(): (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k}
    missing = next((k for k in _HEADERS[layout] if row.get(k) is None), None)
    if missing is not None:
        return Problem(missing, "fewer fields than the header")
    if layout is Layout.ROSTER:
        return _roster(row)
    if layout is Layout.NETWORKS:
        return _network_row(row)
    return _managing_row(row)


def _required(row: dict[str, Any], *columns: str) -> Problem | None:
    empty = next((c for c in columns if not row.get(c)), None)
    return Problem(empty, "required value missing") if empty else None


def _payer(pid: str, name: str, parent: str = "") -> Organization:
    part_of = f"payer:{parent}" if parent and parent != pid else None
    return Organization(
        id=f"payer:{pid}", name=name, kind=OrgKind.PAYER.value, part_of=part_of, source=SOURCE
    )


def _roster(row: dict[str, Any]) -> Facts | Problem:
    cols = ("plan_id", "plan_name", "plan_type", "network_id", "network_name", "payer_id", "payer_name")
    problem = _required(row, *cols)
    if problem:
        return problem
    try:
        design = PlanType(row["plan_type"].lower())
    except ValueError:
        return Problem("plan_type", "plan_type must be hmo, ppo, epo or pos", row["plan_type"])
    raw_referral = (row.get("referral_required") or "").lower()
    if raw_referral and raw_referral not in _TRUE | _FALSE:
        return Problem("referral_required", "referral_required must be true or false", raw_referral)
    referral = raw_referral in _TRUE if raw_referral else design.referral_required_by_default
    payer = _payer(row["payer_id"], row["payer_name"])
    network = Network(id=row["network_id"], name=row["network_name"], payer_id=payer.id)
    plan = Plan(row["plan_id"], row["plan_name"], design.value, referral, payer.id, (network.id,))
    return Facts(Label.PLAN, (payer,), network, plan)


def _network_row(row: dict[str, Any]) -> Facts | Problem:
    problem = _required(row, "hpid", "name")
    if problem:
        return problem
    payers = (
        (_payer(row["partof_id"], row.get("partof_display") or row["partof_id"]),) if row["partof_id"] else ()
    )
    network = Network(id=row["hpid"], name=row["name"], payer_id=payers[0].id if payers else None)
    return Facts(Label.NETWORK, payers, network)


def _managing_row(row: dict[str, Any]) -> Facts | Problem:
    flag = (row.get("is_plan") or "").lower()
    if flag not in _TRUE | _FALSE:
        return Problem("is_plan", "is_plan must be TRUE or FALSE", row.get("is_plan") or "")
    problem = _required(row, "id", "name")
    if problem:
        return problem
    payers = _managing_payers(row)
    if flag in _FALSE:
        if (row.get("type") or "").lower() == "prov":
            return Facts(None, skip=SKIP_PROVIDER)
        return Facts(Label.ORGANIZATION, payers)
    problem = _required(row, "plan_id", "plan_name", "network_id")
    if problem:
        return problem
    design = plan_design(row.get("plan_type") or "", row.get("plan_alias") or "", row["plan_name"])
    if design is None:
        return Problem(
            "plan_type", "no hmo/ppo/epo/pos in plan_type, plan_alias or plan_name", row["plan_name"]
        )
    plan = Plan(
        row["plan_id"],
        row["plan_name"],
        design.value,
        design.referral_required_by_default,
        payers[-1].id,
        (row["network_id"],),
    )
    return Facts(Label.PLAN, payers, plan=plan, plan_words=row["plan_name"])


def _managing_payers(row: dict[str, Any]) -> tuple[Organization, ...]:
    own = _payer(row["id"], row["name"], row.get("partof_id") or "")
    if not row.get("partof_id") or row["partof_id"] == row["id"]:
        return (own,)
    return (_payer(row["partof_id"], row.get("partof_display") or row["partof_id"]), own)


def plan_design(*texts: str) -> PlanType | None:
    """The first text naming exactly one network design decides (``bronzeexp`` names none)."""
    for value in texts:
        found = {design for pattern, design in _DESIGN_WORDS if pattern.search(value)}
        if len(found) == 1:
            return found.pop()
    return None
