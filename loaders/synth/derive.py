"""How ``taxonomy_mix.csv`` was derived from the real NPPES sample rows (rerun it to refresh the file).

``python -m loaders.synth.derive PRACTITIONERS.csv ORGANIZATIONS.csv > loaders/synth/taxonomy_mix.csv``

Only aggregate counts leave the sample: per primary taxonomy code, how many rows have it, which
credential strings those rows carry (kept verbatim, messy forms included), and which other codes share a
row with it. No name, NPI or address is copied.
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

MIX_HEADER = ("entity_type", "code", "count", "credentials", "secondary")
_SLOTS = 15


@dataclass(slots=True)
class SlotStats:
    """How taxonomy slots are used by the practitioner rows (what the generator imitates)."""

    rows: int = 0
    multi_code: int = 0  # rows with two or more codes
    primary_not_first: int = 0  # a "Y" switch in a slot other than 1
    no_primary: int = 0  # codes but no "Y" switch at all


def _slots(row: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    for i in range(1, _SLOTS + 1):
        code = row.get(f"Healthcare Provider Taxonomy Code_{i}", "").strip()
        if code:
            out.append((code, row.get(f"Healthcare Provider Primary Taxonomy Switch_{i}", "").strip()))
    return out


def _primary(slots: list[tuple[str, str]]) -> str | None:
    return next((c for c, switch in slots if switch == "Y"), slots[0][0] if slots else None)


def derive(
    practitioners: Path, organizations: Path
) -> tuple[list[tuple[str, str, str, str, str]], SlotStats]:
    """Mix rows (sorted by entity type, then code) and the practitioner slot statistics."""
    counts: Counter[tuple[str, str]] = Counter()
    creds: dict[str, Counter[str]] = defaultdict(Counter)
    secondary: dict[str, Counter[str]] = defaultdict(Counter)
    stats = SlotStats()
    for entity, path in (("1", practitioners), ("2", organizations)):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                slots = _slots(row)
                primary = _primary(slots)
                if primary is None:
                    continue
                counts[(entity, primary)] += 1
                if entity != "1":
                    continue
                creds[primary][row.get("Provider Credential Text", "").strip()] += 1
                for code, _ in slots:
                    if code != primary:
                        secondary[primary][code] += 1
                stats.rows += 1
                stats.multi_code += len({c for c, _ in slots}) > 1
                ys = [i for i, (_, switch) in enumerate(slots) if switch == "Y"]
                stats.primary_not_first += bool(ys) and ys[0] != 0
                stats.no_primary += not ys
    rows = [
        (entity, code, str(n), _join(creds.get(code)), _join(secondary.get(code)))
        for (entity, code), n in sorted(counts.items())
    ]
    return rows, stats


def _join(counter: Counter[str] | None) -> str:
    if not counter:
        return ""
    return "|".join(f"{k}:{n}" for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def render(rows: list[tuple[str, str, str, str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(MIX_HEADER)
    writer.writerows(rows)
    return buf.getvalue()


if __name__ == "__main__":  # pragma: no cover - a maintenance script
    mix, slot_stats = derive(Path(sys.argv[1]), Path(sys.argv[2]))
    sys.stdout.write(render(mix))
    print(slot_stats, file=sys.stderr)
