"""``pnet load referrals``: observed referral edges (REFERS_TO) from shared-patient files.

Two layouts, told apart by the file's first line and never by guessing column order (see
``docs/formats.md``):

- CMS "Physician Shared Patient Patterns": headerless, ``npi_from,npi_to,pair_count,beneficiaries,
  same_day_count``; the first line is already data (two 10-digit NPIs and three counts).
- DocGraph Hop Teaming: header ``from_npi,to_npi,patient_count,transaction_count,average_day_wait,
  std_day_wait``; transactions are shared encounters (pair_count) and patients are beneficiaries.

Files run to 100M+ rows, so rows stream through and an edge whose practitioners are not in the graph is
*skipped* (counted, never invented). The store's write finds that out itself (the seeks that find the two
practitioners are the check), so a batch costs one round trip, not a read and then a write.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from loaders.csvfile import iter_rows
from loaders.errors import UnreadableSource
from loaders.footprint import Footprint
from loaders.pipeline import Loader, Mapped, RawRow
from loaders.registry import SourceOptions
from loaders.report import Reject
from network.errors import InvalidInput
from network.model import Label, Referral, Rel
from network.validate import npi_problem

CMS_SOURCE = "cms-shared-patient"
DOCGRAPH_SOURCE = "docgraph-hop"
CMS_COLUMNS = ("npi_from", "npi_to", "pair_count", "beneficiaries", "same_day_count")
DOCGRAPH_COLUMNS = (
    "from_npi",
    "to_npi",
    "patient_count",
    "transaction_count",
    "average_day_wait",
    "std_day_wait",
)
SKIP_FROM = "from NPI not in graph"
SKIP_TO = "to NPI not in graph"

_TEN_DIGITS = re.compile(r"^[0-9]{10}$")
_COUNT = re.compile(r"^[0-9]+$")
_COUNT_DIGITS = 18  # any count of at most 18 digits fits a 64-bit integer
# CMS names its files e.g. physician-shared-patient-patterns-2015-days30.txt.
_WINDOW_IN_NAME = re.compile(r"days?[-_]?([0-9]{2,3})(?![0-9])", re.IGNORECASE)
_YEAR_IN_NAME = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")


class Layout(StrEnum):
    CMS = CMS_SOURCE
    DOCGRAPH = DOCGRAPH_SOURCE

    @property
    def columns(self) -> tuple[str, ...]:
        return CMS_COLUMNS if self is Layout.CMS else DOCGRAPH_COLUMNS


@dataclass(frozen=True, slots=True)
class FileContext:
    """What holds for every row of one file: its layout and the data window/year it covers."""

    layout: Layout
    window_days: int | None
    year: int | None


def detect_layout(first_row: list[str]) -> Layout | None:
    """The layout a file's first row announces, or None when it is neither known layout."""
    cells = [c.strip() for c in first_row]
    if [c.lower() for c in cells] == list(DOCGRAPH_COLUMNS):
        return Layout.DOCGRAPH
    if (
        len(cells) == len(CMS_COLUMNS)
        and all(_TEN_DIGITS.match(c) for c in cells[:2])
        and all(_COUNT.match(c.lstrip("-")) for c in cells[2:])
    ):
        return Layout.CMS
    return None


class ReferralsLoader(Loader):
    source = "referrals"
    missing_reasons: ClassVar[dict[str, str]] = {"from": SKIP_FROM, "to": SKIP_TO}
    # Batches link practitioners an earlier load wrote and nothing one another writes; a pair's rows
    # (all its edge keys) share the referring practitioner, and so a lane.
    laned = True
    # The edges only: the practitioners are read (the write's seeks), never written.
    footprint = Footprint(writes=frozenset({Rel.REFERS_TO}), reads=frozenset({Label.PRACTITIONER}))

    def __init__(self, window_days: int | None = None, year: int | None = None) -> None:
        if window_days is not None and window_days <= 0:
            raise InvalidInput("--window-days must be a positive number of days", field="window_days")
        if year is not None and not 1900 <= year <= 2999:
            raise InvalidInput("--year must be a four-digit year", field="year")
        self.window_days = window_days
        self.year = year
        self._notes: list[str] = []

    def context_for(self, path: Path, layout: Layout) -> FileContext:
        """Options win; else the CMS file-name convention (``...-2015-days30.txt``) fills them in."""
        window, year = self.window_days, self.year
        if window is None and layout is Layout.CMS and (m := _WINDOW_IN_NAME.search(path.name)):
            window = int(m.group(1))
            self._notes.append(f"{path.name}: window of {window} days taken from the file name")
        if year is None and (m := _YEAR_IN_NAME.search(path.name)):
            year = int(m.group(1))
            self._notes.append(f"{path.name}: year {year} taken from the file name")
        return FileContext(layout, window, year)

    def notes(self) -> list[str]:
        return list(self._notes)

    def lane_key(self, m: Mapped) -> str:
        p = m.primary
        return p.from_npi if isinstance(p, Referral) else p.key

    def harvest(self, path: Path) -> Iterator[RawRow]:
        rows = iter_rows(path)
        first = next(rows, None)
        if first is None:
            raise UnreadableSource(f"{path}: empty file")
        layout = detect_layout(first.data) if isinstance(first.data, list) else None
        if layout is None:
            raise UnreadableSource(
                f"{path}: unknown referral layout; expected a CMS shared-patient data line "
                f"({','.join(CMS_COLUMNS)}) or the DocGraph header ({','.join(DOCGRAPH_COLUMNS)})"
            )
        ctx = self.context_for(path, layout)
        if layout is Layout.CMS:  # headerless: the first line is a row like any other
            yield RawRow(first.file, first.line, (ctx, first.data))
        for raw in rows:
            yield RawRow(raw.file, raw.line, (ctx, raw.data))

    def transform(self, raw: RawRow) -> Mapped | list[Reject]:
        ctx, fields = raw.data
        if isinstance(fields, dict):
            error = str(fields.get("__error__", ""))
            return [Reject(raw.file, raw.line, "row", "unparseable CSV row", error)]
        names = ctx.layout.columns
        if len(fields) != len(names):
            reason = "empty row" if not fields else f"expected {len(names)} fields, got {len(fields)}"
            return [Reject(raw.file, raw.line, "row", reason, ",".join(fields))]
        if ctx.layout is Layout.CMS:
            quick = _well_formed_cms(raw, ctx, fields)
            if quick is not None:
                return quick
        return _map_row(raw, ctx, [f.strip() for f in fields])


def _well_formed_cms(raw: RawRow, ctx: FileContext, fields: list[str]) -> Mapped | None:
    """A CMS row every check of :func:`_map_row` passes, mapped without them; None sends it there.

    Nearly every row of a CMS file is well formed, and there are 100M+ of them: the full check (a reject
    list, a counts table, a regex per count) was half of the loader's Python time per row. What passes
    here maps as the full check maps it (a property test holds the two equal).
    """
    a, b, pair_s, bene_s, same_s = fields
    if not (
        pair_s.isascii()
        and pair_s.isdigit()
        and bene_s.isascii()
        and bene_s.isdigit()
        and same_s.isascii()
        and same_s.isdigit()
    ):
        return None
    if max(len(pair_s), len(bene_s), len(same_s)) > _COUNT_DIGITS:
        return None
    pair, bene, same_day = int(pair_s), int(bene_s), int(same_s)
    if bene > pair or same_day > pair or a == b or _npi_problem(a) or _npi_problem(b):
        return None
    referral = Referral(a, b, pair, bene, same_day, ctx.window_days, ctx.year, ctx.layout.value)
    return Mapped(raw.file, raw.line, referral)


def _map_row(raw: RawRow, ctx: FileContext, cells: list[str]) -> Mapped | list[Reject]:
    names = ctx.layout.columns
    rejects: list[Reject] = []

    def bad(index: int, reason: str, value: str | None = None) -> None:
        # Reasons stay fixed categories (the report counts rows per reason); the numbers go in the value.
        rejects.append(
            Reject(raw.file, raw.line, names[index], reason, cells[index] if value is None else value)
        )

    for i in (0, 1):
        problem = _npi_problem(cells[i])
        if problem is not None:
            bad(i, problem)
    if not rejects and cells[0] == cells[1]:
        bad(1, "self-referral: from and to NPI are the same")
    counts: dict[int, int] = {}
    for i in range(2, 5 if ctx.layout is Layout.CMS else 4):
        value, problem = _count(cells[i])
        if problem is not None:
            bad(i, problem)
        else:
            counts[i] = value
    if ctx.layout is Layout.CMS:
        pair_i, bene_i, same_day_i = 2, 3, 4
    else:
        pair_i, bene_i, same_day_i = 3, 2, -1
        for i in (4, 5):
            if cells[i] and not _non_negative_number(cells[i]):
                bad(i, "not a non-negative number")
    pair, bene = counts.get(pair_i), counts.get(bene_i)
    if pair is not None and bene is not None and bene > pair:
        # Each distinct shared patient adds at least one shared encounter, so patients <= encounters.
        bad(bene_i, f"beneficiaries exceed {names[pair_i]}", f"{bene} > {pair}")
    same_day = counts.get(same_day_i)
    if pair is not None and same_day is not None and same_day > pair:
        bad(same_day_i, "same-day count exceeds pair_count", f"{same_day} > {pair}")
    if rejects or pair is None:
        return rejects
    referral = Referral(
        from_npi=cells[0],
        to_npi=cells[1],
        pair_count=pair,
        beneficiaries=bene,
        same_day_count=same_day,
        window_days=ctx.window_days,
        year=ctx.year,
        source=ctx.layout.value,
    )
    return Mapped(raw.file, raw.line, referral)


# NPIs repeat across millions of rows; a bounded cache keeps the Luhn check off the hot path.
_npi_problem = lru_cache(maxsize=1 << 16)(npi_problem)


def _count(cell: str) -> tuple[int, str | None]:
    if not cell:
        return 0, "missing count"
    if _COUNT.match(cell):
        if len(cell.lstrip("0")) > _COUNT_DIGITS:
            return 0, "count too large"  # Neo4j stores 64-bit integers; int() refuses 4,300+ digits
        return int(cell), None
    if cell.startswith("-") and _COUNT.match(cell[1:]):
        return 0, "negative count"
    return 0, "count is not a whole number"


def _non_negative_number(cell: str) -> bool:
    try:
        value = float(cell)
    except ValueError:
        return False
    return math.isfinite(value) and value >= 0


def make_loader(options: SourceOptions) -> Loader:
    return ReferralsLoader(window_days=options.window_days, year=options.year)
