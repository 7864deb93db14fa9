"""``plans.csv``: payers, their networks and plans, in pnet's roster layout (one row per plan x network).

Each payer runs a broad "Choice" network and a narrow "Select" one; HMOs use Select, PPOs both, and
one EPO and one POS plan complete the set, so networks overlap across plans as they do in real markets.
Payer names are invented; ids imitate HIOS issuer and plan ids (5-digit issuer, state, product, plan).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loaders.synth.planted import Kind, Planter
from loaders.synth.world import RowWriter, World

FILE = "plans.csv"
HEADER = [
    "plan_id",
    "plan_name",
    "plan_type",
    "network_id",
    "network_name",
    "payer_id",
    "payer_name",
    "referral_required",
]
PAYER_NAMES = (
    "Harborlight Health Plan",
    "Granite Ridge Mutual",
    "Northfield Health Partners",
    "Bluewater Care Alliance",
    "Keystone Valley Health",
    "Summit Crest Health Plan",
)
KINDS = (
    Kind("invalid_plan_type", "plan_type", "plan_type must be hmo, ppo, epo or pos"),
    Kind("bad_referral_required", "referral_required", "referral_required must be true or false"),
)


@dataclass(frozen=True, slots=True)
class NetworkDef:
    id: str
    name: str
    payer_id: str
    payer_name: str
    breadth: float  # the share of practitioners it tries to contract


@dataclass(frozen=True, slots=True)
class PlanDef:
    id: str
    name: str
    plan_type: str
    network_ids: tuple[str, ...]
    payer_id: str
    payer_name: str
    referral_required: str  # "true", "false" or "" (the plan type's default)


@dataclass(frozen=True, slots=True)
class Roster:
    networks: tuple[NetworkDef, ...]
    plans: tuple[PlanDef, ...]


def build_roster(rng: np.random.Generator, state: str, payers: int | None) -> Roster:
    n_payers = payers or int(rng.integers(2, 4))
    names = [PAYER_NAMES[i] for i in rng.choice(len(PAYER_NAMES), size=n_payers, replace=False)]
    issuers = [int(i) for i in rng.choice(np.arange(10_000, 100_000), size=n_payers, replace=False)]
    networks: list[NetworkDef] = []
    plans: list[PlanDef] = []
    for p, (name, issuer) in enumerate(zip(names, issuers, strict=True)):
        payer_id = str(issuer)
        short = name.split()[0]
        choice = NetworkDef(f"{issuer}-CHOICE", f"{short} Choice Network", payer_id, name, 0.85)
        select = NetworkDef(f"{issuer}-SELECT", f"{short} Select Network", payer_id, name, 0.45)
        networks += [choice, select]

        products = [(1, "HMO Select", "hmo", (select,)), (2, "PPO Choice", "ppo", (choice, select))]
        if p == 0:
            products.append((3, "EPO Essential", "epo", (choice,)))
        if p == 1:
            products.append((4, "POS Plus", "pos", (select, choice)))
        for product, label, kind, nets in products:
            explicit = rng.random() < 0.5  # the rest leave it to the plan type's default
            required = ("true" if kind in ("hmo", "pos") else "false") if explicit else ""
            plan_id = f"{issuer}{state}{product:03d}0001"
            ids = tuple(n.id for n in nets)
            plans.append(PlanDef(plan_id, f"{short} {label}", kind, ids, payer_id, name, required))
    return Roster(tuple(networks), tuple(plans))


def write_plans(world: World, roster: Roster, plant_rng: np.random.Generator) -> None:
    nets = {n.id: n for n in roster.networks}
    rows = [
        [p.id, p.name, p.plan_type, n, nets[n].name, p.payer_id, p.payer_name, p.referral_required]
        for p in roster.plans
        for n in p.network_ids
    ]
    planter = Planter(plant_rng, len(rows), KINDS, world.config.bad_share)
    out = RowWriter(world, FILE, HEADER, lineterminator="\n")
    for i, row in enumerate([*rows, None]):
        for n, kind in enumerate(planter.before(i)):
            source = rows[min(i, len(rows) - 1)]
            bad = list(source)
            bad[0] = f"{source[0][:7]}9{i % 100:02d}{n:04d}"  # a plan of its own: no good plan is touched
            bad[1] = f"{source[1]} (draft {n + 1})"
            if kind.name == "invalid_plan_type":
                bad[2] = "indemnity"
            else:
                bad[7] = "maybe"
            out.bad(bad, kind, bad[HEADER.index(kind.field)])
        if row is not None:
            out.good(row)
    out.close()
