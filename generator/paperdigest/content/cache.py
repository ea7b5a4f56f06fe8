"""Per-file results kept between builds, so a build re-checks only what changed.

An entry is reused when the file's stat (mtime, size, inode) is unchanged, or when its
bytes hash the same after a touch; anything else is loaded and checked again. With a
``Shelf`` (the build's signed cache folder), results also outlive the process: a file whose
bytes were checked by an earlier build with the same code, on the same day (``added:`` may
not lie in the future), is not checked again.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from ..errors import Problem
from ..fileio import read_regular

MAX_CONTENT_BYTES = 4 * 1024 * 1024
"""Above any content file's own limit: a larger file is not hashed but loaded, and refused."""

T = TypeVar("T")


class Shelf(Protocol):
    """Where per-file results outlive a build: authenticated entries by key."""

    def fetch(self, key: str) -> bytes | None:
        """The body stored under ``key`` by this machine, or ``None``."""

    def keep(self, key: str, body: bytes) -> None:
        """Store ``body`` under ``key`` (or not: a shelf may be full or read-only)."""


@dataclass
class _Entry(Generic[T]):
    stat: tuple[int, int, int] | None
    digest: bytes | None
    result: T
    problems: list[Problem]
    key: str | None = None
    """Its key in the shelf, when it is there."""


class FileCache(Generic[T]):
    """Results of ``load(path, problems)`` by path."""

    def __init__(self) -> None:
        self._entries: dict[Path, _Entry[T]] = {}
        self.hits = 0
        self.misses = 0
        self.shelf: Shelf | None = None
        self.namespace = ""
        """What every shelved result also depends on (the kind of file, the code, the day)."""

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
        entry = self._entries[path] = _Entry(stat, digest, result, problems)
        if self.shelf is not None and digest is not None:
            try:
                body = pickle.dumps((result, problems), protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
                return result, problems
            entry.key = self._key(path, digest)
            self.shelf.keep(entry.key, body)
        return result, problems

    def shelved(self) -> set[str]:
        """The shelf keys of the results this cache holds (what a build keeps)."""
        return {e.key for e in self._entries.values() if e.key is not None}

    def _key(self, path: Path, digest: bytes) -> str:
        text = f"{self.namespace}\x00{path}\x00{digest.hex()}"
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def _unshelve(self, path: Path, stat: tuple[int, int, int] | None) -> bool:
        """Take ``path``'s result from the shelf when its bytes were checked before."""
        if self.shelf is None or stat is None:
            return False
        digest = _digest(path)
        if digest is None:
            return False
        key = self._key(path, digest)
        body = self.shelf.fetch(key)
        if body is None:
            return False
        try:  # written and signed by this machine's builds (cachestore); checked anyway
            result, problems = pickle.loads(body)
        except Exception:  # an entry of older code: a miss, rewritten once loaded
            return False
        if not (isinstance(problems, list) and all(isinstance(p, Problem) for p in problems)):
            return False
        self._entries[path] = _Entry(stat, digest, result, problems, key)
        return True

    def stale(self, paths: Iterable[Path]) -> list[Path]:
        """The paths whose entry is missing or stale by stat (their content may still match)
        and that the shelf does not hold either."""
        out = []
        for path in paths:
            entry = self._entries.get(path)
            stat = _stat(path)
            fresh = entry is not None and entry.stat == stat and entry.stat is not None
            if not fresh and not self._unshelve(path, stat):
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
