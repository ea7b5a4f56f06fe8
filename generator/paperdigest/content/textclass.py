"""The text classes of front-matter and record values: which markup each may hold.

``schema`` declares every field with its text class; here each class is judged: a name
holds no ``<``, ``>`` or backtick, prose no HTML tag, an identity (authors, tags) no
invisible or control character either. ``field_problems`` judges every string of a mapping
by its key's declared class; a key declared nowhere is a KeyError, never a pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..errors import Problem
from .fields import TextClass, text_class
from .schema import invisible, invisible_message

NAME_CLASSES = frozenset({TextClass.NAME, TextClass.IDENTITY})
"""Text classes of names: no ``<``, ``>`` or backtick at all."""
_NAME_MARKUP = re.compile(r"[<>`]")
_PROSE_TAG = re.compile(r"<[A-Za-z/!?]")


def shown(text: str, limit: int = 60) -> str:
    """A snippet for a message: control characters made visible, long text cut."""
    out = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256
                  else f"\\u{ord(c):04x}" for c in text)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def invisible_or_control(text: str) -> str | None:
    """An invisible (``schema.is_invisible``) or control character of ``text``."""
    return invisible(text) or next((ch for ch in text if unicodedata.category(ch) == "Cc"),
                                   None)


def text_problems(field: str, value: str) -> list[str]:
    """What is wrong with one front-matter string ``value`` of ``field`` (base name), by the
    field's text class (``text_class``; a field declared nowhere is a KeyError)."""
    return class_problems(text_class(field), value)


def class_problems(kind: TextClass, value: str) -> list[str]:
    """What is wrong with ``value`` as text of class ``kind``."""
    messages: list[str] = []
    if kind in NAME_CLASSES:
        m = _NAME_MARKUP.search(value)
        if m:
            messages.append(f"'{shown(value)}' contains '{m.group()}': names and titles are "
                            "plain text; leave out <, > and backticks (write ＜ ＞ if needed)")
    elif kind is TextClass.PROSE:
        m = _PROSE_TAG.search(value)
        if m:
            messages.append(f"'{shown(value)}' contains HTML markup "
                            f"('{shown(value[m.start():m.start() + 12])}'): write plain "
                            "text; a '<' must be followed by a space")
    if kind is TextClass.IDENTITY:
        ch = invisible_or_control(value)
        if ch is not None:
            messages.append(f"'{shown(value)}' {invisible_message(ch)}")
    return messages


def field_problems(path: str, fields: Mapping[str, Any],
                   lines: Mapping[tuple[str | int, ...], int] | None = None, *,
                   classes: Callable[[str], TextClass] = text_class) -> list[Problem]:
    """Problems of the checked front-matter or record ``fields`` (strings and lists), each
    judged by its text class (``classes``: the declared one; a key declared nowhere is a
    KeyError, never a pass)."""
    problems: list[Problem] = []
    where = lines or {}
    for key in sorted(fields):
        value = fields[key]
        items: Iterable[tuple[str, tuple[str | int, ...], Any]]
        if isinstance(value, list):
            items = ((f"{key}[{i}]", (key, i), v) for i, v in enumerate(value))
        else:
            items = ((key, (key,), value),)
        for label, node, item in items:
            if not isinstance(item, str):
                continue
            for message in class_problems(classes(key), item):
                line = where.get(node, where.get((key,)))
                problems.append(Problem(path, line, label, message))
    return problems
