"""The operation pipeline: limits, cached parse and validation, an ``extensions.code`` on every error
(bugs masked), operations measured."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
)
from graphql.language import FieldNode
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from network.errors import StoreTimeout, StoreUnavailable
from schema.context import ApiContext
from schema.errors import ApiError, Code
from schema.metrics import ApiMetrics

log = logging.getLogger("pnet.api")

INTERNAL_MESSAGE = "Internal server error"
UNAVAILABLE_MESSAGE = "The provider graph is unavailable right now; try again shortly."
TIMEOUT_MESSAGE = "The provider graph did not answer within its time limit; narrow the search or retry."

# Errors raised before execution (parse, validation, variables) carry no path; graphql-core and
# strawberry say which limit was hit only in the message.
_REQUEST_ERRORS: tuple[tuple[str, Code], ...] = (
    ("Document contains more than", Code.TOO_MANY_TOKENS),
    ("Syntax Error", Code.GRAPHQL_PARSE_FAILED),
    ("exceeds maximum operation depth", Code.QUERY_TOO_DEEP),
    ("aliases found. Allowed:", Code.TOO_MANY_ALIASES),
    ("introspection has been disabled", Code.INTROSPECTION_DISABLED),
    ("Variable '$", Code.BAD_USER_INPUT),
)


def classify(error: GraphQLError) -> tuple[Code, str]:
    """The code of an error and the message a client may see."""
    original = error.original_error
    if isinstance(original, ApiError):
        return original.code, str(original)
    if isinstance(original, StoreUnavailable):
        return Code.STORE_UNAVAILABLE, UNAVAILABLE_MESSAGE
    if isinstance(original, StoreTimeout):
        return Code.TIMEOUT, TIMEOUT_MESSAGE
    if error.path is not None and original is not None:
        return Code.INTERNAL, INTERNAL_MESSAGE
    for needle, code in _REQUEST_ERRORS:
        if needle in error.message:
            return code, error.message
    return Code.GRAPHQL_VALIDATION_FAILED, error.message


def request_id_of(context: object) -> str | None:
    return context.request_id if isinstance(context, ApiContext) else None


def log_unexpected(errors: list[GraphQLError], context: object) -> None:
    """Log bugs with the request id and traceback; never the query, its variables or data."""
    for error in errors:
        code, _ = classify(error)
        if code is Code.INTERNAL:
            log.error(
                "unexpected error at %s [request %s]",
                ".".join(str(p) for p in error.path or ()),
                request_id_of(context),
                exc_info=error.original_error,
            )


class DocumentCache:
    """Operations parsed and validated, by their text. Clients send the same few operations with new
    variables, and parsing and validating one cost about as much as running a referral search's page.

    Keyed by the text, the parse options and the validation rules, so a kept verdict includes the
    limits; not by the parsed document, whose hash walks the whole tree (~3% of a referral search's
    time in the API). A document that fails to parse is not kept: strawberry parses it again and reports
    it.
    """

    def __init__(self, maxsize: int) -> None:
        self.prepared = lru_cache(maxsize=maxsize)(self._prepare)

    @staticmethod
    def _prepare(
        schema: GraphQLSchema,
        text: str,
        parse_options: tuple[tuple[str, Any], ...],
        rules: tuple[type[ASTValidationRule], ...],
    ) -> tuple[DocumentNode, list[GraphQLError]]:
        document = parse(text, **dict(parse_options))
        return document, validate_document(schema, document, rules)


def operation_extension(
    rules: tuple[type[ASTValidationRule], ...],
    max_tokens: int,
    documents: DocumentCache,
    metrics: ApiMetrics | None,
) -> type[SchemaExtension]:
    """pnet's whole operation pipeline as one extension: the token limit and the extra validation rules,
    parse and validation from ``documents``, then every error's ``extensions.code`` (``requestId`` on
    masked bugs) and the operation's metrics.

    One extension rather than one per concern (strawberry's MaxTokensLimiter, AddValidationRules and
    ValidationCache and three of pnet's): strawberry makes each extension and drives each of its hooks
    once per request: six took an operation's fixed cost from 67 to 84 us (BENCHMARKS.md, optimisation 38).
    """

    class PnetOperation(SchemaExtension):
        _verdict: list[GraphQLError] | None = None  # made per request, as every extension class is

        def on_operation(self) -> Iterator[None]:
            ctx = self.execution_context
            ctx.parse_options["max_tokens"] = max_tokens
            ctx.validation_rules = ctx.validation_rules + rules
            started = time.perf_counter()
            yield
            errors = getattr(ctx.result, "errors", None)
            if ctx.result is not None and errors:
                request_id = request_id_of(ctx.context)
                ctx.result.errors = errors = [_shaped(e, request_id) for e in errors]
            if metrics is not None:
                operation = root_fields(ctx)
                metrics.latency.labels(operation=operation).observe(time.perf_counter() - started)
                outcome = (errors[0].extensions or {}).get("code", "error") if errors else "ok"
                metrics.requests.labels(operation=operation, outcome=str(outcome)).inc()

        def on_parse(self) -> Iterator[None]:
            ctx = self.execution_context
            if ctx.query is not None:
                options = tuple(sorted(ctx.parse_options.items()))
                key = (ctx.schema._schema, ctx.query, options, ctx.validation_rules)
                with suppress(GraphQLError):
                    ctx.graphql_document, self._verdict = documents.prepared(*key)
            yield

        def on_validate(self) -> Iterator[None]:
            # The verdict found with the document (strawberry validates a document it parsed itself).
            if self._verdict is not None:
                self.execution_context.pre_execution_errors = self._verdict
            yield

    return PnetOperation


def _shaped(error: GraphQLError, request_id: str | None) -> GraphQLError:
    code, message = classify(error)
    extensions: dict[str, Any] = {"code": code.value}
    if code is Code.INTERNAL:
        extensions["requestId"] = request_id
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def root_fields(execution_context: Any) -> str:
    document = execution_context.graphql_document
    if document is None:
        return "unparsed"
    wanted = execution_context.operation_name
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            wanted is None or (definition.name is not None and definition.name.value == wanted)
        ):
            names = {s.name.value for s in definition.selection_set.selections if isinstance(s, FieldNode)}
            return ",".join(sorted(names)) or "fragments"
    return "unknown"
