"""Which loader serves which ``pnet load <source>``; modules are imported only when used."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from loaders.pipeline import Loader
from network.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """Options some sources take (``pnet load --help`` lists which)."""

    states: frozenset[str] | None = None  # nppes: keep practice locations in these states only
    window_days: int | None = None  # referrals (CMS shared patient): the file's window, e.g. 30/90/180
    year: int | None = None  # referrals: the data year
    extra: dict[str, str] = field(default_factory=dict)


# source name -> module defining ``make_loader(options: SourceOptions) -> Loader``
SOURCES: dict[str, str] = {
    "nucc": "loaders.nucc",
    "nppes": "loaders.nppes",
    "plannet": "loaders.plannet",
    "plans": "loaders.plans",
    "participation": "loaders.participation",
    "referrals": "loaders.referrals",
    "counties": "loaders.counties",
}


def make_loader(source: str, options: SourceOptions) -> Loader:
    module_name = SOURCES.get(source)
    if module_name is None:
        raise InvalidInput(f"unknown source {source!r}; known: {', '.join(sorted(SOURCES))}", field="source")
    module = importlib.import_module(module_name)
    loader: Loader = module.make_loader(options)
    return loader
