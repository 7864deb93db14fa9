"""The strawberry schema with the production limits taken from :class:`~network.settings.Settings`."""

from __future__ import annotations

import strawberry
from graphql import ASTValidationRule, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.types import ExecutionContext

from network.settings import Settings
from schema.executor import planned_executor
from schema.extensions import DocumentCache, log_unexpected, operation_extension
from schema.metrics import ApiMetrics
from schema.query import Query


class PnetSchema(strawberry.Schema):
    documents: DocumentCache  # the operations this schema has parsed and validated

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Replaces strawberry's default, which logs every error with the operation: the variables can
        # hold a member's location, so only bugs are logged, without them (see log_unexpected).
        log_unexpected(errors, execution_context.context if execution_context else None)


def build_schema(settings: Settings | None = None, metrics: ApiMetrics | None = None) -> PnetSchema:
    settings = settings or Settings()
    # strawberry's QueryDepthLimiter / MaxAliasesLimiter / DisableIntrospection build new rule classes
    # for every request, which defeats the validation cache (its key holds the rule classes): the same
    # rules, made once per schema.
    rules: list[type[ASTValidationRule]] = [
        depth_rule(settings.max_query_depth, None, None),
        aliases_rule(settings.max_aliases),
    ]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    documents = DocumentCache(settings.document_cache_size)
    operation = operation_extension(tuple(rules), settings.max_tokens, documents, metrics)
    # Plain selections (most of a referral page) are completed by plans kept per document: see
    # schema.executor. One object type's plan per field node, so the cache is a few per operation.
    executor = planned_executor(cache_size=8 * settings.document_cache_size)
    schema = PnetSchema(query=Query, extensions=[operation], execution_context_class=executor)
    schema.documents = documents
    return schema
