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
    # Beyond 1,000 digits a number stays text, which the checks refuse with the line:
    # int() itself refuses 4,300 digits with a ValueError the readers would not catch.
    if _INT.fullmatch(value) and len(value) <= 1000:
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
        raise ContentError(_syntax_problem(exc, text, first_line, path)) from None
    except yaml.YAMLError as exc:
        raise ContentError(Problem(path, None, None, f"YAML syntax error: {exc}")) from None
    return builder.root, builder.lines


# ``key: value`` or ``- key: value`` on one line; the value is whatever follows ": ".
_KEY_VALUE = re.compile(
    r"(?P<lead>\s*(?:-\s+)?)(?P<key>[^\s:#][^:#]*?):(?:\s+(?P<value>.*?))?\s*")
_QUOTES = "\"'"
# What a plain value may not start with (YAML 1.1 indicators that open something else).
_INDICATORS = "[]{}&*!|>%@`"
_GENERIC_HINT = ("check the indentation, and put in quotes any value that holds ': ' or ' #' "
                 "or starts with one of [ ] { } & * ! | > ' \" % @ `")


def _quote(value: str) -> str:
    """``value`` as a YAML quoted scalar that reads back as the same text."""
    if '"' in value and "'" not in value:
        return f"'{value}'"  # single quotes need no escapes
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _split_comment(value: str) -> tuple[str, str]:
    """A plain value and its trailing `` # comment`` (YAML ends a plain value there)."""
    at = value.find(" #")
    return (value, "") if at < 0 else (value[:at].rstrip(), "  " + value[at:].lstrip())


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, first_line: int,
                    path: str) -> Problem:
    """A PyYAML syntax error as a problem that says how to fix it.

    The usual cause in hand-written front matter is an unquoted value (``title: Foo: Bar``),
    so where the line is ``key: value`` the message ends with the line written correctly.
    """
    problem = exc.problem or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    lines = text.splitlines()
    # An unclosed bracket or quote is noticed lines later (often at the closing '---'); the
    # fix belongs where it was opened, so point there.
    opened = exc.context in ("while parsing a flow sequence", "while parsing a flow mapping",
                             "while scanning a quoted scalar")
    if opened and exc.context_mark is not None:
        mark = exc.context_mark
    if mark is None:
        return Problem(path, None, None, f"YAML syntax error: {problem}: {_GENERIC_HINT}")
    line, column = mark.line + first_line, mark.column + 1
    source = lines[mark.line] if mark.line < len(lines) else ""
    match = _KEY_VALUE.fullmatch(source)
    value = (match.group("value") or "") if match else ""
    message = f"{problem}: {_GENERIC_HINT}"
    if "tab character" in problem:
        message = "a tab character in the indentation: indent with spaces"
    elif match and value:
        lead, key = match.group("lead").lstrip(), match.group("key")
        plain, comment = (value, "") if value[0] in _QUOTES else _split_comment(value)

        def fixed(text: str) -> str:
            return f"{lead}{key}: {_quote(text)}{comment}"

        same_line = exc.problem_mark is not None and exc.problem_mark.line == mark.line
        if "mapping values are not allowed" in problem and ": " in plain:
            message = (f"the value holds ': ', which YAML reads as a second key: put the "
                       f"value in quotes: {fixed(plain)}")
        elif exc.context == "while scanning a quoted scalar":
            message = (f"the quote opened here is never closed: end the value with the same "
                       f"quote: {lead}{key}: {value}{value[0]}")
        elif opened:
            bracket, closing = ("[", "]") if "sequence" in (exc.context or "") else ("{", "}")
            message = (f"the '{bracket}' opened here is never closed: end it with "
                       f"'{closing}', or, if the value is text, put it in quotes: "
                       f"{fixed(plain)}")
        elif plain[0] in _INDICATORS:
            message = (f"a value cannot start with '{plain[0]}': put the value in quotes: "
                       f"{fixed(plain)}")
        elif plain[0] in _QUOTES and same_line:
            # 'it's' or "a" b: the quotes end before the text does.
            inner = plain[1:-1] if len(plain) > 1 and plain[-1] == plain[0] else plain
            message = (f"text follows the closing quote: put the whole value in quotes: "
                       f"{fixed(inner)}")
    return Problem(path, line, None, f"YAML syntax error: {message}", column=column)
