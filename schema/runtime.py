"""What one app shares across requests: settings, schema, metrics and (once the lifespan opened it)
the store gateway."""

from __future__ import annotations

from dataclasses import dataclass, field

from network.errors import ConfigurationError
from network.settings import Settings
from network.store import GraphStore
from schema.build import PnetSchema, build_schema
from schema.gateway import StoreGateway
from schema.metrics import ApiMetrics


@dataclass
class Runtime:
    settings: Settings
    metrics: ApiMetrics = field(default_factory=ApiMetrics)
    schema: PnetSchema = field(init=False)
    _gateway: StoreGateway | None = None

    def __post_init__(self) -> None:
        self.schema = build_schema(self.settings, self.metrics)

    def attach(self, store: GraphStore) -> None:
        self._gateway = StoreGateway(store, self.metrics)

    @property
    def gateway(self) -> StoreGateway:
        if self._gateway is None:
            raise ConfigurationError("the app has no store yet: it is opened in the lifespan")
        return self._gateway
