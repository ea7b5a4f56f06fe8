"""Reading a content file as text, refusing what cannot be content (shared by all loaders)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from ..errors import Problem
from .yamlsafe import MAX_BYTES


def relpath(path: Path, root: Path) -> str:
    """Path as shown in messages: relative to the project root, ``/`` separators."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()


def read_text(path: Path, rel: str, problems: list[Problem], limit: int = MAX_BYTES
              ) -> str | None:
    """Read a content file as NFC text, refusing what cannot be content."""
    if path.is_symlink():
        problems.append(Problem(rel, None, None, "is a symbolic link: content files must be "
                                "regular files; copy the file instead"))
        return None
    data = path.read_bytes()
    if len(data) > limit:
        problems.append(_too_big(rel, len(data), limit))
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
