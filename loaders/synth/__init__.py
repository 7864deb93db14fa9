"""``pnet synth``: a realistic synthetic region written in exactly the formats pnet's loaders read.

See ``docs/synth.md``. :func:`generate` writes ``nppes.csv``, ``plans.csv``, ``participation.csv``,
``referrals.csv`` and ``counties.csv`` plus ``planted.json`` (the deliberately bad rows) and
``manifest.json`` (arguments, counts and a demo example computed from the data).
"""

from __future__ import annotations

from loaders.synth.config import FILES, LOAD_ORDER, SynthConfig
from loaders.synth.generate import generate

__all__ = ["FILES", "LOAD_ORDER", "SynthConfig", "generate"]
