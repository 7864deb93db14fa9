"""The specialty mix: taxonomy codes with weights, credential spellings and co-listed codes per code.

Read from ``taxonomy_mix.csv`` (derived from the real sample, see ``derive.py``); primary care is then
reweighted to :data:`~loaders.synth.config.PCP_SHARE` of practitioners, keeping the relative weights
inside primary care and inside the rest as the sample has them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from loaders.synth.config import PCP_SHARE
from network.specialties import reference


@dataclass(frozen=True, slots=True)
class Choices:
    """Weighted alternatives (credential spellings, co-listed codes) for one taxonomy code."""

    values: tuple[str, ...]
    p: npt.NDArray[np.float64]

    def pick(self, u: float) -> str:
        """The value a uniform draw ``u`` in [0, 1) falls on (inverse CDF: one draw, no generator call)."""
        i = int(np.searchsorted(np.cumsum(self.p), u, side="right"))
        return self.values[min(i, len(self.values) - 1)]


@dataclass(frozen=True, slots=True)
class Mix:
    codes: tuple[str, ...]
    p: npt.NDArray[np.float64]  # sampling probability per code
    pcp: npt.NDArray[np.bool_]  # PCP-eligible per code (network.specialties)
    credentials: tuple[Choices, ...]
    secondary: tuple[Choices, ...]


def _choices(cell: str) -> Choices:
    if not cell:
        return Choices((), np.zeros(0))
    pairs = [part.rsplit(":", 1) for part in cell.split("|")]
    weights = np.array([float(n) for _, n in pairs])
    return Choices(tuple(v for v, _ in pairs), weights / weights.sum())


@cache
def _rows() -> list[dict[str, str]]:
    text = resources.files("loaders.synth").joinpath("taxonomy_mix.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def practitioner_mix() -> Mix:
    rows = [r for r in _rows() if r["entity_type"] == "1"]
    pcp_codes = reference().pcp_eligible
    codes = tuple(r["code"] for r in rows)
    counts = np.array([float(r["count"]) for r in rows])
    pcp = np.array([c in pcp_codes for c in codes])
    p = np.where(pcp, PCP_SHARE * counts / counts[pcp].sum(), (1 - PCP_SHARE) * counts / counts[~pcp].sum())
    return Mix(
        codes=codes,
        p=p / p.sum(),
        pcp=pcp,
        credentials=tuple(_choices(r["credentials"]) for r in rows),
        secondary=tuple(_choices(r["secondary"]) for r in rows),
    )


@cache
def organization_mix() -> Mix:
    rows = [r for r in _rows() if r["entity_type"] == "2"]
    counts = np.array([float(r["count"]) for r in rows])
    empty = tuple(_choices("") for _ in rows)
    return Mix(
        codes=tuple(r["code"] for r in rows),
        p=counts / counts.sum(),
        pcp=np.zeros(len(rows), dtype=bool),
        credentials=empty,
        secondary=empty,
    )
