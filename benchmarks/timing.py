"""Small helpers the benchmark scripts share (standard library only, so the peers venv can
import it too): timing a call and naming the machine's CPU.

Each script runs with ``benchmarks/`` first on ``sys.path`` (Python puts a script's folder
there), so ``from timing import timed`` works from every one of them.

>>> ts, out = timed(lambda: 6 * 7, 3)
>>> len(ts), out
(3, 42)
>>> isinstance(cpu_model(), str)
True
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["cpu_model", "timed"]


def timed(fn: Callable[[], object], runs: int, warmup: bool = True) -> tuple[list[float], object]:
    """Run ``fn`` ``runs`` times (after one warm-up unless ``warmup`` is False).

    Returns the wall times in seconds and the last result.
    """
    result = fn() if warmup else None
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (else :func:`platform.processor`)."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return cpu
