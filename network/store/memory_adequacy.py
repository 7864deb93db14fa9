"""Bulk reads for network adequacy audits on the embedded store."""

from __future__ import annotations

from collections.abc import Sequence

from network.model import County, Label, Rel
from network.store.checksum import record_from_props
from network.store.memory_core import MemoryCore, Node, props_in_effect
from network.store.rows import (
    AdequacyProviderRow,
    BBox,
    PractitionerPointRow,
)

_HAS_ROLE, _AT_LOCATION, _PRACTICES_AT = Rel.HAS_ROLE.value, Rel.AT_LOCATION.value, Rel.PRACTICES_AT.value


class MemoryAdequacy(MemoryCore):
    # Bulk reads walk the adjacency dicts (graph.pred / graph.succ: {neighbour: {edge key: data}}) and
    # compare plain strings: networkx edge views and enum lookups cost more than the audit itself here.
    def adequacy_providers(
        self, network_ids: Sequence[str], as_of: str, box: BBox
    ) -> list[AdequacyProviderRow]:
        rows: list[AdequacyProviderRow] = []
        in_network, participation = Rel.IN_NETWORK.value, Label.PARTICIPATION.value
        with self._lock:
            for network_id in dict.fromkeys(network_ids):
                node = (Label.NETWORK.value, network_id)
                if node not in self._g:
                    continue
                for part, keys in self._g.pred[node].items():
                    if in_network in keys and part[0] == participation:
                        rows.extend(self._adequacy_rows(part, network_id, as_of, box))
        rows.sort(key=lambda r: (r.participation_id, r.location_id))
        return rows

    def _adequacy_rows(self, part: Node, network_id: str, as_of: str, box: BBox) -> list[AdequacyProviderRow]:
        nodes = self._g.nodes
        p = nodes[part]["props"]
        if not props_in_effect(p, as_of):
            return []
        role = next((u for u, keys in self._g.pred[part].items() if _HAS_ROLE in keys), None)
        if role is None:
            return []
        practitioner = nodes[role]["props"]
        rows: list[AdequacyProviderRow] = []
        for loc, keys in self._g.succ[part].items():
            if _AT_LOCATION not in keys:
                continue
            lp = nodes[loc]["props"]
            lat, lon = lp.get("lat"), lp.get("lon")
            if lat is None or lon is None or not box.contains(lat, lon):
                continue
            rows.append(
                AdequacyProviderRow(
                    npi=role[1],
                    participation_id=p["id"],
                    network_id=network_id,
                    specialty_code=p.get("specialty_code"),
                    primary_specialty=practitioner.get("primary_specialty"),
                    location_id=loc[1],
                    lat=lat,
                    lon=lon,
                    telehealth=bool(p.get("telehealth", False)),
                    active=bool(practitioner.get("active", True)),
                )
            )
        return rows

    def practitioner_points(self, box: BBox) -> list[PractitionerPointRow]:
        rows: list[PractitionerPointRow] = []
        location, practitioner = Label.LOCATION.value, Label.PRACTITIONER.value
        with self._lock:
            nodes, pred = self._g.nodes, self._g.pred
            for loc_key in self._by_label.get(location, ()):
                loc = (location, loc_key)
                lp = nodes[loc]["props"]
                lat, lon = lp.get("lat"), lp.get("lon")
                if lat is None or lon is None or not box.contains(lat, lon):
                    continue
                for u, keys in pred[loc].items():
                    if _PRACTICES_AT not in keys or u[0] != practitioner:
                        continue
                    pp = nodes[u]["props"]
                    specialties = tuple(pp.get("specialties", ()))
                    rows.append(
                        PractitionerPointRow(
                            u[1], specialties, loc_key, lat, lon, bool(pp.get("active", True))
                        )
                    )
        rows.sort(key=lambda r: (r.npi, r.location_id))
        return rows

    def _counties_by_fips_prefix(self, prefixes: Sequence[str]) -> list[County]:
        with self._lock:
            keys = sorted(
                k for k in self._by_label.get(Label.COUNTY.value, ()) if k.startswith(tuple(prefixes))
            )
            return [record_from_props(County, self._g.nodes[(Label.COUNTY.value, k)]["props"]) for k in keys]
