"""Reading CSV sources by header name, streamed, with physical line numbers for reject reports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.errors import UnreadableSource
from loaders.pipeline import RawRow

# NPPES fields can exceed the csv module's default 128 KiB cap only when a file is broken, but a broken
# row must become a reject, not a crash: raise the cap and let validation judge the content.
csv.field_size_limit(16 * 1024 * 1024)


def open_text(path: Path) -> io.TextIOWrapper:
    """Open a text source; UTF-8 with a BOM tolerated, undecodable bytes replaced (and so visible)."""
    try:
        return open(path, encoding="utf-8-sig", errors="replace", newline="")
    except OSError as exc:
        raise UnreadableSource(f"{path}: cannot open ({exc.strerror})") from exc


def read_header(path: Path) -> list[str]:
    with open_text(path) as fh:
        try:
            return [h.strip() for h in next(csv.reader(fh))]
        except StopIteration:
            raise UnreadableSource(f"{path}: empty file, no header") from None
        except csv.Error as exc:
            raise UnreadableSource(f"{path}: not a CSV file ({exc})") from exc


def iter_dict_rows(path: Path, required: set[str] | None = None) -> Iterator[RawRow]:
    """Rows as ``{header: value}`` dicts; a row with too few or too many fields is still yielded (its
    ``data`` then carries ``None`` for missing fields and the extras under ``None``) so the transform
    layer can reject it with a reason instead of the reader dropping it."""
    with open_text(path) as fh:
        reader = csv.DictReader(fh, restval=None)
        try:
            header = [h.strip() for h in (reader.fieldnames or [])]
        except csv.Error as exc:
            raise UnreadableSource(f"{path}: not a CSV file ({exc})") from exc
        if not header:
            raise UnreadableSource(f"{path}: empty file, no header")
        reader.fieldnames = header
        missing = (required or set()) - set(header)
        if missing:
            raise UnreadableSource(f"{path}: header lacks required column(s) {sorted(missing)}")
        yield from _numbered(path, reader)


def iter_rows(path: Path) -> Iterator[RawRow]:
    """Plain rows (lists of fields), for headerless files such as CMS shared-patient data."""
    with open_text(path) as fh:
        yield from _numbered(path, csv.reader(fh))


def _numbered(path: Path, reader: Any) -> Iterator[RawRow]:
    """Rows with the physical line they start on; a row the csv module cannot parse (a NUL byte, an
    unterminated quote) becomes an ``__error__`` row on its line instead of ending the file."""
    line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RawRow(str(path), reader.line_num, {"__error__": str(exc)})
            line = reader.line_num
            continue
        yield RawRow(str(path), line + 1, row)
        line = reader.line_num
