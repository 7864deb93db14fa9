"""``participation.csv``: who is contracted in which network, as a payer's roster lists it.

Most practitioners sit in one to three networks (broad networks more often than narrow ones); PCPs are
listed as ``pcp`` and everyone else as ``specialist``. Rows are messy the usual ways: the address often
left to NPPES, sometimes a second office; dates in ISO or US form; some participations ended, some not
yet begun, some practitioners not taking new patients.

Besides the file, the writer returns compact arrays of what it wrote (who, where, which network, in
effect on the as-of date) so the demo example in ``manifest.json`` is computed from the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from loaders.synth.config import (
    CHUNK,
    ENDING_SHARE,
    EXPLICIT_ADDRESS_SHARE,
    FUTURE_SHARE,
    NETWORKS_PER_PRACTITIONER,
    NOT_ACCEPTING_SHARE,
    SECOND_OFFICE_SHARE,
    TERMINATED_SHARE,
)
from loaders.synth.mix import practitioner_mix
from loaders.synth.plans import Roster
from loaders.synth.planted import Kind, Planter
from loaders.synth.region import SITES_PER_ZIP
from loaders.synth.world import RowWriter, World, day, iso, us_date
from network.geo import unit_vectors
from network.specialties import reference

FILE = "participation.csv"
HEADER = [
    "npi",
    "network_id",
    "role",
    "specialty_code",
    "address",
    "city",
    "state",
    "zip",
    "accepting_new_patients",
    "effective_date",
    "termination_date",
    "medical_group",
]
KINDS = (
    Kind("bad_npi_check_digit", "npi", "NPI check digit (Luhn, prefix 80840) fails"),
    Kind("unknown_npi", "npi", "NPI not in the graph"),
    Kind("unknown_network", "network_id", "network not in the graph"),
    Kind("termination_before_effective", "termination_date", "termination_date is not after effective_date"),
    Kind("unparseable_date", "effective_date", "unparseable date (use YYYY-MM-DD or MM/DD/YYYY)"),
    Kind("invalid_role", "role", "role must be pcp or specialist"),
)


@dataclass(frozen=True, slots=True)
class Contracts:
    """One entry per participation row written (bad rows excluded)."""

    person: npt.NDArray[np.int32]  # index into Population
    network: npt.NDArray[np.int8]  # index into Roster.networks
    zip_idx: npt.NDArray[np.int32]  # where the participation's location is
    pcp: npt.NDArray[np.bool_]
    in_effect: npt.NDArray[np.bool_]  # on the as-of date


def _neighbour_zips(world: World, k: int = 6) -> npt.NDArray[np.int64]:
    region = world.region
    points = unit_vectors(region.lat, region.lon)
    k = min(k + 1, len(region.zips))
    _, idx = cKDTree(points).query(points, k=k)
    if k < 2:
        return np.zeros((len(region.zips), 0), dtype=np.int64)
    return np.asarray(idx, dtype=np.int64).reshape(len(region.zips), k)[:, 1:]


def write_participation(
    world: World, roster: Roster, rng: np.random.Generator, plant_rng: np.random.Generator
) -> Contracts:
    people, as_of = world.people, world.as_of()
    working = np.flatnonzero(people.working)
    n_net = len(roster.networks)
    k_probs = np.array(NETWORKS_PER_PRACTITIONER[: n_net + 1])
    breadth = np.log([n.breadth for n in roster.networks])
    has_cms_type = np.array([c in reference().cms_type_of for c in practitioner_mix().codes])
    pcp = people.pcp
    neighbours = _neighbour_zips(world)
    groups = _nearby_groups(world)

    # How many rows there will be is only known once counts are drawn; draw them first, in one go.
    k = rng.choice(len(k_probs), size=len(working), p=k_probs / k_probs.sum())
    k[~has_cms_type[people.code[working]] & (rng.random(len(working)) < 0.5)] = 0  # dentists, pharmacists
    planter = Planter(plant_rng, int(k.sum()), KINDS, world.config.bad_share)
    out = RowWriter(world, FILE, HEADER, lineterminator="\n")
    parts: list[tuple[npt.NDArray[Any], ...]] = []
    row_index = 0
    last: list[str] = []
    for start in range(0, len(working), CHUNK):
        who = working[start : start + CHUNK]
        kk = k[start : start + CHUNK]
        order = np.argsort(-(breadth + rng.gumbel(size=(len(who), n_net))), axis=1)
        size = int(kk.sum())
        person = np.repeat(who, kk)
        network = np.concatenate([order[j, : kk[j]] for j in range(len(who))]) if size else np.zeros(0, int)
        r = _draws(rng, size)
        start_day, end_day, in_effect = _dates(r, as_of)
        zip_idx = people.zip_idx[person].astype(np.int64)
        site = people.site[person].astype(np.int64)
        explicit = r["address"] < EXPLICIT_ADDRESS_SHARE
        moved = explicit & (r["office"] < SECOND_OFFICE_SHARE) & (neighbours.shape[1] > 0)
        if neighbours.shape[1]:
            zip_idx = np.where(moved, neighbours[zip_idx, r["near"] % neighbours.shape[1]], zip_idx)
        site = np.where(moved, r["near"] % SITES_PER_ZIP, site)
        for j in range(size):
            i = int(person[j])
            code = people.primary_code(i)
            row = [
                str(int(people.npi[i])),
                roster.networks[int(network[j])].id,
                "pcp" if pcp[i] else "specialist",
                "" if r["spec"][j] < 0.15 else code,
                *(_address(world, int(zip_idx[j]), int(site[j])) if explicit[j] else ("", "", "", "")),
                ("false" if r["accept"][j] < NOT_ACCEPTING_SHARE else "true")
                if r["accept"][j] < 0.95
                else "",
                _fmt(start_day[j], float(r["fmt"][j])),
                _fmt(end, float(r["fmt"][j])) if (end := end_day[j]) is not None else "",
                _group(people.npi, groups, int(zip_idx[j]), int(r["group"][j]), float(r["group_roll"][j])),
            ]
            for kind in planter.before(row_index):
                out.bad(*_corrupt(world, row, kind))
            out.good(row)
            last = row
            row_index += 1
        parts.append((person, network, zip_idx, pcp[person], in_effect))
    for kind in planter.before(row_index):
        out.bad(*_corrupt(world, last, kind))
    out.close()
    cols = [np.concatenate([p[c] for p in parts]) if parts else np.zeros(0) for c in range(5)]
    return Contracts(
        person=cols[0].astype(np.int32),
        network=cols[1].astype(np.int8),
        zip_idx=cols[2].astype(np.int32),
        pcp=cols[3].astype(bool),
        in_effect=cols[4].astype(bool),
    )


def _nearby_groups(world: World, k: int = 3) -> npt.NDArray[np.int64]:
    """Per region ZIP, the organisations nearest to it (a practice joins a group close by)."""
    people, region = world.people, world.region
    orgs = np.flatnonzero(people.entity == 2)
    if not len(orgs):
        return np.zeros((len(region.zips), 0), dtype=np.int64)
    z = people.zip_idx[orgs]
    tree = cKDTree(unit_vectors(region.lat[z], region.lon[z]))
    k = min(k, len(orgs))
    _, idx = tree.query(unit_vectors(region.lat, region.lon), k=k)
    return orgs[np.asarray(idx, dtype=np.int64).reshape(len(region.zips), k)]


def _group(
    npis: npt.NDArray[np.int64], groups: npt.NDArray[np.int64], zip_idx: int, pick: int, roll: float
) -> str:
    if roll >= 0.3 or groups.shape[1] == 0:
        return ""
    return f"npi:{int(npis[groups[zip_idx, pick % groups.shape[1]]])}"


def _draws(rng: np.random.Generator, size: int) -> dict[str, npt.NDArray[Any]]:
    names = ("spec", "address", "office", "accept", "fmt", "status", "group_roll")
    out: dict[str, npt.NDArray[Any]] = {name: rng.random(size) for name in names}
    out["near"] = rng.integers(0, 1 << 20, size)
    out["group"] = rng.integers(0, 1 << 30, size)
    out["past"] = rng.integers(1, 3650, size)
    out["span"] = rng.random(size)
    out["ahead"] = rng.integers(15, 365, size)
    return out


def _dates(
    r: dict[str, npt.NDArray[Any]], as_of: date
) -> tuple[list[date], list[date | None], npt.NDArray[np.bool_]]:
    status = np.asarray(r["status"], dtype=np.float64)
    past = np.asarray(r["past"], dtype=np.int64)
    span = np.asarray(r["span"], dtype=np.float64)
    ahead = np.asarray(r["ahead"], dtype=np.int64)
    starts: list[date] = []
    ends: list[date | None] = []
    effect = np.ones(len(status), dtype=bool)
    for j in range(len(status)):
        begin = day(as_of, -int(past[j]) - 31)
        end: date | None = None
        if status[j] < TERMINATED_SHARE:  # ended before as-of: not in effect
            end = day(begin, 30 + int(span[j] * past[j]))  # at the latest the day before as-of
            effect[j] = False
        elif status[j] < TERMINATED_SHARE + ENDING_SHARE:  # ends after as-of
            end = day(as_of, int(ahead[j]))
        elif status[j] < TERMINATED_SHARE + ENDING_SHARE + FUTURE_SHARE:  # not begun yet
            begin = day(as_of, int(ahead[j]))
            effect[j] = False
        starts.append(begin)
        ends.append(end)
    return starts, ends, effect


def _fmt(d: date, roll: float) -> str:
    return us_date(d) if roll < 0.2 else iso(d)  # rosters mix ISO and US dates


def _address(world: World, zip_idx: int, site: int) -> tuple[str, str, str, str]:
    region = world.region
    return world.sites.line1(zip_idx, site), region.city[zip_idx], region.state[zip_idx], region.zips[zip_idx]


def _corrupt(world: World, good: list[str], kind: Kind) -> tuple[list[str], Kind, str]:
    row = list(good)
    field = HEADER.index(kind.field)
    if kind.name == "bad_npi_check_digit":
        npi = world.unknown_npi()
        row[field] = npi[:9] + str((int(npi[9]) + 1) % 10)
    elif kind.name == "unknown_npi":
        row[field] = world.unknown_npi()
    elif kind.name == "unknown_network":
        row[field] = row[1].split("-")[0] + "-GOLD"
    elif kind.name == "termination_before_effective":
        row[HEADER.index("effective_date")] = "2024-06-01"
        row[field] = "2023-06-01"
    elif kind.name == "unparseable_date":
        row[field] = "2021-13-45"
    elif kind.name == "invalid_role":
        row[field] = "primary"
    return row, kind, row[field]
