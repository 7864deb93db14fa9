"""A Neo4j instance of the benchmark's own (``scripts/neo4j-local`` on a separate home and port), so a run
never touches the graph other people's tests use; started and stopped by the run unless one is given."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from network.settings import Settings

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Neo4jInstance:
    home: Path = Path("/tmp/pnet-bench-neo4j")
    port: int = 7690
    password: str = "pnet-bench-password"
    heap: str = "4g"
    pagecache: str = "4g"
    java_opts: str = ""  # extra JVM options (scripts/neo4j-local: G1 unless these name a collector)

    @classmethod
    def on_port(cls, port: int) -> Neo4jInstance:
        """The instance on ``port``; any port but the default gets a home of its own, so two benchmark runs
        (e.g. from two worktrees) never share a data folder or pid file."""
        if port == cls.port:
            return cls()
        return cls(home=Path(f"/tmp/pnet-bench-neo4j-{port}"), port=port)

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """Variables for ``scripts/neo4j-local`` and for pnet subprocesses talking to this instance."""
        return {
            "PNET_NEO4J_HOME": str(self.home),
            "PNET_NEO4J_BOLT_PORT": str(self.port),
            "PNET_NEO4J_PASSWORD": self.password,
            "PNET_NEO4J_HEAP": self.heap,
            "PNET_NEO4J_PAGECACHE": self.pagecache,
            "PNET_NEO4J_JAVA_OPTS": self.java_opts,
            "PNET_NEO4J_PYTHON": str(REPO / ".venv" / "bin" / "python"),
            "PNET_NEO4J_URI": self.uri,
        }

    def settings(self, batch_size: int = 2000) -> Settings:
        return Settings(
            store="neo4j",
            neo4j_uri=self.uri,
            neo4j_password=SecretStr(self.password),
            batch_size=batch_size,
            neo4j_max_retry_time_s=30.0,
        )

    def _script(self, command: str) -> None:
        subprocess.run(
            [str(REPO / "scripts" / "neo4j-local"), command],
            env={**os.environ, **self.env()},
            check=True,
        )

    def wipe(self) -> None:
        """Stop, delete the data folder, start: an empty database in seconds, where deleting an L graph
        through Cypher takes minutes (and only this benchmark's own instance may be treated so)."""
        self._script("stop")
        shutil.rmtree(self.home / "data", ignore_errors=True)
        self._script("start")

    def read_store_files(self) -> int:
        """Reads the databases' files once (bytes read), so the system caches them. Neo4j's own page cache
        starts empty: on a graph loaded before a restart (``--no-load``), the first L searches read the
        disk, outlived the API's 10 s request timeout, and a failed sequential request ends a run."""
        read = 0
        for path in sorted((self.home / "data" / "databases").rglob("*")):
            if path.is_file():
                with path.open("rb") as fh:
                    while chunk := fh.read(1 << 20):
                        read += len(chunk)
        return read

    @contextmanager
    def running(self, *, manage: bool = True, start: bool = True) -> Iterator[Neo4jInstance]:
        """Start the instance (no-op when already up) and stop it afterwards. Without ``start`` it is only
        stopped afterwards: a run whose first step wipes it (every load) would stop it again at once, a
        start (~20 s) for nothing."""
        if not manage:
            yield self
            return
        if start:
            self._script("start")
        try:
            yield self
        finally:
            self._script("stop")
