"""The per-request context every resolver receives: the store gateway, fresh loaders, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from strawberry.types import Info

from network.settings import Settings
from network.validate import today_iso
from schema.gateway import StoreGateway
from schema.loaders import Loaders


@dataclass
class ApiContext:
    settings: Settings
    gateway: StoreGateway
    request_id: str
    loaders: Loaders = field(init=False)
    today: str = field(default_factory=today_iso)  # one "today" per request, however long it runs

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.gateway)


ApiInfo: TypeAlias = Info[ApiContext, None]
