"""One module per GraphQL type; each maps a domain record with ``from_domain()``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

F = TypeVar("F", bound=Callable[..., Any])


def described(description: str) -> Callable[[F], F]:
    """``@strawberry.field(description=...)`` typed for mypy --strict (strawberry's overload says Any)."""
    decorator: Callable[[F], F] = strawberry.field(description=description)
    return decorator
