"""A strict JSON reader for generated content files (``<id>.works.json``).

``json.loads`` keeps no line numbers and silently keeps the last of two equal keys; a
committed file that a person or a bad API answer broke must stop the check with the line and
the fix, like every other content error. Scalars are read by ``json``'s own scanner; objects
and arrays are walked here, so every value's line is known, nesting is bounded before any
recursion gets deep, and NaN, Infinity and lone surrogates (valid JSON escapes that no UTF-8
file can hold) are refused.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from typing import Any, NoReturn

from ..errors import ContentError, Problem
from .yamlsafe import Lines

_WHITESPACE = re.compile(r"[ \t\n\r]*")
MAX_DIGITS = 15
"""Digits of a number: counts fit, and Python's int() limit (4,300 digits) is never hit."""


class _Refused(ValueError):
    """A number the scanner read that no content file needs."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _Refused(f"a number of more than {MAX_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or len(text) > 2 * MAX_DIGITS:
        raise _Refused("a number too large or too long")
    return value


_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float)
_NOT_JSON = re.compile(r"(?:NaN|-?Infinity)")
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_MESSAGES = {
    "Expecting value": "expected a value",
    "Invalid control character at": "a control character inside a string",
    "Unterminated string starting at": "a string that is never closed",
    "Invalid \\escape": "an unknown backslash escape",
    "Invalid \\uXXXX escape": "an invalid \\uXXXX escape",
}
"""``json``'s messages in the words of the other content errors."""


class _Reader:
    """JSON into plain values, with the line of every value and duplicate keys refused."""

    def __init__(self, text: str, rel: str, what: str, fix: str, max_depth: int) -> None:
        self.text, self.rel, self.what, self.fix, self.max_depth = text, rel, what, fix, max_depth
        self.lines: Lines = {}
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    def fail(self, pos: int, message: str) -> NoReturn:
        column = pos - self.starts[self.line(pos) - 1] + 1
        raise ContentError(Problem(self.rel, self.line(pos), None,
                                   f"is not a valid {self.what}: {message}; {self.fix}",
                                   column=column))

    def skip(self, pos: int) -> int:
        match = _WHITESPACE.match(self.text, pos)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def read(self) -> Any:
        value, end = self.value(0, (), 0)
        end = self.skip(end)
        if end < len(self.text):
            self.fail(end, "text after the closing '}'")
        return value

    def value(self, pos: int, key: tuple[str | int, ...], depth: int) -> tuple[Any, int]:
        pos = self.skip(pos)
        self.lines[key] = self.line(pos)
        opener = self.text[pos:pos + 1]
        if opener in ("{", "["):
            if depth >= self.max_depth:
                self.fail(pos, f"values nest deeper than {self.max_depth} levels")
            return (self.mapping if opener == "{" else self.sequence)(pos + 1, key, depth + 1)
        if _NOT_JSON.match(self.text, pos):
            self.fail(pos, "NaN and Infinity are not JSON numbers")
        return self.scalar(pos)

    def scalar(self, pos: int) -> tuple[Any, int]:
        try:
            value, end = _DECODER.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            self.fail(exc.pos, _JSON_MESSAGES.get(exc.msg, exc.msg))
        except _Refused as exc:
            self.fail(pos, str(exc))
        # "\ud800" is valid JSON but no character: it could never be written as UTF-8.
        if isinstance(value, str) and _SURROGATE.search(value):
            self.fail(pos, "a string holds a lone surrogate (\\ud800–\\udfff)")
        return value, end

    def mapping(self, pos: int, key: tuple[str | int, ...], depth: int
                ) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        pos = self.skip(pos)
        if self.text.startswith("}", pos):
            return out, pos + 1
        while True:
            pos = self.skip(pos)
            if not self.text.startswith('"', pos):
                self.fail(pos, "expected a key in double quotes")
            name, end = self.scalar(pos)
            if name in out:
                self.fail(pos, f"the key '{name}' appears twice in one object")
            pos = self.skip(end)
            if not self.text.startswith(":", pos):
                self.fail(pos, "expected ':' after the key")
            out[name], pos = self.value(pos + 1, (*key, name), depth)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
            elif self.text.startswith("}", pos):
                return out, pos + 1
            else:
                self.fail(pos, "expected ',' or '}'")

    def sequence(self, pos: int, key: tuple[str | int, ...], depth: int
                 ) -> tuple[list[Any], int]:
        out: list[Any] = []
        pos = self.skip(pos)
        if self.text.startswith("]", pos):
            return out, pos + 1
        while True:
            item, pos = self.value(pos, (*key, len(out)), depth)
            out.append(item)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
            elif self.text.startswith("]", pos):
                return out, pos + 1
            else:
                self.fail(pos, "expected ',' or ']'")


def load(text: str, path: str, *, what: str, fix: str, max_depth: int
         ) -> tuple[Any, Lines]:
    """Parse ``text``; return the value and the line of every value by its key path
    (``("works", 3, "title")``), as ``yamlsafe.load`` does.

    Raises:
        ContentError: ``path:line: is not a valid <what>: <reason>; <fix>``.
    """
    reader = _Reader(text, path, what, fix, max_depth)
    return reader.read(), reader.lines
