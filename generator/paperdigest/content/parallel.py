"""Reading many content files on every core.

Checking a digest is independent of every other digest, so the first phase of loading is
split over worker processes when there are enough files to pay for them. Workers are
forked (Linux), so they start at once with the parent's modules; elsewhere, or for small
sites, files are read in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from ..errors import Problem

T = TypeVar("T")
Loader = Callable[[Path, Path, list[Problem]], T]

MIN_FILES = 400
"""Below this many files the start-up of workers costs more than it saves."""


def _run(job: tuple[Loader[T], Sequence[Path], Path]) -> list[tuple[T, list[Problem]]]:
    load, paths, root = job
    out = []
    for path in paths:
        problems: list[Problem] = []
        out.append((load(path, root, problems), problems))
    return out


def workers() -> int:
    """How many processes to use: ``PAPERDIGEST_JOBS``, else the usable cores."""
    configured = os.environ.get("PAPERDIGEST_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def load_files(load: Loader[T], paths: Sequence[Path], root: Path
               ) -> list[tuple[T, list[Problem]]]:
    """``load(path, root, problems)`` for every path, in order, with each file's problems."""
    jobs = workers()
    if jobs < 2 or len(paths) < MIN_FILES or not sys.platform.startswith("linux"):
        return _run((load, paths, root))
    size = -(-len(paths) // (jobs * 4))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = pool.map(_run, [(load, chunk, root) for chunk in chunks])
        return [item for chunk in results for item in chunk]
