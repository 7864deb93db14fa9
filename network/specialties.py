"""pnet's own specialty reference data: PCP eligibility and the CMS 42 CFR 422.116 specialty types.

Shipped in ``network/data`` (sources in ``network/data/SOURCES.md``), so pnet knows which NUCC codes are
PCP-eligible and which CMS type each counts toward even when the NUCC file was never loaded.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from network.errors import InvalidInput
from network.model import Specialty
from network.validate import is_taxonomy_code

OBGYN_CMS_TYPE = "Gynecology OB/GYN"  # members may see these without a PCP referral (direct access)


@dataclass(frozen=True, slots=True)
class SpecialtyReference:
    pcp_eligible: frozenset[str]
    cms_type_of: dict[str, str]  # NUCC code -> CMS 422.116 specialty type
    cms_types: tuple[str, ...]  # every CMS type with at least one NUCC code, sorted

    def codes_for_cms_type(self, cms_type: str) -> frozenset[str]:
        return frozenset(code for code, t in self.cms_type_of.items() if t == cms_type)

    def stub(self, code: str, display: str | None = None) -> Specialty:
        """A Specialty for a code seen in a directory before (or without) the NUCC file."""
        return Specialty(
            code=code,
            display=display or code,
            pcp_eligible=code in self.pcp_eligible,
            cms_type=self.cms_type_of.get(code),
        )

    def is_obgyn(self, code: str | None) -> bool:
        return code is not None and self.cms_type_of.get(code) == OBGYN_CMS_TYPE

    def resolve(self, term: str, known_codes: frozenset[str] | None = None) -> frozenset[str]:
        """NUCC codes a filter term stands for: a NUCC code, or a CMS type name (any case).

        Raises :class:`InvalidInput` with close matches when the term is neither.
        """
        raw = term.strip()
        upper = raw.upper()
        if is_taxonomy_code(upper) and (
            known_codes is None or upper in known_codes or upper in self.cms_type_of
        ):
            return frozenset({upper})
        by_name = {t.casefold(): t for t in self.cms_types}
        match = by_name.get(raw.casefold())
        if match is not None:
            return self.codes_for_cms_type(match)
        close = difflib.get_close_matches(raw, list(self.cms_types), n=5, cutoff=0.4)
        close += [t for t in self.cms_types if raw.casefold() in t.casefold() and t not in close]
        raise InvalidInput(
            f"unknown specialty {term!r}: give a NUCC taxonomy code (e.g. 207RC0000X) "
            "or a CMS specialty type",
            field="specialty",
            suggestions=close[:5],
        )


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files("network").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def reference() -> SpecialtyReference:
    """The shipped reference data, read once per process."""
    pcp = frozenset(r["nucc_code"] for r in _csv("pcp_eligible_taxonomies.csv"))
    cms = {r["nucc_code"]: r["cms_specialty_type"] for r in _csv("nucc_cms_specialty_map.csv")}
    return SpecialtyReference(pcp_eligible=pcp, cms_type_of=cms, cms_types=tuple(sorted(set(cms.values()))))
