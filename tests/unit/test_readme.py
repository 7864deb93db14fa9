"""The README's quickstart stays two working commands, and CI runs the README's test command."""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _quickstart_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the Quickstart section has a bash block"
    return [line.split("#", 1)[0].strip() for line in block[1].splitlines() if line.split("#", 1)[0].strip()]


def test_quickstart_is_two_commands_demo_then_tests() -> None:
    assert _quickstart_commands() == ["scripts/demo", "scripts/test"]


def test_quickstart_scripts_exist_and_are_executable() -> None:
    for command in _quickstart_commands():
        path = REPO / command.split()[0]
        assert path.is_file() and os.access(path, os.X_OK), command


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^scripts/test\b", ci, re.M)


def test_demo_script_runs_pnet_demo() -> None:
    assert "pnet demo" in (REPO / "scripts" / "demo").read_text()
