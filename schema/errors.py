"""Errors of the API layer and the ``extensions.code`` every GraphQL error carries.

Expected failures of a query (unknown provider, invalid input...) are union members, never errors.
Errors are for what a client cannot fix by changing arguments (limits, outages) and for bugs, which are
masked: the client gets "Internal server error" and a request id that finds the logged traceback.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
    TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
    PAGE_TOO_LARGE = "PAGE_TOO_LARGE"
    TIMEOUT = "TIMEOUT"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    INTERNAL = "INTERNAL"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
    BAD_USER_INPUT = "BAD_USER_INPUT"


class ApiError(Exception):
    """Base of the errors the API raises on purpose; each maps to one :class:`Code`."""

    code: Code = Code.INTERNAL


class PageTooLarge(ApiError):
    code = Code.PAGE_TOO_LARGE

    def __init__(self, first: int, limit: int) -> None:
        super().__init__(f"`first` is {first}; at most {limit} items may be asked for at once")


class NegativePage(ApiError):
    code = Code.BAD_USER_INPUT

    def __init__(self) -> None:
        super().__init__("`first` must be zero or more")


class RequestTimeout(ApiError):
    code = Code.TIMEOUT

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request took longer than {seconds:g} s and was abandoned")


def check_page_size(first: int | None, limit: int, *, default: int | None = None) -> int:
    """``first`` checked against the limit; an explicit null means the field's default."""
    if first is None:
        first = min(default if default is not None else limit, limit)
    if first > limit:
        raise PageTooLarge(first, limit)
    if first < 0:
        raise NegativePage()
    return first
