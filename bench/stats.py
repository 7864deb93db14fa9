"""Latency summaries: the few numbers every table shows, computed one way for every benchmark."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def summarize(ms: Sequence[float], seconds: float | None = None) -> dict[str, float]:
    """p50/p95/p99/mean in milliseconds and throughput (requests/s over ``seconds`` wall time if given,
    else the sequential rate implied by the mean)."""
    if not ms:
        return {"n": 0}
    arr = np.asarray(ms, dtype=float)
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    wall = seconds if seconds is not None else float(arr.sum()) / 1000
    return {
        "n": len(arr),
        "p50_ms": round(float(p50), 3),
        "p95_ms": round(float(p95), 3),
        "p99_ms": round(float(p99), 3),
        "mean_ms": round(float(arr.mean()), 3),
        "per_s": round(len(arr) / wall, 1) if wall > 0 else 0.0,
    }


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b rounded, or None when either is missing or b is zero."""
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)
