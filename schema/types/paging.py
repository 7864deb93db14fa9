"""``PageInfo``: Relay cursor paging (forward)."""

from __future__ import annotations

import strawberry


@strawberry.type(name="PageInfo")
class PageInfoType:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def from_cursors(cls, cursors: list[str], *, has_next: bool, has_previous: bool) -> PageInfoType:
        return cls(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )
