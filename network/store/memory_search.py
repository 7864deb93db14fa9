"""Directory search (the API's ``providers`` and network member counts) on the embedded store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from network.model import Label, Rel, Role
from network.store.memory_core import MemoryCore, Node, props_in_effect
from network.store.rows import (
    NetworkCounts,
    ProviderQuery,
    ProviderRow,
)


class MemorySearch(MemoryCore):
    def _provider_rows(self, query: ProviderQuery, prefilter_miles: float) -> list[ProviderRow]:
        rows: list[ProviderRow] = []
        with self._lock:
            near: set[str] | None = None
            if query.center is not None:
                near = set(self._locations_within(query.center.lat, query.center.lon, prefilter_miles))
            for npi in sorted(self._by_label.get(Label.PRACTITIONER.value, ())):
                node = (Label.PRACTITIONER.value, npi)
                props = self._g.nodes[node]["props"]
                if not self._practitioner_matches(node, props, query):
                    continue
                if not query.located:
                    rows.append(ProviderRow(npi=npi, name=props.get("name", "")))
                    continue
                for loc_key in self._targets(node, Rel.PRACTICES_AT, Label.LOCATION):
                    lprops = self._g.nodes[(Label.LOCATION.value, loc_key)]["props"]
                    if near is not None and loc_key not in near:
                        continue
                    if query.state is not None and lprops.get("state") != query.state:
                        continue
                    if query.zip5 is not None and not str(lprops.get("zip") or "").startswith(query.zip5):
                        continue
                    rows.append(
                        ProviderRow(npi, props.get("name", ""), loc_key, lprops.get("lat"), lprops.get("lon"))
                    )
        return rows

    def _practitioner_matches(self, node: Node, props: dict[str, Any], query: ProviderQuery) -> bool:
        if query.language is not None:
            spoken = {lang.casefold() for lang in props.get("languages", [])}
            if query.language.casefold() not in spoken:
                return False
        if query.sex is not None and str(props.get("sex") or "").lower() != query.sex.lower():
            return False
        if query.specialty_codes is not None and not (
            set(self._targets(node, Rel.HAS_SPECIALTY, Label.SPECIALTY)) & query.specialty_codes
        ):
            return False
        if not query.by_participation:
            return True
        networks = set(query.network_ids) if query.network_ids is not None else None
        for part_key in self._targets(node, Rel.HAS_ROLE, Label.PARTICIPATION):
            part = (Label.PARTICIPATION.value, part_key)
            p = self._g.nodes[part]["props"]
            if not props_in_effect(p, query.as_of):
                continue
            if query.accepting_new_patients is not None and p.get("accepting_new_patients") is not (
                query.accepting_new_patients
            ):
                continue
            if networks is None or set(self._targets(part, Rel.IN_NETWORK, Label.NETWORK)) & networks:
                return True
        return False

    def _targets(self, node: Node, rel: Rel, label: Label) -> list[str]:
        return [v[1] for _, v, k in self._g.out_edges(node, keys=True) if k == rel.value and v[0] == label]

    def network_counts(self, network_ids: Iterable[str], as_of: str) -> dict[str, NetworkCounts]:
        out: dict[str, NetworkCounts] = {}
        with self._lock:
            for network_id in dict.fromkeys(network_ids):
                node = (Label.NETWORK.value, network_id)
                if node not in self._g:
                    continue
                parts = [
                    u
                    for u, _, k in self._g.in_edges(node, keys=True)
                    if k == Rel.IN_NETWORK.value and u[0] == Label.PARTICIPATION.value
                ]
                parts = [u for u in parts if props_in_effect(self._g.nodes[u]["props"], as_of)]
                by_role: dict[str, set[str]] = defaultdict(set)
                locations: set[str] = set()
                for part in parts:
                    role = self._g.nodes[part]["props"].get("role")
                    for u, _, k in self._g.in_edges(part, keys=True):
                        if k == Rel.HAS_ROLE.value and u[0] == Label.PRACTITIONER.value:
                            by_role[str(role)].add(u[1])
                            by_role[""].add(u[1])
                    locations.update(self._targets(part, Rel.AT_LOCATION, Label.LOCATION))
                out[network_id] = NetworkCounts(
                    participations=len(parts),
                    practitioners=len(by_role[""]),
                    pcps=len(by_role[Role.PCP.value]),
                    specialists=len(by_role[Role.SPECIALIST.value]),
                    locations=len(locations),
                )
        return out
