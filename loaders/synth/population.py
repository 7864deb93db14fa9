"""Who exists in the region: one compact numpy column per attribute, one entry per NPPES row.

Everything the other files need (where a practitioner practises, what they do, whether they are a PCP)
lives here as small integer or float arrays, so a million practitioners cost tens of megabytes and no
Python object per row. Names, dates and phone numbers are drawn later, chunk by chunk, when rows are
written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from loaders.synth.config import (
    DEACTIVATED_SHARE,
    MALE_SHARE,
    MULTI_CODE_SHARE,
    NO_PRIMARY_SWITCH_SHARE,
    ORGANIZATION_SHARE,
    PRIMARY_NOT_FIRST_SHARE,
    REACTIVATED_SHARE,
)
from loaders.synth.mix import Mix, organization_mix, practitioner_mix
from loaders.synth.names import zipf
from loaders.synth.region import SITES_PER_ZIP, Region
from network.validate import with_check_digit

ACTIVE, REACTIVATED, DEACTIVATED = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Population:
    npi: npt.NDArray[np.int64]  # valid 10-digit NPIs, ascending (the NPPES file order)
    entity: npt.NDArray[np.uint8]  # 1 practitioner, 2 organization
    zip_idx: npt.NDArray[np.int32]  # practice ZIP, an index into Region.zips
    site: npt.NDArray[np.uint8]  # practice address within the ZIP
    code: npt.NDArray[np.int16]  # primary taxonomy: index into the entity's Mix.codes
    second: npt.NDArray[np.int16]  # co-listed taxonomy: index into secondary_codes, -1 for none
    primary_in_slot2: npt.NDArray[np.bool_]  # the co-listed code fills slot 1, the primary slot 2
    no_switch: npt.NDArray[np.bool_]  # no slot says "Y" (the primary is then in slot 1)
    male: npt.NDArray[np.bool_]
    status: npt.NDArray[np.uint8]  # ACTIVE, REACTIVATED or DEACTIVATED
    reserve: npt.NDArray[np.int64]  # valid NPIs no row uses: bad rows and unknown references
    secondary_codes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.npi)

    @property
    def practitioner(self) -> npt.NDArray[np.bool_]:
        return self.entity == 1  # type: ignore[no-any-return]

    @property
    def pcp(self) -> npt.NDArray[np.bool_]:
        mix = practitioner_mix()
        return self.practitioner & mix.pcp[np.where(self.practitioner, self.code, 0)]

    @property
    def working(self) -> npt.NDArray[np.bool_]:
        """Active practitioners: the ones who contract with networks and share patients."""
        return self.practitioner & (self.status != DEACTIVATED)  # type: ignore[no-any-return]

    def primary_code(self, i: int) -> str:
        mix = practitioner_mix() if self.entity[i] == 1 else organization_mix()
        return mix.codes[int(self.code[i])]


def _npis(rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
    """``n`` distinct NPIs: fresh 9-digit prefixes starting with 1, plus their Luhn check digit."""
    prefixes = 100_000_000 + rng.choice(100_000_000, size=n, replace=False)
    return np.fromiter((int(with_check_digit(str(p))) for p in prefixes), dtype=np.int64, count=n)


def _codes(rng: np.random.Generator, mix: Mix, n: int) -> npt.NDArray[np.int16]:
    return rng.choice(len(mix.codes), size=n, p=mix.p).astype(np.int16)


def build_population(
    rng: np.random.Generator, region: Region, practitioners: int, reserve: int
) -> Population:
    organizations = round(practitioners * ORGANIZATION_SHARE / (1 - ORGANIZATION_SHARE))
    n = practitioners + organizations
    every = _npis(rng, n + reserve)
    npi = np.sort(every[:n])
    entity = np.ones(n, dtype=np.uint8)
    entity[rng.choice(n, size=organizations, replace=False)] = 2
    is_org = entity == 2
    zip_idx = rng.choice(len(region.zips), size=n, p=region.weight).astype(np.int32)
    site = rng.choice(SITES_PER_ZIP, size=n, p=zipf(SITES_PER_ZIP, 1.2)).astype(np.uint8)
    site[is_org] = rng.integers(0, 2, size=int(is_org.sum()))  # organisations hold the big campuses

    pmix, omix = practitioner_mix(), organization_mix()
    code = _codes(rng, pmix, n)
    code[is_org] = _codes(rng, omix, int(is_org.sum()))

    secondary_codes = tuple(sorted({v for c in pmix.secondary for v in c.values}))
    index = {c: i for i, c in enumerate(secondary_codes)}
    second = np.full(n, -1, dtype=np.int16)
    with_options = np.array([len(s.values) > 0 for s in pmix.secondary])
    # Only codes seen with a co-listed code get one, so their chance is scaled up to the sample's share.
    p_multi = min(1.0, MULTI_CODE_SHARE / float(pmix.p[with_options].sum()))
    multi = with_options[code] & ~is_org & (rng.random(n) < p_multi)
    for c in np.unique(code[multi]).tolist():
        rows = np.flatnonzero(multi & (code == c))
        options = pmix.secondary[c]
        lookup = np.array([index[v] for v in options.values], dtype=np.int16)
        second[rows] = lookup[rng.choice(len(lookup), size=len(rows), p=options.p)]
    slot2 = (second >= 0) & (rng.random(n) < PRIMARY_NOT_FIRST_SHARE / MULTI_CODE_SHARE)
    no_switch = ~slot2 & (rng.random(n) < NO_PRIMARY_SWITCH_SHARE)

    status = np.full(n, ACTIVE, dtype=np.uint8)
    roll = rng.random(n)
    status[roll < REACTIVATED_SHARE] = REACTIVATED
    status[(roll >= REACTIVATED_SHARE) & (roll < REACTIVATED_SHARE + DEACTIVATED_SHARE) & ~is_org] = (
        DEACTIVATED
    )
    return Population(
        npi=npi,
        entity=entity,
        zip_idx=zip_idx,
        site=site,
        code=code,
        second=second,
        primary_in_slot2=slot2,
        no_switch=no_switch,
        male=rng.random(n) < MALE_SHARE,
        status=status,
        reserve=every[n:],
        secondary_codes=secondary_codes,
    )
