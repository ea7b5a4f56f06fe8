"""A hardened YAML reader for front matter and author records.

PyYAML's ``safe_load`` follows YAML 1.1: ``arxiv: 2503.10100`` becomes the float 2503.101,
``no`` becomes ``False``, ``0123`` is octal and ``1:20`` sexagesimal; duplicate keys
silently keep the last value. Content is written by hand and by LLMs, so here only
``true``/``false``, ``null``/``~``/empty and decimal integers are typed; everything else
stays a string and the schema decides. Duplicate keys, anchors/aliases and explicit tags
are errors, each with its line.

Values are built straight from the parser's event stream (libyaml's C parser when PyYAML
has it): no alias is ever expanded, so an alias bomb is refused at its first ``*``, and
10,000 digests parse in well under a second.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from ..errors import ContentError, Problem

MAX_BYTES = 512 * 1024
"""Files larger than this are refused before parsing (documented in CONTRIBUTING.md)."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_NULL = {"", "~", "null", "Null", "NULL"}

Lines = dict[tuple[str | int, ...], int]
"""File line of every node by its path: ``("authors", 1)`` is the second author."""


def _scalar(event: ScalarEvent) -> Any:
    value = event.value
    if not event.implicit[0] or event.style:  # quoted or block scalars are always text
        return value
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.fullmatch(value):
        return int(value)
    return value


class _Builder:
    """Turns events into plain Python values, recording the line of every node."""

    def __init__(self, first_line: int, path: str) -> None:
        self.path = path
        self.first_line = first_line
        self.lines: Lines = {}
        # Each frame: [container, path, pending key or None, {key: line}]
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.documents = 0

    def line(self, event: Any) -> int:
        return int(event.start_mark.line) + self.first_line

    def error(self, event: Any, message: str) -> ContentError:
        column = int(event.start_mark.column) + 1
        return ContentError(Problem(self.path, self.line(event), None, message, column=column))

    def check(self, event: NodeEvent) -> None:
        if isinstance(event, AliasEvent):
            raise self.error(event, f"aliases (*{event.anchor}) are not allowed: "
                              "write the value out in full")
        if event.anchor is not None:
            raise self.error(event, f"anchors (&{event.anchor}) are not allowed: "
                              "write the value out in full")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise self.error(event, f"YAML tags ({tag}) are not allowed: remove it "
                              "and write plain text")

    def place(self, value: Any, event: Any, *, container: bool) -> tuple[str | int, ...] | None:
        """Put a finished value (or a new container) where it belongs; return its path."""
        line = self.line(event)
        if not self.stack:
            self.root = value
            self.lines[()] = line
            return ()
        frame = self.stack[-1]
        parent, path = frame[0], frame[1]
        if isinstance(parent, list):
            child = (*path, len(parent))
            parent.append(value)
            self.lines[child] = line
            return child
        if frame[2] is None:  # this node is a key
            if container or not isinstance(value, (str, int, bool)) or value is None:
                raise self.error(event, "a key must be plain text")
            key = str(value)
            if key in frame[3]:
                raise self.error(event, f"duplicate key '{key}' (first on line {frame[3][key]}):"
                                  " keep only one")
            frame[3][key] = line
            frame[2] = key
            return None
        key = frame[2]
        parent[key] = value
        frame[2] = None
        child = (*path, key)
        self.lines[child] = frame[3][key]
        return child

    def feed(self, event: Any) -> None:
        if isinstance(event, DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.error(event, "only one YAML document is allowed: "
                                  "remove the extra '---'")
        elif isinstance(event, AliasEvent):
            self.check(event)  # refused: raises
        elif isinstance(event, ScalarEvent):
            self.check(event)
            self.place(_scalar(event), event, container=False)
        elif isinstance(event, CollectionStartEvent):
            self.check(event)
            value: Any = {} if isinstance(event, MappingStartEvent) else []
            path = self.place(value, event, container=True)
            assert path is not None
            self.stack.append([value, path, None, {}])
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            self.stack.pop()
        elif isinstance(event, SequenceStartEvent):  # pragma: no cover - covered above
            raise AssertionError


def load(text: str, first_line: int = 1, path: str = "") -> tuple[Any, Lines]:
    """Parse one YAML document strictly.

    Args:
        text: the document.
        first_line: the file line the document starts on (front matter starts on line 2).
        path: the file, as named in problems.

    Returns:
        The data and the file line of every node (for error messages).

    Raises:
        ContentError: on any syntax error, duplicate key, alias, anchor or tag; its problem
            has the file line and column.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ContentError(Problem(path, None, None,
                                   f"the file is larger than {MAX_BYTES // 1024} KB: split it"))
    builder = _Builder(first_line, path)
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        message = f"YAML syntax error: {exc.problem or 'invalid YAML'}"
        raise ContentError(Problem(path, line, None, message, column=column)) from None
    except yaml.YAMLError as exc:
        raise ContentError(Problem(path, None, None, f"YAML syntax error: {exc}")) from None
    return builder.root, builder.lines
