"""Schema extensions: every error gets an ``extensions.code``, bugs are masked, operations are measured."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, parse
from graphql.language import FieldNode
from strawberry.extensions import SchemaExtension

from network.errors import StoreUnavailable
from schema.context import ApiContext
from schema.errors import ApiError, Code
from schema.metrics import ApiMetrics

log = logging.getLogger("pnet.api")

INTERNAL_MESSAGE = "Internal server error"
UNAVAILABLE_MESSAGE = "The provider graph is unavailable right now; try again shortly."

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


class ErrorCodes(SchemaExtension):
    """Rewrites each error to carry ``extensions.code`` (and ``requestId``), masking internal ones."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is None or not errors:
            return
        request_id = request_id_of(self.execution_context.context)
        result.errors = [_shaped(e, request_id) for e in errors]


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


def make_parse_cache(maxsize: int) -> Callable[[], SchemaExtension]:
    """Parsed operations cached by text (strawberry's ParserCache lets a syntax error escape the
    error shaping above: a failing parse is left to strawberry here, which reports it as usual)."""
    cached_parse = lru_cache(maxsize=maxsize)(parse)

    class CachedParse(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            ctx = self.execution_context
            if ctx.query is not None:
                with suppress(GraphQLError):
                    ctx.graphql_document = cached_parse(ctx.query, **ctx.parse_options)
            yield

    return CachedParse


def make_metrics_extension(metrics: ApiMetrics) -> type[SchemaExtension]:
    class OperationMetrics(SchemaExtension):
        """Counts and times operations by their root fields; outcome is ok or the first error code."""

        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            yield
            operation = root_fields(self.execution_context)
            metrics.latency.labels(operation=operation).observe(time.perf_counter() - started)
            errors = getattr(self.execution_context.result, "errors", None) or []
            outcome = (errors[0].extensions or {}).get("code", "error") if errors else "ok"
            metrics.requests.labels(operation=operation, outcome=str(outcome)).inc()

    return OperationMetrics


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
