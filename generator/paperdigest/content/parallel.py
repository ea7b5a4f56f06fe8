"""Work on every core: the one process pool of paperdigest, with one rule for when to fork.

Checking a digest is independent of every other digest, and so is drawing a share card or
converting a page: such work is split over worker processes when there is enough of it to pay
for starting them. Workers are forked (Linux), so they start at once with the parent's
modules and data; elsewhere, with one usable core, below the break-even or when no process
can be had, the work runs in this process, with the same results in the same order.

``fork_map(fn, items, break_even=N)`` is the helper; ``N`` is the number of items from which
a pool pays for itself, measured for each kind of work (``MIN_FILES`` for digests here).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

from ..errors import Problem

T = TypeVar("T")
R = TypeVar("R")
Loader = Callable[[Path, Path, list[Problem]], T]

MIN_FILES = 400
"""Content files from which loading them on several cores pays for starting the workers."""
CHUNKS_PER_WORKER = 4
"""Items are sent in this many chunks per worker: few round trips, yet a slow chunk does not
leave the other workers idle."""


def workers() -> int:
    """How many processes to use: ``PAPERDIGEST_JOBS``, else the usable cores."""
    configured = os.environ.get("PAPERDIGEST_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def forks(count: int, break_even: int) -> bool:
    """The one rule: whether ``count`` items of work with this ``break_even`` go to a pool."""
    return workers() >= 2 and count >= break_even and sys.platform.startswith("linux")


def _chunk(job: tuple[Callable[[T], R], Sequence[T]]) -> list[R]:
    fn, items = job
    return [fn(item) for item in items]


def fork_map(fn: Callable[[T], R], items: Sequence[T], *, break_even: int) -> list[R]:
    """``[fn(item) for item in items]``, on forked workers when ``forks`` says so.

    ``fn`` and the items must pickle (a module-level function, or a ``partial`` of one);
    the results come back in the order of ``items``. When no process can be started the
    work runs here: ``fn`` must not mind being run again for an item.
    """
    if not forks(len(items), break_even):
        return [fn(item) for item in items]
    jobs = workers()
    size = -(-len(items) // (jobs * CHUNKS_PER_WORKER))
    done = on_workers(_chunk, [(fn, items[i:i + size]) for i in range(0, len(items), size)])
    if done is None:  # no processes to be had (limits, a broken pool)
        return [fn(item) for item in items]
    return [result for chunk in done for result in chunk]


def on_workers(fn: Callable[[T], R], jobs: Sequence[T]) -> list[R] | None:
    """``[fn(job) for job in jobs]`` on forked workers (the pool every module uses), in order;
    ``None`` when no process can be started, for callers whose work can be left undone (a
    cache filled ahead of time). The workers inherit the parent's memory: a job may be an
    index into data the caller set aside before calling."""
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers(), mp_context=context) as pool:
            return list(pool.map(fn, jobs))
    except (OSError, RuntimeError):
        return None


def _load_one(load: Loader[T], root: Path, path: Path) -> tuple[T, list[Problem]]:
    problems: list[Problem] = []
    return load(path, root, problems), problems


def load_files(load: Loader[T], paths: Sequence[Path], root: Path
               ) -> list[tuple[T, list[Problem]]]:
    """``load(path, root, problems)`` for every path, in order, with each file's problems."""
    return fork_map(partial(_load_one, load, root), paths, break_even=MIN_FILES)
