"""The cache folder as an untrusted input: authenticated entries, safe reads, safe cleanup.

Whatever is in ``.cache/paperdigest`` may have been edited by hand, committed by mistake or
restored by CI from another branch, so nothing there is believed unless this machine wrote
it:

- every entry carries an HMAC (SHA-256) over its name and its bytes, made with a secret kept
  outside the project (``$XDG_CACHE_HOME/paperdigest/key``, created 0600). An entry whose
  tag does not match is a miss: the page is rendered again and the entry rewritten;
- a folder of the cache is used only when its real path is the path written in
  ``mkdocs.yml`` under the project (no symbolic link anywhere below the project root), so
  a ``pages -> ../../content`` link can neither be read nor pruned into;
- entries are opened without following links and without blocking (a FIFO is refused at
  once), only regular files are read, and never more than ``MAX_ENTRY`` bytes;
- cleanup deletes only regular files whose name has the cache's own pattern and whose first
  bytes are the cache's own header.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import fileio

MAGIC = b"PDC1 "
"""First bytes of every entry this cache writes (then the hex tag and a newline)."""
_TAG_LEN = 64
_HEADER_LEN = len(MAGIC) + _TAG_LEN + 1
MAX_ENTRY = 64 * 1024 * 1024
"""Bytes read from one entry at most; a bigger file is not an entry of this cache."""
KEY_NAME = re.compile(r"[0-9a-f]{64}")
_KEY_FILE_BYTES = 64


class UnsafeCacheFolder(Exception):
    """A cache folder that leads somewhere else (a symbolic link) or out of the project."""


class NoCacheKey(Exception):
    """No secret to sign entries with can be kept for this user: the cache stays off."""


def secret_path() -> Path:
    """Where this machine's cache secret lives: the user cache folder, not the project."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    folder = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return folder / "paperdigest" / "key"


_SECRETS: dict[Path, bytes] = {}


def machine_secret() -> bytes | None:
    """The per-machine secret, created on first use; ``None`` when it cannot be had."""
    try:
        path = secret_path()
    except RuntimeError:  # no home folder to be found: no cache
        return None
    if path in _SECRETS:
        return _SECRETS[path]
    found = _read_small(path, _KEY_FILE_BYTES)
    if found is None or not re.fullmatch(rb"[0-9a-f]{64}", found):
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_hex(32).encode())
        except FileExistsError:
            pass  # another build made it (or a damaged one is there): read what is there
        except OSError:
            return None
        found = _read_small(path, _KEY_FILE_BYTES)
        if found is None or not re.fullmatch(rb"[0-9a-f]{64}", found):
            return None
    _SECRETS[path] = found
    return found


def _read_small(path: Path, limit: int) -> bytes | None:
    data = read_regular(path, limit)
    return data.strip() if data is not None else None


def read_regular(path: Path, limit: int = MAX_ENTRY) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a link) of at most ``limit`` bytes
    (``fileio.read_regular``); anything else is a miss."""
    try:
        return fileio.read_regular(path, limit)
    except OSError:
        return None


def safe_folder(folder: Path, root: Path) -> Path:
    """``folder`` if using it cannot reach outside it: under ``root``, no link on the way.

    Raises:
        UnsafeCacheFolder: the message names the link or the path and what to do.
    """
    lexical = Path(os.path.abspath(folder))
    base = Path(os.path.realpath(root))
    if not lexical.is_relative_to(base):
        raise UnsafeCacheFolder(f"{lexical} is outside the project {base}: set cache_dir to "
                                "a folder inside it")
    current = base
    for part in lexical.relative_to(base).parts:
        current = current / part
        if current.is_symlink():
            raise UnsafeCacheFolder(f"{current} is a symbolic link: delete it (the cache "
                                    "rebuilds itself), so the cache cannot write or delete "
                                    "where it points")
    return lexical


class Store:
    """A folder of authenticated entries named by 64-hex keys, in two-letter subfolders."""

    def __init__(self, folder: Path, secret: bytes, suffix: str,
                 limit: int = MAX_ENTRY) -> None:
        self.folder = folder
        self.secret = secret
        self.suffix = suffix
        self.limit = limit
        self.writable = True

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{self.suffix}"

    def _tag(self, key: str, body: bytes) -> bytes:
        mac = hmac.new(self.secret, key.encode() + b"\x00" + self.suffix.encode() + b"\x00",
                       hashlib.sha256)
        mac.update(body)
        return mac.hexdigest().encode()

    def load(self, key: str) -> bytes | None:
        """The body stored under ``key``, or ``None`` (missing, foreign, damaged, edited)."""
        data = read_regular(self.path(key), self.limit)
        if data is None or len(data) < _HEADER_LEN or not data.startswith(MAGIC):
            return None
        tag, body = data[len(MAGIC):_HEADER_LEN - 1], data[_HEADER_LEN:]
        if data[_HEADER_LEN - 1:_HEADER_LEN] != b"\n":
            return None
        return body if hmac.compare_digest(tag, self._tag(key, body)) else None

    def has(self, key: str) -> bool:
        return self.load(key) is not None

    def store(self, key: str, body: bytes) -> None:
        """Write the entry atomically; a read-only or full disk turns writing off."""
        if not self.writable or len(body) + _HEADER_LEN > self.limit:
            return
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fileio.write_file(path, MAGIC + self._tag(key, body) + b"\n" + body,
                              inside=self.folder, replace=True, durable=False)
        except OSError:
            self.writable = False

    def entries(self, skip: set[str] | None = None) -> Iterator[tuple[str, Path]]:
        """``(key, path)`` of every file that has this store's name pattern and header
        (except the keys in ``skip``)."""
        try:
            subfolders = list(os.scandir(self.folder))
        except OSError:
            return
        for sub in subfolders:
            if not (len(sub.name) == 2 and sub.is_dir(follow_symlinks=False)):
                continue
            try:
                names = list(os.scandir(sub.path))
            except OSError:
                continue
            for item in names:
                key = item.name[:-len(self.suffix)] if item.name.endswith(self.suffix) else ""
                if (KEY_NAME.fullmatch(key) and key.startswith(sub.name)
                        and (skip is None or key not in skip)
                        and item.is_file(follow_symlinks=False)
                        and _has_header(Path(item.path))):
                    yield key, Path(item.path)

    def prune(self, keep: Iterable[str]) -> int:
        """Delete this store's entries not in ``keep``; how many were deleted."""
        kept = set(keep)
        removed = 0
        if not self.writable:
            return removed
        for key, path in list(self.entries(skip=kept)):
            if key not in kept:
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
        return removed


class Shelved:
    """A ``Store`` as the loader's ``Shelf`` (``content/cache.py``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def fetch(self, key: str) -> bytes | None:
        return self.store.load(key)

    def keep(self, key: str, body: bytes) -> None:
        self.store.store(key, body)


def _has_header(path: Path) -> bool:
    head = read_regular_head(path, len(MAGIC))
    return head == MAGIC


def read_regular_head(path: Path, size: int) -> bytes | None:
    """The first ``size`` bytes of a regular file (not a link), without blocking."""
    try:
        with fileio.open_regular(path) as fh:
            return fh.read(size)
    except OSError:
        return None


KEEP_BUILDS = 2
"""Per kind of build, the entries of this many recent builds with different inputs are
kept: undoing an edit finds its pages still there."""
KEEP_KINDS = 4
"""Kinds of build (serve, build, another ``site_url``) whose entries are kept: a preview
session of many saves evicts nothing the next ``build`` needs."""


class Folder:
    """The cache folder of one project: its stores and which entries recent builds used."""

    def __init__(self, folder: Path, secret: bytes) -> None:
        self.folder = folder
        self.secret = secret
        self.stores: dict[str, Store] = {}

    def store(self, name: str, suffix: str, limit: int = MAX_ENTRY) -> Store:
        if name not in self.stores:
            self.stores[name] = Store(self.folder / name, self.secret, suffix, limit)
        return self.stores[name]

    def finish(self, profile: str, used: dict[str, set[str]]) -> int:
        """Record what this build used and delete what no recent build used: the last
        ``KEEP_BUILDS`` builds of each of the last ``KEEP_KINDS`` kinds (``profile``).

        A build is known by its kind and the entries it used, so building the same inputs
        again adds nothing. Returns entries deleted.
        """
        lists = self.store("used", ".keys")
        listed = "\n".join(f"{name} {key}" for name, keys in sorted(used.items())
                           for key in sorted(keys))
        build = hashlib.sha256(f"{profile}\x00{listed}".encode("ascii")).hexdigest()
        lists.store(build, f"{profile}\n{listed}".encode("ascii"))
        newest = sorted(lists.entries(), key=lambda e: (_mtime(e[1]), e[0] == build),
                        reverse=True)
        kept: dict[str, list[bytes]] = {}  # kind -> the bodies of its newest builds
        keep_lists = []
        for key, _path in newest:
            body = lists.load(key)
            kind = (body or b"").partition(b"\n")[0].decode("ascii", "replace")
            builds = kept.setdefault(kind, [])
            if body is not None and len(builds) < KEEP_BUILDS and len(kept) <= KEEP_KINDS:
                builds.append(body)
                keep_lists.append(key)
        keep: dict[str, set[str]] = {name: set() for name in used}
        for body in (b for builds in kept.values() for b in builds):
            for line in body.decode("ascii", "replace").splitlines()[1:]:
                name, _, entry = line.partition(" ")
                keep.setdefault(name, set()).add(entry)
        lists.prune(keep_lists)
        return sum(self.stores[name].prune(keys) for name, keys in keep.items()
                   if name in self.stores)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def open_folder(folder: Path, root: Path) -> Folder:
    """The cache at ``folder`` inside the project ``root``.

    Raises:
        UnsafeCacheFolder: the folder (or a folder in it) leads elsewhere.
        NoCacheKey: no secret can be kept for this user.
    """
    safe = safe_folder(folder, root)
    for name in SUBFOLDERS:
        safe_folder(safe / name, root)
    secret = machine_secret()
    if secret is None:
        raise NoCacheKey("no key to sign cache entries can be kept in the user cache folder "
                         "(~/.cache/paperdigest): make it writable or set XDG_CACHE_HOME")
    return Folder(safe, secret)


SUBFOLDERS = ("pages", "html", "gate", "search", "sources", "used", "cards", "loads",
              "outputs")
