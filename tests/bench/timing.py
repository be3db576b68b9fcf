"""What the benchmark cases share: timing a call, and the result row each case reports."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(fn: Callable[[], object], n: int, warm: int = 1) -> list[float]:
    """Seconds of ``n`` calls of ``fn``, after ``warm`` calls that are not counted."""
    for _ in range(warm):
        fn()
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def case_row(
    name: str, runs: list[float], floor_runs: list[float] | None, target_s: float, target: str
) -> dict:
    """A case's row: median, p95, its floor measured in the same run, the ratio and the target."""
    median = statistics.median(runs)
    floor = statistics.median(floor_runs) if floor_runs else None
    return {
        "case": name,
        "available": True,
        "median_s": median,
        "p95_s": sorted(runs)[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))],
        "floor_s": floor,
        "ratio": median / floor if floor else None,
        "runs": runs,
        "floor_runs": floor_runs or [],
        "target": target,
        "ok": median <= target_s,
    }


def unavailable(name: str, reason: str) -> dict:
    return {"case": name, "available": False, "reason": reason}
