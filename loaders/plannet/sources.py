"""Where FHIR resources come from: a folder, a resource or Bundle JSON file, or NDJSON bulk-export files.

Each resource is addressed by (file, line): the physical line in NDJSON, 1 for a single-resource JSON
file, and the 1-based entry number in a Bundle (a Bundle is one JSON document, parsed whole). Text that is
not JSON, or JSON that is not a resource, becomes an :class:`Entry` with an error, so the loader rejects
it with the parser's message instead of stopping.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.errors import UnreadableSource
from loaders.plannet.fhir import Resource

NDJSON_SUFFIXES = (".ndjson", ".jsonl")
JSON_SUFFIXES = (".json", *NDJSON_SUFFIXES)


@dataclass(frozen=True, slots=True)
class Entry:
    line: int
    resource: Resource | None
    error: str | None = None


def discover(path: Path) -> list[Path]:
    """The resource files a path stands for: itself, or a folder's JSON/NDJSON files (recursively)."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(JSON_SUFFIXES))
        if not found:
            raise UnreadableSource(f"{path}: no .json or .ndjson files in this folder")
        return found
    if not path.exists():
        raise UnreadableSource(f"{path}: no such file")
    return [path]


def is_ndjson(path: Path) -> bool:
    return path.name.lower().endswith(NDJSON_SUFFIXES)


def _open(path: Path) -> Any:
    try:
        return path.open(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise UnreadableSource(f"{path}: cannot open ({exc.strerror})") from exc


def ndjson_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of every non-blank line, streamed."""
    with _open(path) as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                yield number, line


def parse_line(number: int, line: str) -> Entry:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return Entry(number, None, f"not valid JSON: {exc.msg} (column {exc.colno})")
    return _as_entry(number, value)


def json_entries(path: Path) -> list[Entry]:
    """The resources of a JSON file: one resource, a Bundle's entries, or a JSON array of resources."""
    with _open(path) as fh:
        try:
            value = json.load(fh)
        except json.JSONDecodeError as exc:
            return [Entry(1, None, f"not valid JSON: {exc.msg} (line {exc.lineno})")]
    if isinstance(value, dict) and value.get("resourceType") == "Bundle":
        out = []
        for n, entry in enumerate(value.get("entry") or [], start=1):
            res = entry.get("resource") if isinstance(entry, dict) else None
            missing = Entry(n, None, "Bundle entry without resource")
            out.append(_as_entry(n, res) if res is not None else missing)
        return out
    if isinstance(value, list):
        return [_as_entry(n, v) for n, v in enumerate(value, start=1)]
    return [_as_entry(1, value)]


def entries(path: Path) -> Iterator[Entry]:
    if is_ndjson(path):
        for number, line in ndjson_lines(path):
            yield parse_line(number, line)
    else:
        yield from json_entries(path)


def _as_entry(number: int, value: Any) -> Entry:
    if not isinstance(value, dict):
        return Entry(number, None, f"not a FHIR resource (a JSON {type(value).__name__})")
    kind = value.get("resourceType")
    if not isinstance(kind, str) or not kind:
        return Entry(number, None, "not a FHIR resource: no resourceType")
    rid = value.get("id")
    if not isinstance(rid, str) or not rid.strip():
        return Entry(number, None, f"{kind} without id: it cannot be referenced or keyed")
    return Entry(number, value)
