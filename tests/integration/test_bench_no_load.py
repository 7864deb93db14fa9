"""``bench --no-load`` on a store that holds nothing says so, instead of failing on an empty list."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_no_load_on_an_empty_store_names_the_dataset_and_the_cause(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            *(sys.executable, "-m", "bench", "--quick", "--datasets", "demo", "--stores", "memory"),
            *("--no-load", "--no-adequacy", "--data-root", str(tmp_path / "data")),
            *("--results", str(tmp_path / "results"), "--markdown", str(tmp_path / "B.md")),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "demo on memory: the store holds none of the dataset's PCPs" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
