"""``pnet load nucc``: the NUCC Health Care Provider Taxonomy CSV -> Specialty names.

The file only adds names: PCP eligibility and the CMS 42 CFR 422.116 specialty type come from pnet's own
reference data (:func:`network.specialties.reference`), so a Specialty reads the same whether it was
created here or as a stub by a directory load. Upserting replaces such a stub's code-only name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from loaders.csvfile import iter_dict_rows, read_header
from loaders.errors import UnreadableSource
from loaders.footprint import Footprint
from loaders.pipeline import Loader, Mapped, RawRow
from loaders.registry import SourceOptions
from loaders.report import Reject
from network.model import Label, Specialty
from network.specialties import reference
from network.validate import is_taxonomy_code

CODE = "Code"
GROUPING = "Grouping"
CLASSIFICATION = "Classification"
SPECIALIZATION = "Specialization"
DISPLAY_NAME = "Display Name"
NAME_COLUMNS = (DISPLAY_NAME, CLASSIFICATION, SPECIALIZATION)


class NuccLoader(Loader):
    source = "nucc"
    footprint = Footprint(writes=frozenset({Label.SPECIALTY}))

    def harvest(self, path: Path) -> Iterator[RawRow]:
        header = set(read_header(path))
        if CODE not in header or not header.intersection(NAME_COLUMNS):
            raise UnreadableSource(
                f"{path}: not a NUCC taxonomy file, header needs {CODE!r} and one of {list(NAME_COLUMNS)}"
            )
        yield from iter_dict_rows(path, required={CODE})

    def transform(self, raw: RawRow) -> Mapped | list[Reject]:
        row: dict[str | None, str | None] = raw.data

        def bad(column: str, reason: str, value: str = "") -> list[Reject]:
            return [Reject(raw.file, raw.line, column, reason, value)]

        if "__error__" in row:
            return bad("(row)", "unparseable CSV row", str(row["__error__"]))
        if None in row or any(v is None for v in row.values()):
            return bad("(row)", "wrong number of fields", f"{len(_fields(row))} fields")
        raw_code = _text(row, CODE)
        code = raw_code.upper()
        if not is_taxonomy_code(code):
            return bad(CODE, "malformed taxonomy code", raw_code)
        classification = _text(row, CLASSIFICATION) or None
        specialization = _text(row, SPECIALIZATION) or None
        display = _text(row, DISPLAY_NAME) or " / ".join(p for p in (classification, specialization) if p)
        if not display:
            return bad(DISPLAY_NAME, "no name: Display Name, Classification and Specialization are empty")
        ref = reference()
        specialty = Specialty(
            code=code,
            display=display,
            grouping=_text(row, GROUPING) or None,
            classification=classification,
            specialization=specialization,
            pcp_eligible=code in ref.pcp_eligible,
            cms_type=ref.cms_type_of.get(code),
        )
        return Mapped(raw.file, raw.line, specialty)


def _text(row: dict[str | None, str | None], column: str) -> str:
    return " ".join((row.get(column) or "").split())


def _fields(row: dict[str | None, str | None]) -> list[str]:
    """The fields a malformed row really had (those present, plus the extras csv gathered under None)."""
    present = [v for k, v in row.items() if k is not None and v is not None]
    extras = row.get(None)
    return present + (list(extras) if isinstance(extras, list) else [])


def make_loader(options: SourceOptions) -> Loader:
    return NuccLoader()
