"""What every file writer shares: the arguments, the region, the people, the plant log, fresh NPIs."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

import numpy as np

from loaders.synth.addresses import Sites
from loaders.synth.config import SynthConfig
from loaders.synth.planted import Kind, PlantLog
from loaders.synth.population import Population
from loaders.synth.region import Region


@dataclass(slots=True)
class FileStats:
    rows: int = 0  # data rows written, bad ones included
    good: int = 0
    rejects: int = 0
    skips: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "good": self.good,
            "planted_rejects": self.rejects,
            "planted_skips": self.skips,
        }


@dataclass(slots=True)
class World:
    config: SynthConfig
    out: Path
    region: Region
    sites: Sites
    people: Population
    log: PlantLog
    stats: dict[str, FileStats] = field(default_factory=dict)
    _unknown: int = 0

    def unknown_npi(self) -> str:
        """A valid NPI that no row of any file describes (reused in turn: each use is still unknown)."""
        npi = self.people.reserve[self._unknown % len(self.people.reserve)]
        self._unknown += 1
        return str(int(npi))

    def as_of(self) -> date:
        return date.fromisoformat(self.config.as_of)


class RowWriter:
    """A CSV writer that knows the physical line number of the row it writes next."""

    def __init__(self, world: World, name: str, header: list[str] | None, **fmt: Any) -> None:
        self.world = world
        self.name = name
        self._fh: IO[str] = (world.out / name).open("w", newline="", encoding="utf-8")
        self._csv = csv.writer(self._fh, **fmt)
        self.line = 0
        self.stats = world.stats.setdefault(name, FileStats())
        if header is not None:
            self._csv.writerow(header)
            self.line = 1

    def good(self, row: list[str]) -> None:
        self._csv.writerow(row)
        self.line += 1
        self.stats.rows += 1
        self.stats.good += 1

    def bad(self, row: list[str], kind: Kind, value: str = "") -> None:
        self._csv.writerow(row)
        self.line += 1
        self.stats.rows += 1
        if kind.skip:
            self.stats.skips += 1
        else:
            self.stats.rejects += 1
        self.world.log.add(self.name, self.line, kind, value)

    def close(self) -> None:
        self._fh.close()


def iso(d: date) -> str:
    return d.isoformat()


def us_date(d: date) -> str:
    return d.strftime("%m/%d/%Y")


def day(base: date, offset: int | np.integer[Any]) -> date:
    return base + timedelta(days=int(offset))
