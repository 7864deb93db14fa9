"""The one settings object. Built once at the entry point and passed explicitly; never a global."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration, read from ``PNET_*`` environment variables (or a ``.env`` file)."""

    model_config = SettingsConfigDict(
        env_prefix="PNET_", env_file=".env", extra="ignore", populate_by_name=True
    )

    store: Literal["memory", "neo4j"] = "memory"
    data_dir: Path = Field(default=Path(".pnet"), description="where the embedded store persists its graph")

    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("pnet-local-password")
    neo4j_database: str = "neo4j"
    # Rows per load batch: the pipeline's unit of work and, on Neo4j, of one write statement. Read from
    # PNET_BATCH_SIZE, or from PNET_NEO4J_BATCH_SIZE, its name before it sized the pipeline too.
    batch_size: int = Field(
        default=2000,
        ge=1,
        le=100_000,
        validation_alias=AliasChoices("PNET_BATCH_SIZE", "PNET_NEO4J_BATCH_SIZE"),
    )
    # Concurrent write lanes of a load whose batches allow them (NPPES, referrals) on a store that takes
    # concurrent writes (Neo4j): BENCHMARKS.md, optimisations 25 and 33 (3 loaded L fastest on 2 cores).
    # 1 writes one batch after another.
    load_lanes: int = Field(default=3, ge=1, le=16)
    # Loads of several sources (`pnet load-all`, `pnet demo`) run up to this many at once where they touch
    # nothing of each other's (loaders.schedule), on a store that takes concurrent writes.
    load_jobs: int = Field(default=2, ge=1, le=8)
    neo4j_connection_timeout_s: float = Field(default=5.0, gt=0)
    neo4j_max_pool_size: int = Field(default=50, ge=1)
    # How long the Neo4j store retries a transient failure; kept under request_timeout_s so an API request
    # during an outage ends as STORE_UNAVAILABLE rather than TIMEOUT.
    neo4j_max_retry_time_s: float = Field(default=3.0, ge=0)

    # API limits (the GraphQL layer reads these; they live here so one object configures the process).
    max_query_depth: int = Field(default=10, ge=1)
    max_aliases: int = Field(default=30, ge=1)
    max_tokens: int = Field(default=2000, ge=10)
    document_cache_size: int = Field(default=256, ge=1)  # parsed + validated operations kept, by text
    max_page_size: int = Field(default=100, ge=1)
    request_timeout_s: float = Field(default=10.0, gt=0)
    cors_origins: list[str] = Field(default_factory=list)
    graphiql: bool = True
    introspection: bool = True
    # Plan the referral search of every CMS specialty type on Neo4j as the API starts, in the background
    # (network.services.warmup): 20-40 s of planning once per Neo4j start, which members' first searches
    # would otherwise pay for, 0.5-2 s each. Off by default so tests and one-off servers start quietly.
    warm_search_plans: bool = False

    @property
    def memory_graph_path(self) -> Path:
        return self.data_dir / "graph.pickle"
