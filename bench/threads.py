"""Where a process's CPU went, by thread: Neo4j's Bolt workers against its JIT compilers and collector.

A whole load is CPU-bound on both sides, and Neo4j's side is most of it (BENCHMARKS.md, optimisation 37):
its JIT alone took 29% of Neo4j's CPU in M's load. Linux keeps each thread's CPU time and name
(``/proc/<pid>/task/<tid>/stat`` and ``comm``), so a snapshot before and after a load splits it without
a profiler attached.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# Matched against the kernel's thread name (15 characters: "neo4j.BoltWorke"), first match wins.
GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bolt_workers", re.compile(r"BoltWorke")),
    ("bolt_network", re.compile(r"BoltNetwo")),
    ("jit", re.compile(r"^C\d CompilerThre")),
    ("gc", re.compile(r"^(GC Thread|G1 |VM Thread)")),
)
OTHER = "other"
PROCESS = "process"


def group_of(thread_name: str) -> str:
    for group, pattern in GROUPS:
        if pattern.search(thread_name):
            return group
    return OTHER


def cpu_by_group(pid: int, proc: Path = Path("/proc")) -> dict[str, float]:
    """CPU seconds (user + system) of the live threads of ``pid`` summed by group, and the whole
    process's under ``process`` (which keeps the time of threads that have exited: the JVM starts and
    stops compiler threads as it needs them)."""
    out = {group: 0.0 for group, _ in GROUPS} | {OTHER: 0.0}
    for task in (proc / str(pid) / "task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            stat = (task / "stat").read_text()
        except OSError:  # exited between the listing and the read
            continue
        out[group_of(name)] += _cpu_seconds(stat)
    return out | {PROCESS: _cpu_seconds((proc / str(pid) / "stat").read_text())}


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """What each named group spent between two snapshots, the process's total, and the rest as ``other``
    (unnamed threads, and the time of threads that exited in between)."""
    used = {group: round(after[group] - before[group], 1) for group, _ in GROUPS}
    total = round(after[PROCESS] - before[PROCESS], 1)
    return used | {OTHER: round(total - sum(used.values()), 1), "total": total}


def pid_in(home: Path) -> int | None:
    """The pid ``scripts/neo4j-local`` recorded for the instance in ``home``, if it is running."""
    try:
        pid = int((home / "neo4j.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if Path(f"/proc/{pid}").exists() else None


def _cpu_seconds(stat: str) -> float:
    # The name in stat is parenthesised and may hold spaces; the fields after it start with the state,
    # and utime and stime are the 12th and 13th of those.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
