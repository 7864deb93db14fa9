"""The strawberry schema with the production limits taken from :class:`~network.settings.Settings`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types import ExecutionContext

from network.settings import Settings
from schema.extensions import ErrorCodes, log_unexpected, make_metrics_extension
from schema.metrics import ApiMetrics
from schema.query import Query


class PnetSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Replaces strawberry's default, which logs every error with the operation: the variables can
        # hold a member's location, so only bugs are logged, without them (see log_unexpected).
        log_unexpected(errors, execution_context.context if execution_context else None)


def build_schema(settings: Settings | None = None, metrics: ApiMetrics | None = None) -> PnetSchema:
    settings = settings or Settings()
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = []
    if metrics is not None:
        extensions.append(make_metrics_extension(metrics))
    extensions += [
        ErrorCodes,
        _factory(QueryDepthLimiter, max_depth=settings.max_query_depth),
        _factory(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
        _factory(MaxTokensLimiter, max_token_count=settings.max_tokens),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return PnetSchema(query=Query, extensions=extensions)


def _factory(cls: type[SchemaExtension], **kwargs: Any) -> Callable[[], SchemaExtension]:
    return lambda: cls(**kwargs)
