"""The strawberry schema with the production limits taken from :class:`~network.settings.Settings`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.types import ExecutionContext

from network.settings import Settings
from schema.executor import planned_executor
from schema.extensions import ErrorCodes, log_unexpected, make_metrics_extension, make_parse_cache
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
    # strawberry's QueryDepthLimiter / MaxAliasesLimiter / DisableIntrospection build new rule classes
    # for every request, which defeats the validation cache below (its key holds the rule classes):
    # the same rules, made once per schema.
    rules: list[type[ASTValidationRule]] = [
        depth_rule(settings.max_query_depth, None, None),
        aliases_rule(settings.max_aliases),
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions += [
        ErrorCodes,
        lambda: AddValidationRules(rules),
        _factory(MaxTokensLimiter, max_token_count=settings.max_tokens),
    ]
    # Clients send the same few operations with new variables: parsing and validating a document cost
    # about as much as running a referral search's page, so both are cached by the operation's text
    # (and, for validation, the rules above, so a cached verdict includes the limits).
    extensions += [
        make_parse_cache(settings.document_cache_size),
        _factory(ValidationCache, maxsize=settings.document_cache_size),
    ]
    # Plain selections (most of a referral page) are completed by plans kept per document: see
    # schema.executor. One object type's plan per field node, so the cache is a few per operation.
    executor = planned_executor(cache_size=8 * settings.document_cache_size)
    return PnetSchema(query=Query, extensions=extensions, execution_context_class=executor)


def _factory(cls: type[SchemaExtension], **kwargs: Any) -> Callable[[], SchemaExtension]:
    return lambda: cls(**kwargs)
