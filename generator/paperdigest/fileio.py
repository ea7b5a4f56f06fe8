"""Opening and writing files safely: the one reader of regular files and the one atomic writer.

Every layer reads and writes through here, so the rules hold everywhere:

* ``read_regular`` opens without blocking and without following a final symbolic link, looks
  at what it opened (``fstat``) and reads only a regular file, at most ``limit`` bytes: a
  FIFO never hangs the reader, ``/dev/zero`` is never read, a huge file is refused unread.
* ``write_file`` puts the bytes in a temporary file in the target's own folder, flushes them
  to disk (``fsync``) and only then moves it into place, so a crash or a full disk leaves the
  old state or the new one, never half a file. It replaces nothing unless asked, and it
  writes only where the realpath of the target's folder lies inside the folder it was told
  (``inside``): a symbolic link in between that leads elsewhere is refused.

Errors are ``OSError`` (what the system said) or ``FileRefused`` (what these rules refuse);
the callers turn them into messages in their own words.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


class FileRefused(OSError):
    """The file is not one these rules open or write; ``reason`` says why, in plain words."""

    def __init__(self, path: Path, reason: str, code: int = errno.EINVAL) -> None:
        super().__init__(code, reason, str(path))
        self.reason = reason


class TooLarge(FileRefused):
    """The file holds more than the limit."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(path, f"is {size // 1024} KB; the limit is {limit // 1024} KB",
                         errno.EFBIG)
        self.size = size
        self.limit = limit


def kind_of(mode: int) -> str:
    """What a file of ``mode`` is, in words."""
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


@contextlib.contextmanager
def open_regular(path: Path, *, follow: bool = False) -> Iterator[BinaryIO]:
    """``path`` opened for reading in binary, once it is known to be a regular file.

    It is opened without blocking (a FIFO opens at once and is refused), and without
    following a final symbolic link unless ``follow``; then what was opened is looked at.

    Raises:
        FileRefused: not a regular file, or a symbolic link (without ``follow``).
        OSError: it cannot be opened.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow and path.is_symlink():
            raise FileRefused(path, "is a symbolic link", errno.ELOOP) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileRefused(path, f"is {kind_of(mode)}, not a file")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        yield fh


def read_regular(path: Path, limit: int, *, follow: bool = False) -> bytes:
    """The bytes of the regular file at ``path`` (see ``open_regular``), refused when
    longer than ``limit`` without reading more than ``limit + 1`` bytes.

    Raises:
        FileRefused: not a regular file (``TooLarge``: over ``limit``).
        OSError: it cannot be opened or read.
    """
    with open_regular(path, follow=follow) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise TooLarge(path, size, limit)
        # What fstat said, then in pieces: a file growing meanwhile is cut past the limit and
        # refused, and a large limit never asks for that much memory at once.
        chunks, got = [fh.read(size + 1)], size + 1
        while len(chunks[-1]) and got <= limit:
            chunks.append(fh.read(min(1 << 20, limit + 1 - got)))
            got += len(chunks[-1])
        data = b"".join(chunks)
    if len(data) > limit:
        raise TooLarge(path, len(data), limit)
    return data


def is_inside(path: Path, folder: Path) -> bool:
    """Whether the realpath of ``path`` lies in the realpath of ``folder`` (or is it)."""
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def check_inside(path: Path, folder: Path) -> None:
    """Refuse ``path`` when it, or a folder on the way to it, leads out of ``folder``.

    Raises:
        FileRefused: with the way out named.
    """
    if path.is_symlink():
        raise FileRefused(path, "is a symbolic link, and a write would land where it "
                          "points: replace it with the file itself")
    here = path.parent
    while not here.exists() and here != here.parent:
        here = here.parent  # folders still to be made cannot lead anywhere yet
    if not is_inside(here, folder):
        raise FileRefused(path, f"lies outside {folder} through a symbolic link "
                          f"({here} leads to {os.path.realpath(here)}): replace the link "
                          "with a real folder")


def write_file(path: Path, data: bytes | str, *, inside: Path, replace: bool = False,
               mode: int | None = None, durable: bool = True) -> None:
    """Write ``data`` (text as UTF-8, exactly) to ``path``, all or nothing.

    ``inside``: the folder the write must stay in, realpaths compared (symbolic links on the
    way that lead out are refused). ``replace``: a file already at ``path`` is replaced
    (keeping its permissions), else it makes the write fail. ``mode``: permissions of a new
    file (default 0644). ``durable``: on disk before it is in place (``fsync``); a cache,
    whose lost entry is only a miss, writes without.

    Raises:
        FileExistsError: ``path`` exists and ``replace`` is false; nothing changed.
        FileRefused: the target leads out of ``inside``.
        OSError: anything else (full disk, read-only folder); nothing changed.
    """
    _make_folder(inside)  # the boundary itself is the caller's choice
    check_inside(path, inside)
    _make_folder(path.parent)
    check_inside(path, inside)  # a folder swapped for a link while it was being made
    if isinstance(data, str):
        data = data.encode("utf-8")  # UnicodeEncodeError for lone surrogates: nothing made
    tmp: str | None = None
    try:
        keep = None
        if replace:
            with contextlib.suppress(FileNotFoundError):
                keep = path.stat().st_mode & 0o7777
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        # mkstemp makes files 0600; a new file gets the usual 0644.
        os.chmod(tmp, keep if keep is not None else mode if mode is not None else 0o644)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if a file appeared meanwhile: never clobber
    finally:
        if tmp is not None and os.path.lexists(tmp):
            # If the folder went read-only meanwhile, the error raised already says so.
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    if durable:
        sync_folder(path.parent)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file stands where a folder should be
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)) from None


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); skipped where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
