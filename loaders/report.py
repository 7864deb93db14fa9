"""Row accounting for every loader: read = created + updated + unchanged + rejected + skipped.

A :class:`LoadReport` is filled as a load runs, printed as a table at the end and written as JSON; each
rejected row goes to a rejects CSV with its file, line, field and reason, so nothing is lost silently.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from network.store import UpsertCounts


@dataclass(frozen=True, slots=True)
class Reject:
    file: str
    line: int
    field: str
    reason: str
    value: str = ""


@dataclass(slots=True)
class LoadReport:
    source: str
    files: list[str] = field(default_factory=list)
    store: str = ""
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    reject_reasons: dict[str, int] = field(default_factory=dict)
    # Secondary records written along the way (locations, specialties, ...), per label.
    related: dict[str, dict[str, int]] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def add_primary(self, counts: UpsertCounts) -> None:
        self.created += counts.created
        self.updated += counts.updated
        self.unchanged += counts.unchanged

    def add_related(self, label: str, counts: UpsertCounts) -> None:
        slot = self.related.setdefault(label, {"created": 0, "updated": 0, "unchanged": 0})
        slot["created"] += counts.created
        slot["updated"] += counts.updated
        slot["unchanged"] += counts.unchanged

    def add_reject(self, reject: Reject) -> None:
        self.rejected += 1
        self.reject_reasons[reject.reason] = self.reject_reasons.get(reject.reason, 0) + 1

    def add_skip(self, reason: str, n: int = 1) -> None:
        self.skipped += n
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + n

    @property
    def accounted(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected + self.skipped

    @property
    def balanced(self) -> bool:
        return self.accounted == self.read

    @property
    def reject_rate(self) -> float:
        return self.rejected / self.read if self.read else 0.0

    @property
    def rows_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(
            accounted=self.accounted,
            balanced=self.balanced,
            reject_rate=round(self.reject_rate, 6),
            rows_per_second=round(self.rows_per_second, 1),
        )
        return out

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(), indent=2, sort_keys=True) + "\n")

    def table_rows(self) -> list[tuple[str, str]]:
        rows = [
            ("read", f"{self.read:,}"),
            ("created", f"{self.created:,}"),
            ("updated", f"{self.updated:,}"),
            ("unchanged", f"{self.unchanged:,}"),
            ("rejected", f"{self.rejected:,}"),
            ("skipped", f"{self.skipped:,}"),
            ("balanced", "yes" if self.balanced else f"NO ({self.accounted:,} accounted)"),
            ("seconds", f"{self.seconds:.2f}"),
            ("rows/s", f"{self.rows_per_second:,.0f}"),
        ]
        rows += [(f"  reject: {reason}", f"{n:,}") for reason, n in sorted(self.reject_reasons.items())]
        rows += [(f"  skip: {reason}", f"{n:,}") for reason, n in sorted(self.skip_reasons.items())]
        for label, counts in sorted(self.related.items()):
            rows.append((f"  {label}", ", ".join(f"{k} {v:,}" for k, v in counts.items())))
        return rows


class RejectWriter:
    """Streams rejects to a CSV (file, line, field, reason, value) as they happen."""

    HEADER = ("file", "line", "field", "reason", "value")

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fh: IO[str] | None = None
        self._writer: Any = None

    def write(self, reject: Reject) -> None:
        if self.path is None:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(self.HEADER)
        self._writer.writerow((reject.file, reject.line, reject.field, reject.reason, reject.value[:200]))

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> RejectWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
