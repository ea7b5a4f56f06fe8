"""Writing into ``content/``: whole files, durably, and never half.

Both writers put the text in a temporary file in the target folder, flush it to disk
(``fsync``), and only then put it in place, so a crash or a full disk leaves either the old
state or the new one. ``write_new`` links the file into place, which fails if a file
appeared there meanwhile: it never replaces anything. ``write_atomic`` renames over the old
file and keeps its permissions. Every OS error becomes a ``WriteError`` in the words
``path: what happened: what to do``, and the temporary file is removed.

Before writing, callers run the build's own check on the exact text (``check_digest``,
``check_record``); ``refusal`` turns its errors into the message of a refused write.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from ..errors import Problem, WriteError, has_errors


def write_new(path: Path, text: str, *, shown: str | None = None,
              exists: str = "edit it, or remove it first") -> None:
    """Create ``path`` with ``text``; refuse if it exists.

    ``shown`` is the path as messages show it (default: ``path``); ``exists`` what to do
    when the file is already there.

    Raises:
        WriteError: the file exists or the write failed; nothing changed.
    """
    # No look before: the link into place is what refuses an existing file, even one that
    # appears while the text is being written.
    _write(path, text, shown or str(path), replace=False, exists=exists)


def write_atomic(path: Path, text: str, *, shown: str | None = None) -> None:
    """Replace ``path`` (or create it) with ``text`` in one rename, keeping its permissions.

    Raises:
        WriteError: the write failed; the old file is untouched.
    """
    _write(path, text, shown or str(path), replace=True, exists="")


def refusal(rel: str, problems: list[Problem]) -> str | None:
    """Why a text the build would reject is not written; ``None`` when it passes."""
    if not has_errors(problems):
        return None
    found = "; ".join((f"line {p.line}: " if p.line else "")
                      + (f"{p.field}: " if p.field else "") + p.message
                      for p in problems if p.severity == "error")
    return f"{rel}: the build would reject it: {found}"


def _write(path: Path, text: str, where: str, *, replace: bool, exists: str) -> None:
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file stands where the folder should be
        raise WriteError(f"{where}: {os.strerror(errno.ENOTDIR)}: {_advice(errno.ENOTDIR)}"
                         ) from None
    except OSError as exc:
        raise WriteError(f"{where}: {exc.strerror or exc}: {_advice(exc.errno)}") from None
    try:
        try:
            mode = path.stat().st_mode & 0o7777 if replace else None
        except FileNotFoundError:
            mode = None
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        # newline="" writes the text as given: a record with CRLF line endings keeps them.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes files 0600; a new content file gets the usual 0644.
        os.chmod(tmp, mode if mode is not None else 0o644)
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if a file appeared meanwhile: never clobber
    except FileExistsError:
        raise WriteError(f"{where}: already exists: {exists}") from None
    except OSError as exc:
        raise WriteError(f"{where}: {exc.strerror or exc}: {_advice(exc.errno)}") from None
    except UnicodeEncodeError:
        raise WriteError(f"{where}: the text holds characters that cannot be written as "
                         "UTF-8 (lone surrogates): remove them and try again") from None
    finally:
        if tmp is not None and os.path.lexists(tmp):
            # If the folder went read-only meanwhile, the error above already says so.
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _sync_dir(path.parent)


def _advice(code: int | None) -> str:
    if code in (errno.ENOSPC, errno.EDQUOT):
        return "free some disk space and run the command again"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "make the folder writable, or run the command where you may write"
    if code in (errno.ENOTDIR, errno.EISDIR, errno.ENOENT):
        return "check that the content folder is a folder and not a file"
    if code == errno.ENAMETOOLONG:
        return "use a shorter id or file name"
    return "check the folder and run the command again"


def _sync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); skipped where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
