"""``pnet load``: ``--batch-size`` reaches the store, not only the pipeline; ``--lanes`` the pipeline."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from loaders.nucc import CLASSIFICATION, CODE, GROUPING
from network.model import Record
from network.settings import Settings
from network.store.base import GraphStore, Shaped, UpsertCounts
from network.store.memory import MemoryStore
from pnet_cli import load as load_cli
from pnet_cli.main import app

NUCC = [CODE, GROUPING, CLASSIFICATION]  # what the loader needs of the taxonomy's columns
CODES = ["207Q00000X", "207R00000X", "207RC0000X", "207RG0100X", "207V00000X", "208000000X", "208D00000X"]


def _nucc_file(folder: Path) -> Path:
    path = folder / "nucc.csv"
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(NUCC)
        out.writerows([code, "Physicians", f"Class {code}"] for code in CODES)
    return path


class Recording(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    def upsert_shaped(self, items: Sequence[Shaped[Record]]) -> UpsertCounts:
        self.batches.append(len(items))
        return super().upsert_shaped(items)


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        ([], {}, 2000),
        (["--batch-size", "3"], {}, 3),
        ([], {"PNET_BATCH_SIZE": "2"}, 2),
        ([], {"PNET_NEO4J_BATCH_SIZE": "4"}, 4),  # the variable's name before it sized the pipeline too
        (["--batch-size", "3"], {"PNET_BATCH_SIZE": "2"}, 3),
    ],
)
def test_the_batch_size_sizes_the_pipeline_and_the_store_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], env: dict[str, str], expected: int
) -> None:
    path = _nucc_file(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    opened: list[Settings] = []
    store = Recording()

    def open_store(settings: Settings) -> GraphStore:
        opened.append(settings)
        return store

    monkeypatch.setattr(load_cli, "open_configured_store", open_store)
    result = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path / "pnet"), "load", "nucc", str(path), "--no-progress", *argv]
    )
    assert result.exit_code == 0, result.output
    assert [s.batch_size for s in opened] == [expected]  # what a Neo4j store cuts its statements by
    assert store.batches == [min(expected, len(CODES) - n) for n in range(0, len(CODES), expected)]


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        ([], {}, 3),
        (["--lanes", "2"], {}, 2),
        ([], {"PNET_LOAD_LANES": "1"}, 1),
        (["--lanes", "4"], {"PNET_LOAD_LANES": "1"}, 4),
    ],
)
def test_the_lanes_reach_the_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], env: dict[str, str], expected: int
) -> None:
    path = tmp_path / "nucc.csv"
    path.write_text(",".join(NUCC) + "\n" + f"{CODES[0]},Physicians,Family\n")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    seen: list[int] = []
    real_run_load = load_cli.run_load

    def run_load(*args: Any, **kwargs: Any) -> Any:
        seen.append(args[3].lanes)
        return real_run_load(*args, **kwargs)

    monkeypatch.setattr(load_cli, "run_load", run_load)
    monkeypatch.setattr(load_cli, "open_configured_store", lambda settings: MemoryStore())
    result = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path / "pnet"), "load", "nucc", str(path), "--no-progress", *argv]
    )
    assert result.exit_code == 0, result.output
    assert seen == [expected]


@pytest.mark.parametrize("item", ["nppes", "nppes=", "nope=x.csv", "=x.csv"])
def test_load_all_names_a_bad_step(tmp_path: Path, item: str) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "pnet"), "load-all", item])
    assert result.exit_code == 2, result.output
    assert "SOURCE=PATH" in result.output and repr(item) in result.output


def test_load_all_runs_the_steps_in_order_with_the_jobs_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nucc = _nucc_file(tmp_path)
    seen: list[tuple[list[str], int]] = []
    real_run_steps = load_cli.run_steps

    def run_steps(steps: Any, store: Any, settings: Settings, **kwargs: Any) -> Any:
        seen.append(([s.source for s in steps], kwargs["jobs"]))
        return real_run_steps(steps, store, settings, **kwargs)

    monkeypatch.setattr(load_cli, "run_steps", run_steps)
    store = Recording()
    monkeypatch.setattr(load_cli, "open_configured_store", lambda settings: store)
    argv = ["--data-dir", str(tmp_path / "pnet"), "load-all", f"nucc={nucc}", f"nucc={nucc}", "--jobs", "3"]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert seen == [(["nucc", "nucc"], 3)]
    assert "2 loads in" in result.output and f"{len(CODES)}" in result.output
    assert len(store.batches) == 2  # loaded, then found unchanged


def test_load_all_gives_the_source_options_to_every_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nucc = _nucc_file(tmp_path)
    seen: list[Any] = []
    real_run_steps = load_cli.run_steps

    def run_steps(steps: Any, store: Any, settings: Settings, **kwargs: Any) -> Any:
        seen.extend(s.source_options for s in steps)
        return real_run_steps(steps, store, settings, **kwargs)

    monkeypatch.setattr(load_cli, "run_steps", run_steps)
    monkeypatch.setattr(load_cli, "open_configured_store", lambda settings: MemoryStore())
    argv = [
        "--data-dir",
        str(tmp_path / "pnet"),
        "load-all",
        f"nucc={nucc}",
        "--states",
        "ct,ma",
        "--year",
        "2015",
    ]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert [(o.states, o.year) for o in seen] == [(frozenset({"CT", "MA"}), 2015)]
    # Options a source refuses end the command before anything loads.
    bad = CliRunner().invoke(app, [*argv[:4], "referrals=x.csv", "--window-days", "0"])
    assert bad.exit_code == 2 and "--window-days" in bad.output


class SchemaFirst(Recording):
    """Notes, at each write, whether the schema was created before it."""

    def __init__(self) -> None:
        super().__init__()
        self.schema_before_writes: list[bool] = []
        self._schema = False

    def init_schema(self) -> list[str]:
        self._schema = True
        return super().init_schema()

    def upsert_shaped(self, items: Sequence[Shaped[Record]]) -> UpsertCounts:
        self.schema_before_writes.append(self._schema)
        return super().upsert_shaped(items)


def test_a_single_load_creates_the_schema_before_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a new Neo4j database without key constraints every MERGE scans its label, and lanes duplicate nodes.
    store = SchemaFirst()
    monkeypatch.setattr(load_cli, "open_configured_store", lambda settings: store)
    argv = ["--data-dir", str(tmp_path / "pnet"), "load", "nucc", str(_nucc_file(tmp_path)), "--no-progress"]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert store.schema_before_writes == [True]
