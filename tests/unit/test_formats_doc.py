"""docs/formats.md documents every source `pnet load` accepts, with an example of each."""

from __future__ import annotations

import re
from pathlib import Path

from loaders.registry import SOURCES

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"


def test_every_source_has_a_section_with_an_example() -> None:
    text = DOC.read_text()
    sections = dict(re.findall(r'<a id="(\w+)"></a>\n(.*?)(?=<a id=|\Z)', text, re.S))
    assert set(sections) == set(SOURCES)
    for source, body in sections.items():
        assert "```" in body, f"{source}: no example block"
