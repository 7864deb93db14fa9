"""Recruitment targets: practitioners outside the network whose contracting would close a failing cell.

Access gap: a greedy set cover. Each round takes the practitioner whose locations reach the most weight
of still-uncovered sample points (ties: lowest NPI), until the cell's share with access plus its
telehealth credit reaches the threshold, nobody adds anything, or the list is full. Minimum-number gap:
the access picks count (they lie within the limit of the county's points); any shortfall left is filled
by the practitioners reaching the most weight of the county's points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from network.adequacy.core import BOUNDARY_EPS_MILES, Floats, Ints, haversine_pairs
from network.geo import chord_for_miles, unit_vectors
from network.store.rows import PractitionerPointRow

PCT_TOLERANCE = 1e-9


@dataclass(slots=True)
class Candidates:
    """Practitioner locations of one type outside the audited networks."""

    npi: npt.NDArray[np.str_]  # per location
    location_id: list[str]
    lat: Floats
    lon: Floats
    codes: dict[str, tuple[str, ...]]  # npi -> its specialty codes of this type
    tree: cKDTree

    @classmethod
    def build(cls, rows: Sequence[PractitionerPointRow], codes: dict[str, tuple[str, ...]]) -> Candidates:
        lat = np.array([r.lat for r in rows], dtype=float)
        lon = np.array([r.lon for r in rows], dtype=float)
        vectors = unit_vectors(lat, lon) if rows else np.zeros((0, 3))
        return cls(
            npi=np.array([r.npi for r in rows], dtype=str),
            location_id=[r.location_id for r in rows],
            lat=lat,
            lon=lon,
            codes=codes,
            tree=cKDTree(vectors),
        )


@dataclass(frozen=True, slots=True)
class CellNeed:
    """A failing cell's inputs: its sample points and how far it is from passing."""

    lat: Floats  # the county's points
    lon: Floats
    weight: Floats
    uncovered: npt.NDArray[np.bool_]
    limit_miles: float
    detour: float
    pct_with_access: float
    credit_pct: float
    threshold_pct: float
    minimum_shortfall: int


@dataclass(frozen=True, slots=True)
class Pick:
    npi: str
    location: int  # index into the candidates' locations
    covers: float
    adds: float
    pct_after: float
    reason: str


def recruit(need: CellNeed, cands: Candidates, max_targets: int) -> tuple[list[Pick], bool, bool]:
    """Greedy picks for one cell; returns (picks, closes the access gap, closes the minimum gap)."""
    total = float(need.weight.sum())
    picks: list[Pick] = []
    pct = need.pct_with_access
    if not len(cands.npi) or total <= 0:
        return picks, _passes(pct, need), need.minimum_shortfall <= 0
    npis, owner = np.unique(cands.npi, return_inverse=True)
    if not _passes(pct, need):
        idx = np.flatnonzero(need.uncovered)
        reach = _reach(need, cands, idx)
        by_npi = _incidence(owner, reach, len(npis), len(idx))
        remaining = need.weight[idx].copy()
        alone = by_npi @ need.weight[idx]
        while len(picks) < max_targets and not _passes(pct, need):
            gains = by_npi @ remaining
            best = int(np.argmax(gains))
            if gains[best] <= 0:
                break
            row = by_npi.getrow(best)
            remaining[row.indices] = 0.0
            pct += 100.0 * float(gains[best]) / total
            loc = _best_location(best, owner, reach, need.weight[idx])
            picks.append(Pick(str(npis[best]), loc, float(alone[best]), float(gains[best]), pct, "access"))
    shortfall = need.minimum_shortfall - len(picks)
    if shortfall > 0 and len(picks) < max_targets:
        picks += _minimum_picks(
            need, cands, npis, owner, {p.npi for p in picks}, pct, min(shortfall, max_targets - len(picks))
        )
    return picks, _passes(pct, need), len(picks) >= need.minimum_shortfall


def _passes(pct: float, need: CellNeed) -> bool:
    return pct + need.credit_pct >= need.threshold_pct - PCT_TOLERANCE


def _reach(need: CellNeed, cands: Candidates, idx: Ints) -> tuple[Ints, Ints]:
    """(candidate location, point position in ``idx``) pairs within the limit, decided exactly."""
    chord = chord_for_miles((need.limit_miles + BOUNDARY_EPS_MILES) / need.detour) * (1 + 1e-9) + 1e-12
    lists = cands.tree.query_ball_point(unit_vectors(need.lat[idx], need.lon[idx]), chord)
    sizes = np.fromiter((len(x) for x in lists), dtype=np.intp, count=len(lists))
    locs = np.fromiter((i for x in lists for i in x), dtype=np.intp, count=int(sizes.sum()))
    pts = np.repeat(np.arange(len(idx)), sizes)
    miles = haversine_pairs(cands.lat[locs], cands.lon[locs], need.lat[idx][pts], need.lon[idx][pts])
    ok = miles * need.detour <= need.limit_miles + BOUNDARY_EPS_MILES
    return locs[ok], pts[ok]


def _incidence(owner: Ints, reach: tuple[Ints, Ints], n_npi: int, n_pts: int) -> csr_matrix:
    locs, pts = reach
    m = csr_matrix((np.ones(len(locs)), (owner[locs], pts)), shape=(n_npi, n_pts))
    m.data[:] = 1.0  # a practitioner at two locations reaching one point still covers it once
    return m


def _best_location(npi_index: int, owner: Ints, reach: tuple[Ints, Ints], weights: Floats) -> int:
    locs, pts = reach
    mine = owner[locs] == npi_index
    per_loc: dict[int, float] = {}
    for loc, pt in zip(locs[mine], pts[mine], strict=True):
        per_loc[int(loc)] = per_loc.get(int(loc), 0.0) + float(weights[pt])
    return min(per_loc, key=lambda loc: (-per_loc[loc], loc))


def _minimum_picks(
    need: CellNeed,
    cands: Candidates,
    npis: npt.NDArray[np.str_],
    owner: Ints,
    taken: set[str],
    pct: float,
    n: int,
) -> list[Pick]:
    everyone = np.arange(len(need.lat))
    reach = _reach(need, cands, everyone)
    by_npi = _incidence(owner, reach, len(npis), len(everyone))
    scores = by_npi @ need.weight  # all the county's points: closeness to members, not only the gap
    covers = by_npi @ (need.weight * need.uncovered)
    order = sorted(
        (i for i in range(len(npis)) if scores[i] > 0 and str(npis[i]) not in taken),
        key=lambda i: (-scores[i], str(npis[i])),
    )
    return [
        Pick(
            str(npis[i]), _best_location(i, owner, reach, need.weight), float(covers[i]), 0.0, pct, "minimum"
        )
        for i in order[:n]
    ]
