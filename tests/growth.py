"""How the cost of a function grows with its input: a ratio, never a wall-clock limit.

The cost of ``run(n)`` is measured at n, 2n and 4n, each as the best CPU time of several
interleaved runs with the garbage collector off (a collection in the middle of one run is
the usual source of a false alarm). The growth exponent over the fourfold range is
``log2(t(4n) / t(n)) / 2``: 1 for linear work, 2 for quadratic. Measuring over four times
the input halves the effect of noise on the exponent compared with a single doubling.

A machine under load can still slow one size more than another, so a measurement that
looks super-linear is taken again, up to ``attempts`` times; work that really is
super-linear fails every attempt.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

MAX_EXPONENT = 1.35
"""At most ~2.5x the time per doubling of the input (2 ** 1.35 = 2.55)."""


def _best_times(run: Callable[[int], object], n: int, repeats: int) -> list[float]:
    sizes = (n, 2 * n, 4 * n)
    best = [math.inf] * len(sizes)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            for i, size in enumerate(sizes):
                start = time.process_time()
                run(size)
                best[i] = min(best[i], time.process_time() - start)
    finally:
        if enabled:
            gc.enable()
    return best


def growth_exponent(run: Callable[[int], object], n: int, *, repeats: int = 3) -> float:
    """The exponent k in ``cost ≈ a·n^k`` between n and 4n."""
    small, _, large = _best_times(run, n, repeats)
    floor = 2e-3  # below this the clock's resolution decides
    return math.log2(max(large, floor) / max(small, floor)) / 2


def assert_linear(run: Callable[[int], object], n: int, *, attempts: int = 3,
                  label: object = "") -> None:
    """Fail unless ``run`` grows at most ~2.5x per doubling of ``n`` on some attempt."""
    seen = []
    for _ in range(attempts):
        exponent = growth_exponent(run, n)
        if exponent <= MAX_EXPONENT:
            return
        seen.append(round(exponent, 2))
    raise AssertionError(f"{label}: cost grows as n^k with k = {seen} (limit {MAX_EXPONENT})")
