"""Practice addresses: a few street addresses per ZIP that practitioners share, as real ones share
hospital campuses and medical office buildings (one Location node per address, many practitioners)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from loaders.synth.names import STREETS
from loaders.synth.region import SITES_PER_ZIP, Region


@dataclass(frozen=True, slots=True)
class Sites:
    number: npt.NDArray[np.int32]  # (zips, SITES_PER_ZIP) house numbers
    street: npt.NDArray[np.int16]  # (zips, SITES_PER_ZIP) index into STREETS

    def line1(self, zip_idx: int, site: int) -> str:
        return f"{int(self.number[zip_idx, site])} {STREETS[int(self.street[zip_idx, site])]}"


def build_sites(rng: np.random.Generator, region: Region) -> Sites:
    shape = (len(region.zips), SITES_PER_ZIP)
    # Big sites get round-ish low numbers (1000 ASYLUM AVE), small offices anything up to a few thousand.
    number = np.where(
        rng.random(shape) < 0.3,
        rng.integers(1, 20, size=shape) * 100,
        rng.integers(1, 3000, size=shape),
    ).astype(np.int32)
    # Distinct streets within a ZIP, so two sites never share an address.
    street = np.argsort(rng.random((shape[0], len(STREETS))), axis=1)[:, :SITES_PER_ZIP].astype(np.int16)
    return Sites(number=number, street=street)
