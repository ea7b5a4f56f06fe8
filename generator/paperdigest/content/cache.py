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

T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    stat: tuple[int, int, int]
    digest: bytes
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
        st = path.lstat()
        stat = (st.st_mtime_ns, st.st_size, st.st_ino)
        entry = self._entries.get(path)
        if entry is not None and entry.stat == stat:
            self.hits += 1
            return entry.result, entry.problems
        digest = hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
        if entry is not None and entry.digest == digest:
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
            st = path.lstat()
            if entry is None or entry.stat != (st.st_mtime_ns, st.st_size, st.st_ino):
                out.append(path)
        return out

    def keep_only(self, paths: Iterable[Path]) -> None:
        """Forget files that no longer exist."""
        wanted = set(paths)
        for path in list(self._entries):
            if path not in wanted:
                del self._entries[path]
