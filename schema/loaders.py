"""Per-request DataLoaders: each nested field batches into one store call per level of the query.

A page of 100 referral options asking for every nested field costs the same few store round trips as a
page of 5; the loaders cache for the request only, so no answer outlives it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from network.model import Label, Location, Network, Participation, Plan, Practitioner, Record, Specialty
from network.specialties import reference
from network.store.rows import NetworkCounts, PractitionerProfile
from schema.gateway import StoreGateway

RecordLoad = Callable[[list[str]], Coroutine[Any, Any, list[Any]]]


class Loaders:
    def __init__(self, gateway: StoreGateway) -> None:
        self._gateway = gateway
        self.practitioners: DataLoader[str, Practitioner | None] = DataLoader(
            self._records(Label.PRACTITIONER)
        )
        self.locations: DataLoader[str, Location | None] = DataLoader(self._records(Label.LOCATION))
        self.networks: DataLoader[str, Network | None] = DataLoader(self._records(Label.NETWORK))
        self.plans: DataLoader[str, Plan | None] = DataLoader(self._records(Label.PLAN))
        self.specialties: DataLoader[str, Specialty] = DataLoader(self._specialties)
        self.participations: DataLoader[str, list[Participation]] = DataLoader(self._participations)
        self.profiles: DataLoader[str, PractitionerProfile | None] = DataLoader(self._profiles)
        self.top_targets: DataLoader[tuple[str, int], list[tuple[str, int]]] = DataLoader(self._top_targets)
        self.network_counts: DataLoader[tuple[str, str], NetworkCounts] = DataLoader(self._network_counts)

    def _records(self, label: Label) -> RecordLoad:
        async def load(keys: list[str]) -> list[Any]:
            found: dict[str, Record] = await self._gateway.call(self._gateway.store.get_many, label, keys)
            return [found.get(k) for k in keys]

        return load

    async def _profiles(self, npis: list[str]) -> list[PractitionerProfile | None]:
        """Each practitioner's directory entry in one store call, with what it holds primed where the
        nested fields will ask for it: a provider's locations, participations, networks and specialties
        then cost no round trip of their own. What an entry names and the store lacks is primed as its
        loader would answer it (absent; a specialty from pnet's reference data)."""
        found = await self._gateway.call(self._gateway.store.practitioner_profiles, npis)
        for npi in npis:
            profile = found.get(npi)
            self.practitioners.prime(npi, None if profile is None else profile.practitioner)
            if profile is None:
                continue
            rec, roles = profile.practitioner, profile.participations
            self.participations.prime(npi, roles)
            named = PractitionerProfile.named(rec, roles)
            self.locations.prime_many({k: profile.locations.get(k) for k in named.locations})
            self.networks.prime_many({k: profile.networks.get(k) for k in named.networks})
            self.specialties.prime_many(_specialties(named.specialties, profile.specialties))
        return [found.get(npi) for npi in npis]

    async def _specialties(self, codes: list[str]) -> list[Specialty]:
        found = await self._gateway.call(self._gateway.store.get_many, Label.SPECIALTY, codes)
        specialties = _specialties(codes, found)
        return [specialties[c] for c in codes]  # a batch may hold a code twice

    async def _participations(self, npis: list[str]) -> list[list[Participation]]:
        found = await self._gateway.call(self._gateway.store.participations_of, npis)
        return [found.get(npi, []) for npi in npis]

    async def _top_targets(self, keys: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
        by_limit: dict[int, list[str]] = defaultdict(list)
        for npi, limit in keys:
            by_limit[limit].append(npi)
        answers: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for limit, npis in by_limit.items():
            found = await self._gateway.call(self._gateway.store.top_referral_targets, npis, limit)
            answers.update({(npi, limit): found.get(npi, []) for npi in npis})
        return [answers[k] for k in keys]

    async def _network_counts(self, keys: list[tuple[str, str]]) -> list[NetworkCounts]:
        by_day: dict[str, list[str]] = defaultdict(list)
        for network_id, as_of in keys:
            by_day[as_of].append(network_id)
        answers: dict[tuple[str, str], NetworkCounts] = {}
        for as_of, ids in by_day.items():
            found = await self._gateway.call(self._gateway.store.network_counts, ids, as_of)
            answers.update({(i, as_of): found.get(i, NetworkCounts()) for i in ids})
        return [answers[k] for k in keys]


def _specialties(codes: list[str], found: Mapping[str, Record]) -> dict[str, Specialty]:
    ref = reference()
    # A code seen in a directory before the NUCC file was loaded: pnet's own reference data still
    # knows whether it is PCP-eligible and which CMS type it counts toward.
    return {c: _specialty(found.get(c)) or ref.stub(c) for c in codes}


def _specialty(rec: Record | None) -> Specialty | None:
    return rec if isinstance(rec, Specialty) else None


async def load_present(loader: DataLoader[str, Any], keys: Sequence[str]) -> list[Any]:
    """The records for ``keys`` that exist, in order (a link to a missing node is not an error)."""
    return [r for r in await loader.load_many(list(keys)) if r is not None]
