"""Deliberately bad rows: where they go, and the ``planted.json`` manifest that lists them.

Every file gets ``max(ceil(share x good rows), kinds)`` bad rows (so even a tiny region plants every
kind once), each placed before a random good row. A bad row is an *extra* row: a copy of a good row with
one thing broken and, where it names an entity, a fresh key, so rejecting it never removes anything the
other files rely on. The log streams to a side file as rows are written and is assembled at the end,
so memory stays flat however many rows are planted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    field: str  # the column the fault is in
    reason: str  # what a loader should say about it (loaders word it their own way)
    skip: bool = False  # an unknown reference that the loader skips rather than rejects


class Planter:
    """Which kinds of bad row go before which good row (0-based good-row index)."""

    def __init__(
        self, rng: np.random.Generator, n_good: int, kinds: tuple[Kind, ...], share: float, first: int = 0
    ) -> None:
        self.kinds = kinds
        n_bad = 0 if share <= 0 or n_good <= first else max(math.ceil(share * n_good), len(kinds))
        self.positions: npt.NDArray[np.int64] = np.sort(rng.integers(first, n_good + 1, size=n_bad))
        order = np.concatenate([rng.permutation(len(kinds)), rng.integers(0, len(kinds), size=n_bad)])
        self.kind_of: npt.NDArray[np.int64] = order[:n_bad]
        self._next = 0

    def __len__(self) -> int:
        return len(self.positions)

    def before(self, good_index: int) -> Iterator[Kind]:
        """The bad rows to write before good row ``good_index`` (pass ``n_good`` after the last one)."""
        while self._next < len(self.positions) and self.positions[self._next] <= good_index:
            yield self.kinds[int(self.kind_of[self._next])]
            self._next += 1


class PlantLog:
    """Streams planted-row entries (one JSON line each) to a side file per data file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[str, IO[str]] = {}
        self.counts: dict[str, dict[str, int]] = {}

    def add(self, file: str, line: int, kind: Kind, value: str = "") -> None:
        fh = self._files.get(file)
        if fh is None:
            fh = self._files[file] = (self.folder / f".planted-{file}.jsonl").open("w", encoding="utf-8")
        entry = {"line": line, "kind": kind.name, "field": kind.field, "reason": kind.reason}
        if value:
            entry["value"] = value
        fh.write(json.dumps(entry, sort_keys=True) + ("\tS\n" if kind.skip else "\tR\n"))
        slot = self.counts.setdefault(file, {"rejects": 0, "skips": 0})
        slot["skips" if kind.skip else "rejects"] += 1

    def write(self, path: Path, header: dict[str, Any], files: list[str]) -> None:
        """``planted.json``: ``{..header, "files": {name: {"rejects": [...], "skips": [...]}}}``."""
        for fh in self._files.values():
            fh.close()
        with path.open("w", encoding="utf-8") as out:
            out.write("{\n")
            for key, value in header.items():
                out.write(f"  {json.dumps(key)}: {json.dumps(value, sort_keys=True)},\n")
            out.write('  "files": {')
            for n, name in enumerate(files):
                out.write(("," if n else "") + f"\n    {json.dumps(name)}: {{")
                side = self.folder / f".planted-{name}.jsonl"
                for m, (group, tag) in enumerate((("rejects", "R"), ("skips", "S"))):
                    out.write(("," if m else "") + f'\n      "{group}": [')
                    first = True
                    if side.exists():
                        with side.open(encoding="utf-8") as fh:
                            for line in fh:
                                entry, _, kind = line.rstrip("\n").rpartition("\t")
                                if kind == tag:
                                    out.write(("" if first else ",") + f"\n        {entry}")
                                    first = False
                    out.write("\n      ]" if not first else "]")
                out.write("\n    }")
                if side.exists():
                    side.unlink()
            out.write("\n  }\n}\n")
