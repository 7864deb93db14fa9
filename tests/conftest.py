"""Shared fixtures: both stores for the contract suite, a real Neo4j, and the shared sample data.

Neo4j, in order of preference: an explicit ``PNET_TEST_NEO4J_URI``; a testcontainers ``neo4j:5.26``
when a Docker engine answers; else the local Maven-built Neo4j that ``scripts/neo4j-local`` starts on
port 7688 with its own data folder (``.neo4j-test``), so tests never touch a developer's graph. Under
``CI=true`` a Neo4j that cannot be had fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from network.settings import Settings
from network.store import GraphStore
from network.store.memory import MemoryStore

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PNET_SHARED_DATA", REPO.parent / "shared" / "data" / "plannet-sample"))
TEST_NEO4J_PORT = int(os.environ.get("PNET_TEST_NEO4J_PORT", "7688"))
TEST_NEO4J_PASSWORD = "pnet-test-password"


@dataclass(frozen=True)
class Neo4jTarget:
    uri: str
    user: str
    password: str
    how: str
    restart: tuple[str, ...] | None = None  # a command that stops+starts it again (outage tests)


def _docker_engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"Neo4j is required under CI but unavailable: {reason}", pytrace=False)
    pytest.skip(f"no Neo4j: {reason}")


@pytest.fixture(scope="session")
def neo4j_target() -> Iterator[Neo4jTarget]:
    uri = os.environ.get("PNET_TEST_NEO4J_URI")
    if uri:
        yield Neo4jTarget(
            uri,
            os.environ.get("PNET_TEST_NEO4J_USER", "neo4j"),
            os.environ.get("PNET_TEST_NEO4J_PASSWORD", TEST_NEO4J_PASSWORD),
            "explicit URI",
        )
        return
    if _docker_engine_answers():
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer("neo4j:5.26-community", password=TEST_NEO4J_PASSWORD) as container:
            yield Neo4jTarget(container.get_connection_url(), "neo4j", TEST_NEO4J_PASSWORD, "testcontainers")
        return
    env = local_neo4j_env()
    script = str(REPO / "scripts" / "neo4j-local")
    proc = subprocess.run([script, "start"], env=env, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        _unavailable(f"scripts/neo4j-local start failed:\n{proc.stdout}\n{proc.stderr}")
    yield Neo4jTarget(
        f"bolt://127.0.0.1:{TEST_NEO4J_PORT}", "neo4j", TEST_NEO4J_PASSWORD, "local (scripts/neo4j-local)"
    )
    # Left running on purpose: the next session's start is then instant; CI's machine is thrown away.


def local_neo4j_env() -> dict[str, str]:
    return {
        **os.environ,
        # One data folder per port, so two suites on two ports never share (and lock) a store.
        "PNET_NEO4J_HOME": str(
            REPO / (".neo4j-test" if TEST_NEO4J_PORT == 7688 else f".neo4j-test-{TEST_NEO4J_PORT}")
        ),
        "PNET_NEO4J_BOLT_PORT": str(TEST_NEO4J_PORT),
        "PNET_NEO4J_PASSWORD": TEST_NEO4J_PASSWORD,
    }


@pytest.fixture(scope="session")
def neo4j_settings(neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        store="neo4j",
        data_dir=tmp_path_factory.mktemp("pnet-neo4j"),
        neo4j_uri=neo4j_target.uri,
        neo4j_user=neo4j_target.user,
        neo4j_password=SecretStr(neo4j_target.password),
        batch_size=500,
    )


@pytest.fixture(scope="session")
def _neo4j_store_session(neo4j_settings: Settings) -> Iterator[GraphStore]:
    from network.store.neo4j import Neo4jStore

    store = Neo4jStore.from_settings(neo4j_settings)
    store.init_schema()
    yield store
    store.close()


@pytest.fixture(params=["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    """An empty store of each kind: the contract suite runs every test against both."""
    if request.param == "memory":
        mem = MemoryStore()
        mem.init_schema()
        yield mem
        return
    neo: GraphStore = request.getfixturevalue("_neo4j_store_session")
    neo.clear()
    yield neo


@pytest.fixture
def neo4j_store(_neo4j_store_session: GraphStore) -> GraphStore:
    _neo4j_store_session.clear()
    return _neo4j_store_session


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared sample data not found at {SHARED} (set PNET_SHARED_DATA or place ../shared)")
    return SHARED
