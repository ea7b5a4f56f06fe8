"""Writing into ``content/``: whole files, durably, never half, never outside.

Both writers go through ``fileio.write_file`` (a temporary file in the target folder,
``fsync``, then into place), so a crash or a full disk leaves either the old state or the
new one. ``write_new`` links the file into place, which fails if a file appeared there
meanwhile: it never replaces anything. ``write_atomic`` renames over the old file and keeps
its permissions. Both refuse a target whose realpath leaves ``inside`` (the content folder):
a symbolic link in ``content/papers/`` leading elsewhere is refused, not written through.
Every OS error becomes a ``WriteError`` in the words ``path: what happened: what to do``.

Before writing, callers run the build's own check on the exact text (``check_digest``,
``check_record``); ``refusal`` turns its errors into the message of a refused write.
"""

from __future__ import annotations

import errno
from pathlib import Path

from ..errors import Problem, WriteError, has_errors
from ..fileio import FileRefused, write_file


def write_new(path: Path, text: str, *, inside: Path, shown: str | None = None,
              exists: str = "edit it, or remove it first") -> None:
    """Create ``path`` with ``text``; refuse if it exists or leads out of ``inside``.

    ``shown`` is the path as messages show it (default: ``path``); ``exists`` what to do
    when the file is already there.

    Raises:
        WriteError: the file exists, lies outside ``inside`` or the write failed; nothing
            changed.
    """
    # No look before: the link into place is what refuses an existing file, even one that
    # appears while the text is being written.
    _write(path, text, shown or str(path), inside, replace=False, exists=exists)


def write_atomic(path: Path, text: str, *, inside: Path, shown: str | None = None) -> None:
    """Replace ``path`` (or create it) with ``text`` in one rename, keeping its permissions;
    refuse a target that leads out of ``inside``.

    Raises:
        WriteError: the write failed or was refused; the old file is untouched.
    """
    _write(path, text, shown or str(path), inside, replace=True, exists="")


def refusal(rel: str, problems: list[Problem]) -> str | None:
    """Why a text the build would reject is not written; ``None`` when it passes."""
    if not has_errors(problems):
        return None
    found = "; ".join((f"line {p.line}: " if p.line else "")
                      + (f"{p.field}: " if p.field else "") + p.message
                      for p in problems if p.is_error)
    return f"{rel}: the build would reject it: {found}"


def _write(path: Path, text: str, where: str, inside: Path, *, replace: bool,
           exists: str) -> None:
    try:
        write_file(path, text, inside=inside, replace=replace)
    except FileExistsError:
        raise WriteError(f"{where}: already exists: {exists}") from None
    except FileRefused as exc:
        raise WriteError(f"{where}: {exc.reason}; nothing was written") from None
    except OSError as exc:
        raise WriteError(f"{where}: {exc.strerror or exc}: {_advice(exc.errno)}") from None
    except UnicodeEncodeError:
        raise WriteError(f"{where}: the text holds characters that cannot be written as "
                         "UTF-8 (lone surrogates): remove them and try again") from None


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
