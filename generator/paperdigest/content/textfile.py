"""Reading a content file as text, refusing what cannot be content (shared by all loaders)."""

from __future__ import annotations

import errno
import os
import re
import unicodedata
from pathlib import Path

from ..errors import Problem
from ..fileio import FileRefused, TooLarge, read_regular
from .yamlsafe import MAX_BYTES


def relpath(path: Path, root: Path) -> str:
    """Path as shown in messages: relative to the project root, ``/`` separators."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def read_text(path: Path, rel: str, problems: list[Problem], limit: int = MAX_BYTES
              ) -> str | None:
    """Read a content file as NFC text, refusing what cannot be content.

    The file is opened once, without blocking and without following a link, and read only
    when what was opened is a regular file of at most ``limit`` bytes (``fileio``): a FIFO,
    ``/dev/zero`` or a link swapped in after the folder was listed is refused, never read.
    """
    try:
        data = read_regular(path, limit)
    except TooLarge as exc:
        problems.append(_too_big(rel, exc.size, limit))
        return None
    except FileRefused as exc:
        fix = ("copy the file instead" if exc.errno == errno.ELOOP else "remove it")
        problems.append(Problem(rel, None, None, f"{exc.reason}: content files must be "
                                f"regular files; {fix}"))
        return None
    except OSError as exc:
        problems.append(Problem(rel, None, None, f"cannot be read ({exc.strerror or exc}): "
                                "make it a readable file (chmod a+r)"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(rel, line, None, "is not valid UTF-8: save the file as UTF-8"))
        return None
    found = text_problems(text, rel, limit)
    problems.extend(found)
    return None if found else unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


def text_problems(text: str, rel: str, limit: int = MAX_BYTES) -> list[Problem]:
    """What makes decoded ``text`` unusable as a content file (size, BOM, NUL)."""
    size = len(text.encode("utf-8"))
    if size > limit:
        return [_too_big(rel, size, limit)]
    if text.startswith("\ufeff"):
        return [Problem(rel, 1, None, "starts with a byte-order mark (BOM): save the file as "
                        "UTF-8 without BOM")]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return [Problem(rel, line, None, "contains a NUL character: delete it")]
    return []


def _too_big(rel: str, size: int, limit: int) -> Problem:
    return Problem(rel, None, None, f"is {size // 1024} KB; the limit is {limit // 1024} "
                   "KB: split or shorten it")


_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


def split_front_matter(text: str, rel: str, problems: list[Problem]) -> tuple[str | None, str, int]:
    """Split ``---`` front matter from the body.

    Returns:
        (front matter text or None, body, line number of the body's first line).
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if _FM_CLOSE.match(lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    problems.append(Problem(rel, 1, None, "the front matter opened on line 1 is never closed: "
                            "add a line '---' after the last key"))
    return None, "", len(lines) + 1
