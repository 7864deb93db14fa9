"""``referrals.csv``: CMS shared-patient rows (headerless ``npi_from,npi_to,pair_count,beneficiaries,
same_day_count``), mostly PCP -> nearby specialist.

Each referrer's number of distinct partners is heavy-tailed (a few PCPs refer to many specialists); the
partners are drawn without replacement from its nearest specialists, weighted by the specialist's pull
and ``exp(-miles / DECAY_MILES)`` (Gumbel top-k on a k-d tree query, a chunk of referrers at a time).
Volumes are heavy-tailed too: beneficiaries from a Pareto tail above CMS's suppression floor of 11, pair
counts (shared encounters) a lognormal multiple of them, same-day counts a binomial share of those.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from loaders.synth.config import (
    CHUNK,
    DECAY_MILES,
    MIN_BENEFICIARIES,
    PCP_REFERRER_SHARE,
    REFERRAL_NEIGHBOURS,
)
from loaders.synth.planted import Kind, Planter
from loaders.synth.world import RowWriter, World
from network.geo import EARTH_RADIUS_MILES, unit_vectors

FILE = "referrals.csv"
COLUMNS = ("npi_from", "npi_to", "pair_count", "beneficiaries", "same_day_count")
KINDS = (
    Kind("bad_npi_check_digit", "npi_from", "NPI check digit (Luhn, prefix 80840) fails"),
    Kind("negative_count", "pair_count", "negative count"),
    Kind("non_integer_count", "same_day_count", "count is not a whole number"),
    Kind("beneficiaries_exceed_pair_count", "beneficiaries", "beneficiaries exceed pair_count"),
    Kind("same_day_exceeds_pair_count", "same_day_count", "same-day count exceeds pair_count"),
    Kind("self_referral", "npi_to", "self-referral: from and to NPI are the same"),
    Kind("unknown_from_npi", "npi_from", "from NPI not in graph", skip=True),
    Kind("unknown_to_npi", "npi_to", "to NPI not in graph", skip=True),
)


def _partners_per_referrer(
    rng: np.random.Generator, referrers: npt.NDArray[np.int64], edges: int, cap: int
) -> npt.NDArray[np.int64]:
    """Heavy-tailed out-degrees summing to ``edges`` (or to the capacity ``cap`` each allows)."""
    if edges <= 0 or not len(referrers) or cap <= 0:
        return np.zeros(len(referrers), dtype=np.int64)
    activity = rng.lognormal(0.0, 1.0, size=len(referrers))
    counts = np.minimum(rng.multinomial(edges, activity / activity.sum()), cap)
    for _ in range(50):  # hand what the cap cut off to referrers with room left
        missing = edges - int(counts.sum())
        room = cap - counts
        if missing <= 0 or room.sum() == 0:
            break
        extra = rng.multinomial(min(missing, int(room.sum())), room / room.sum())
        counts = np.minimum(counts + extra, cap)
    return counts.astype(np.int64)


def write_referrals(world: World, rng: np.random.Generator, plant_rng: np.random.Generator) -> None:
    people, region = world.people, world.region
    working = people.working
    pcps = np.flatnonzero(working & people.pcp)
    specialists = np.flatnonzero(working & ~people.pcp)
    k = min(REFERRAL_NEIGHBOURS, len(specialists))
    if k == 0:  # no specialist to refer to: an empty file (the loader refuses it, as it should)
        RowWriter(world, FILE, None).close()
        return
    from_pcp = round(world.config.referrals * PCP_REFERRER_SHARE) if len(pcps) else 0
    degree = np.concatenate(
        [
            _partners_per_referrer(rng, pcps, from_pcp, k),
            _partners_per_referrer(rng, specialists, world.config.referrals - from_pcp, k - 1),
        ]
    )
    referrer = np.concatenate([pcps, specialists])
    order = np.argsort(people.npi[referrer], kind="stable")  # the file runs in referrer NPI order
    referrer, degree = referrer[order], degree[order]
    referrer, degree = referrer[degree > 0], degree[degree > 0]

    z = people.zip_idx
    tree = cKDTree(unit_vectors(region.lat[z[specialists]], region.lon[z[specialists]]))
    pull = rng.lognormal(0.0, 0.8, size=len(specialists))  # some specialists draw far more referrals
    planter = Planter(plant_rng, int(degree.sum()), KINDS, world.config.bad_share, first=1)
    out = RowWriter(world, FILE, None, lineterminator="\n")
    written, last = 0, ["", "", "0", "0", "0"]
    for start in range(0, len(referrer), CHUNK // 8):
        who, deg = referrer[start : start + CHUNK // 8], degree[start : start + CHUNK // 8]
        rows = _chunk_rows(rng, world, tree, specialists, pull, who, deg, k)
        for row in rows:
            for kind in planter.before(written):
                out.bad(*_corrupt(world, row, kind))
            out.good(row)
            last = row
            written += 1
    for kind in planter.before(written):
        out.bad(*_corrupt(world, last, kind))
    out.close()


def _chunk_rows(
    rng: np.random.Generator,
    world: World,
    tree: cKDTree,
    specialists: npt.NDArray[np.int64],
    pull: npt.NDArray[np.float64],
    who: npt.NDArray[np.int64],
    deg: npt.NDArray[np.int64],
    k: int,
) -> list[list[str]]:
    people, region = world.people, world.region
    z = people.zip_idx[who]
    chord, idx = tree.query(unit_vectors(region.lat[z], region.lon[z]), k=k)
    chord, idx = np.asarray(chord).reshape(len(who), k), np.asarray(idx).reshape(len(who), k)
    miles = 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, chord / 2))
    target = specialists[idx]
    keys = np.log(pull[idx]) - miles / DECAY_MILES + rng.gumbel(size=idx.shape)
    keys[target == who[:, None]] = -np.inf  # nobody refers to themselves
    ranked = np.argsort(-keys, axis=1, kind="stable")
    take = np.arange(k)[None, :] < deg[:, None]
    src = np.repeat(who, deg)
    dst = np.take_along_axis(target, ranked, axis=1)[take]
    n = len(src)
    bene = MIN_BENEFICIARIES + np.floor(rng.pareto(1.7, n) * 9).astype(np.int64)
    pair = bene + np.floor(bene * rng.lognormal(-0.2, 0.7, n)).astype(np.int64)
    same_day = rng.binomial(pair, rng.beta(1.2, 9.0, n))
    npi = people.npi
    return [
        [str(a), str(b), str(p), str(c), str(s)]
        for a, b, p, c, s in zip(
            npi[src].tolist(), npi[dst].tolist(), pair.tolist(), bene.tolist(), same_day.tolist(), strict=True
        )
    ]


def _corrupt(world: World, good: list[str], kind: Kind) -> tuple[list[str], Kind, str]:
    row = list(good)
    field = COLUMNS.index(kind.field)
    pair = int(row[2])
    if kind.name == "bad_npi_check_digit":
        row[0] = row[0][:9] + str((int(row[0][9]) + 1) % 10)
    elif kind.name == "negative_count":
        row[2] = f"-{pair}"
    elif kind.name == "non_integer_count":
        row[4] = f"{int(row[4])}.5"
    elif kind.name == "beneficiaries_exceed_pair_count":
        row[3] = str(pair + 3)
    elif kind.name == "same_day_exceeds_pair_count":
        row[4] = str(pair + 1)
    elif kind.name == "self_referral":
        row[1] = row[0]
    elif kind.name == "unknown_from_npi":
        row[0] = world.unknown_npi()
    elif kind.name == "unknown_to_npi":
        row[1] = world.unknown_npi()
    return row, kind, row[field]
