"""On Neo4j, a load killed with SIGKILL halfway and run again gives exactly the graph of one clean load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loaders.synth import SynthConfig, generate
from network.settings import Settings
from network.store import GraphStore

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

LOAD = (
    "import sys; from pathlib import Path; from network.settings import Settings; "
    "from pnet_cli.demo import load_region; load_region(Settings(), Path(sys.argv[1]), batch_size=200)"
)


def _env(settings: Settings, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PNET_STORE": "neo4j",
        "PNET_DATA_DIR": str(data_dir),
        "PNET_NEO4J_URI": settings.neo4j_uri,
        "PNET_NEO4J_USER": settings.neo4j_user,
        "PNET_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
    }


def _load(env: dict[str, str], region: Path) -> None:
    done = subprocess.run([sys.executable, "-c", LOAD, str(region)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_sigkill_halfway_then_reload_equals_one_clean_load(
    neo4j_store: GraphStore, neo4j_settings: Settings, tmp_path: Path
) -> None:
    region = tmp_path / "region"
    generate(SynthConfig(seed=7, practitioners=1500, referrals=20_000, states=("CT",)), region)
    env = _env(neo4j_settings, tmp_path)

    _load(env, region)
    clean_stats, clean_checksum = neo4j_store.stats(), neo4j_store.checksum()
    total_edges = clean_stats.relationships["REFERS_TO"]

    neo4j_store.clear()
    victim = subprocess.Popen(
        [sys.executable, "-c", LOAD, str(region)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    # Kill in the middle of the referrals load: some edges written, far from all.
    while neo4j_store.stats().relationships.get("REFERS_TO", 0) < total_edges // 3:
        assert victim.poll() is None, "the load finished before it could be killed; make the region larger"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    partial = neo4j_store.stats()
    assert 0 < partial.relationships.get("REFERS_TO", 0) < total_edges

    _load(env, region)
    assert neo4j_store.stats() == clean_stats
    assert neo4j_store.checksum() == clean_checksum
