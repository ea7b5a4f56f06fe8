"""Per-file results kept between builds, so ``mkdocs serve`` re-checks only what changed.

An entry is reused when the file's stat (mtime, size, inode) is unchanged, or when its
bytes hash the same after a touch; anything else is loaded and checked again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from ..errors import Problem
from ..fileio import read_regular

MAX_CONTENT_BYTES = 4 * 1024 * 1024
"""Above any content file's own limit: a larger file is not hashed but loaded, and refused."""

T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    stat: tuple[int, int, int] | None
    digest: bytes | None
    result: T
    problems: list[Problem]


class FileCache(Generic[T]):
    """Results of ``load(path, problems)`` by path."""

    def __init__(self) -> None:
        self._entries: dict[Path, _Entry[T]] = {}
        self.hits = 0
        self.misses = 0

    def load(self, path: Path, load: Callable[[Path, list[Problem]], T]) -> tuple[T, list[Problem]]:
        """The cached result for ``path``, loading it only when its content changed."""
        stat = _stat(path)
        entry = self._entries.get(path)
        if entry is not None and stat is not None and entry.stat == stat:
            self.hits += 1
            return entry.result, entry.problems
        digest = _digest(path)
        if entry is not None and digest is not None and entry.digest == digest:
            entry.stat = stat
            self.hits += 1
            return entry.result, entry.problems
        self.misses += 1
        problems: list[Problem] = []
        result = load(path, problems)
        self._entries[path] = _Entry(stat, digest, result, problems)
        return result, problems

    def stale(self, paths: Iterable[Path]) -> list[Path]:
        """The paths whose entry is missing or stale by stat (their content may still match)."""
        out = []
        for path in paths:
            entry = self._entries.get(path)
            if entry is None or entry.stat != _stat(path) or entry.stat is None:
                out.append(path)
        return out

    def keep_only(self, paths: Iterable[Path]) -> None:
        """Forget files that no longer exist."""
        wanted = set(paths)
        for path in list(self._entries):
            if path not in wanted:
                del self._entries[path]


def _stat(path: Path) -> tuple[int, int, int] | None:
    """What says a file changed; ``None`` when it cannot be looked at (the loader says why)."""
    try:
        st = path.lstat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _digest(path: Path) -> bytes | None:
    """A hash of a regular file's bytes; ``None`` for anything the loaders refuse to read (a
    link to ``/dev/zero``, a FIFO, a huge file), which is then loaded, and so reported."""
    try:
        data = read_regular(path, MAX_CONTENT_BYTES)
    except OSError:
        return None
    return hashlib.blake2b(data, digest_size=16).digest()
