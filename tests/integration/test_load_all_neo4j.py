"""``pnet load-all`` on Neo4j: loads at once, each in a process of its own (``min_bytes=0``: the region is
small, and would otherwise load one by one in this process), build the graph that loads one
by one build (same counts, same content checksum), and a load failing in its process fails the whole."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from loaders.errors import UnreadableSource
from loaders.pipeline import LoadOptions
from loaders.report import LoadReport
from loaders.schedule import Step, run_steps
from loaders.synth import LOAD_ORDER, SynthConfig, generate
from network.settings import Settings
from network.store import GraphStore

pytestmark = pytest.mark.neo4j

OPTIONS = LoadOptions(batch_size=200, max_reject_rate=0.5, progress=False, lanes=2)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("load-all-region")
    generate(SynthConfig(seed=5, practitioners=600, referrals=6000), out)
    return out


def _steps(region: Path) -> list[Step]:
    return [Step(source, (region / name,), OPTIONS) for source, name in LOAD_ORDER]


def _noting(seen: list[str]) -> Callable[[LoadReport], None]:
    return lambda report: seen.append(report.source)


def _counts(reports: Sequence[LoadReport]) -> list[tuple[str, int, int, int, int, int, int]]:
    return [(r.source, r.read, r.created, r.updated, r.unchanged, r.rejected, r.skipped) for r in reports]


def test_loads_at_once_build_the_graph_loads_one_by_one_build(
    region: Path, neo4j_store: GraphStore, neo4j_settings: Settings
) -> None:
    one_by_one = run_steps(_steps(region), neo4j_store, neo4j_settings, jobs=1)
    expected = neo4j_store.checksum()
    neo4j_store.clear()
    seen: list[str] = []
    at_once = run_steps(
        _steps(region), neo4j_store, neo4j_settings, jobs=2, on_report=_noting(seen), min_bytes=0
    )
    assert _counts(at_once) == _counts(one_by_one)
    assert sorted(seen) == sorted(source for source, _ in LOAD_ORDER)
    assert seen[0] == "nppes"  # every other load waits for the practitioners
    assert neo4j_store.checksum() == expected
    # Loaded again, at once: every row unchanged.
    again = run_steps(_steps(region), neo4j_store, neo4j_settings, jobs=2, min_bytes=0)
    assert all(r.created == r.updated == 0 for r in again)
    assert neo4j_store.checksum() == expected


def test_a_load_failing_in_its_process_fails_the_schedule(
    region: Path, neo4j_store: GraphStore, neo4j_settings: Settings, tmp_path: Path
) -> None:
    steps = _steps(region)
    steps[2] = Step("participation", (tmp_path / "no-such-participation.csv",), OPTIONS)
    seen: list[str] = []
    with pytest.raises(UnreadableSource, match=r"no-such-participation\.csv"):
        run_steps(steps, neo4j_store, neo4j_settings, jobs=2, on_report=_noting(seen), min_bytes=0)
    # Counties waits for participation, which failed: it never starts. Referrals, beside, may have run.
    assert "counties" not in seen and "participation" not in seen
    assert seen[0] == "nppes" and "plans" in seen  # participation started only once plans was in
