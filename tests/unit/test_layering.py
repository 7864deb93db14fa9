"""Imports point one way: schema -> network, loaders -> network; network imports neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("network", {"schema", "loaders", "pnet_cli"}),
        ("schema", {"loaders", "pnet_cli"}),
        ("loaders", {"schema", "pnet_cli"}),
    ],
)
def test_imports_point_one_way(package: str, forbidden: set[str]) -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(_imported_packages(path) & forbidden)
        for path in (REPO / package).rglob("*.py")
        if _imported_packages(path) & forbidden
    }
    assert offenders == {}, f"{package}/ must not import {sorted(forbidden)}"
