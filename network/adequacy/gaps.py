"""Gaps of failing cells: who lacks access, how far the network is for them, and whom to recruit.

Candidates are practitioners practising in the audit area (``GraphStore.practitioner_points``) with a
specialty of the cell's type, active, and not in the audited networks. Network membership is first
judged from the in-area provider rows; a picked practitioner is then checked with
``participations_of`` (a member may practise in the area yet hold its participation elsewhere), and
the cells are recomputed without any member found that way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from network.adequacy.core import Bools, Floats, Ints, PointSet
from network.adequacy.model import AdequacyRequest, CellResult, Gap, RecruitmentTarget
from network.adequacy.standards import Standards
from network.adequacy.targets import Candidates, CellNeed, recruit
from network.model import Label, Practitioner
from network.store.base import GraphStore
from network.store.rows import AdequacyProviderRow, BBox, PractitionerPointRow

MAX_MEMBERSHIP_ROUNDS = 4


@dataclass(frozen=True, slots=True)
class PendingGap:
    """A failing cell waiting for its gap: the county's points only, so memory stays per county."""

    cell: CellResult
    members: Ints  # indices of the county's sample points
    nearest: Floats  # for those points, detour-applied miles to the nearest provider of the type
    covered: Bools


class GapFinder:
    def __init__(
        self,
        store: GraphStore,
        networks: list[str],
        request: AdequacyRequest,
        points: PointSet,
        rows: list[AdequacyProviderRow],
        boxes: list[BBox],
        standards: Standards,
    ) -> None:
        self._store = store
        self._networks = set(networks)
        self._request = request
        self._points = points
        self._members = {r.npi for r in rows}
        self._boxes = boxes
        self._standards = standards
        self._people: list[PractitionerPointRow] | None = None

    def find(self, pending: list[PendingGap]) -> list[Gap]:
        if not pending:
            return []
        excluded = set(self._members)
        verified: set[str] = set()
        gaps: list[Gap] = []
        for _ in range(MAX_MEMBERSHIP_ROUNDS):
            candidates = self._candidates({p.cell.specialty_type for p in pending}, excluded)
            gaps = [self._gap(p, candidates.get(p.cell.specialty_type)) for p in pending]
            fresh = {t.npi for g in gaps for t in g.targets} - verified
            found = self._in_network(fresh)
            verified |= fresh - found
            if not found:
                break
            excluded |= found
        return self._named(gaps)

    def _gap(self, p: PendingGap, candidates: Candidates | None) -> Gap:
        m = p.members
        unc = ~p.covered
        near = p.nearest[unc]
        near = near[np.isfinite(near)]
        cell = p.cell
        shortfall = max(0, (cell.minimum_required or 0) - cell.providers_counted)
        targets: tuple[RecruitmentTarget, ...] = ()
        closes_access, closes_minimum = cell.access_pass, shortfall == 0
        if candidates is not None:
            need = CellNeed(
                lat=self._points.lat[m],
                lon=self._points.lon[m],
                weight=self._points.weight[m],
                uncovered=unc,
                limit_miles=cell.max_distance_miles,
                detour=self._request.detour_factor,
                pct_with_access=cell.pct_with_access or 0.0,
                credit_pct=cell.telehealth_credit_pct,
                threshold_pct=cell.threshold_pct,
                minimum_shortfall=shortfall,
            )
            picks, closes_access, closes_minimum = recruit(need, candidates, self._request.max_targets)
            targets = tuple(
                RecruitmentTarget(
                    npi=pick.npi,
                    name="",
                    location_id=candidates.location_id[pick.location],
                    lat=float(candidates.lat[pick.location]),
                    lon=float(candidates.lon[pick.location]),
                    specialty_codes=candidates.codes.get(pick.npi, ()),
                    covers=pick.covers,
                    adds=pick.adds,
                    pct_after=pick.pct_after + cell.telehealth_credit_pct,
                    reason=pick.reason,
                )
                for pick in picks
            )
        return Gap(
            county_fips=cell.county_fips,
            specialty_type=cell.specialty_type,
            points_without_access=float(self._points.weight[m][unc].sum()),
            points_count_without_access=int(unc.sum()),
            nearest_miles_min=float(near.min()) if len(near) else None,
            nearest_miles_median=float(np.median(near)) if len(near) else None,
            nearest_miles_max=float(near.max()) if len(near) else None,
            minimum_shortfall=shortfall,
            targets=targets,
            closes_access_gap=closes_access,
            closes_minimum_gap=closes_minimum,
        )

    def _candidates(self, types: set[str], excluded: set[str]) -> dict[str, Candidates]:
        if self._people is None:
            seen: dict[tuple[str, str], PractitionerPointRow] = {}
            for box in self._boxes:
                for row in self._store.practitioner_points(box):
                    if row.active:
                        seen.setdefault((row.npi, row.location_id), row)
            self._people = [seen[k] for k in sorted(seen)]
        mapping = self._standards.specialty_map
        by_type: dict[str, list[PractitionerPointRow]] = defaultdict(list)
        codes: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
        for row in self._people:
            if row.npi in excluded:
                continue
            for t in {mapping[c] for c in row.specialties if mapping.get(c) in types}:
                by_type[t].append(row)
                codes[t][row.npi] = tuple(c for c in row.specialties if mapping.get(c) == t)
        return {t: Candidates.build(by_type[t], codes[t]) for t in by_type}

    def _in_network(self, npis: set[str]) -> set[str]:
        if not npis:
            return set()
        roles = self._store.participations_of(sorted(npis))
        as_of = self._request.as_of
        return {
            npi
            for npi, parts in roles.items()
            if any(p.network_id in self._networks and p.in_effect(as_of) for p in parts)
        }

    def _named(self, gaps: list[Gap]) -> list[Gap]:
        picked = sorted({t.npi for g in gaps for t in g.targets})
        if not picked:
            return gaps
        records = self._store.get_many(Label.PRACTITIONER, picked)
        names = {k: r.name for k, r in records.items() if isinstance(r, Practitioner)}
        return [
            replace(g, targets=tuple(replace(t, name=names.get(t.npi, "")) for t in g.targets)) for g in gaps
        ]
