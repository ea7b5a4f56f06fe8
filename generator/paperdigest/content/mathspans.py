"""Which text of a digest is LaTeX math: ``$…$``, ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]``.

The dollar rules are pandoc's, so that prices stay text (``約$0.01。…約$940。``):

* an opening ``$`` is followed by a non-space character, a closing ``$`` is preceded by one
  and is not followed by a digit; the closer is the next unescaped ``$`` (math holds no
  bare ``$``), so ``$5 and $10`` is text;
* ``\\$`` is a literal dollar, inside and outside math;
* ``$$…$$`` is display math; ``\\(…\\)`` inline and ``\\[…\\]`` display, except that
  ``\\[12\\]`` or ``\\[1, 2\\]`` (escaped brackets around reference numbers) stay text;
* no formula spans a blank line or is longer than ``MAX_TEX`` characters.

One linear scan: every opener looks for its closer through sorted position lists, so a
hostile run of unclosed openers costs no more than the text's length. The same finder
serves the check (``safety`` masks math before judging text, ``math`` tests that each
formula can be shown) and the Markdown extension that renders it, so the two never disagree.
Callers pass text whose code spans are already masked or stashed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

MAX_TEX = 4000
"""Longest formula, in characters; a longer one is left as text."""

_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n)")
_CITATION = re.compile(r"\s*\d+(?:\s*[,\-–]\s*\d+)*\s*")
_INTERESTING = re.compile(r"[$\\]")


@dataclass(frozen=True)
class MathSpan:
    """One formula: ``text[start:end]`` is the whole of it, delimiters included."""

    start: int
    end: int
    tex: str
    """The LaTeX between the delimiters."""
    display: bool


class _Positions:
    """Sorted positions of the closers and blank lines of one text, found once."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def blank_lines(self) -> list[int]:
        return [m.start() for m in _BLANK_LINE.finditer(self.text)]

    def closers(self, token: str) -> list[int]:
        found = self.__dict__.setdefault("_closers", {})
        if token not in found:
            found[token] = _unescaped(self.text, token)
        positions: list[int] = found[token]
        return positions

    def next_closer(self, token: str, after: int) -> int | None:
        positions = self.closers(token)
        at = bisect.bisect_left(positions, after)
        return positions[at] if at < len(positions) else None

    def blank_between(self, start: int, end: int) -> bool:
        at = bisect.bisect_left(self.blank_lines, start)
        return at < len(self.blank_lines) and self.blank_lines[at] < end


def _unescaped(text: str, token: str) -> list[int]:
    """Start positions of ``token`` not preceded by an odd number of backslashes."""
    found = []
    start = text.find(token)
    while start >= 0:
        slashes = 0
        while start - slashes > 0 and text[start - slashes - 1] == "\\":
            slashes += 1
        if slashes % 2 == 0:
            found.append(start)
        start = text.find(token, start + 1)
    return found


def find_math(text: str) -> list[MathSpan]:
    """Every formula in ``text``, left to right, never overlapping."""
    spans: list[MathSpan] = []
    where = _Positions(text)
    i = 0
    while True:
        m = _INTERESTING.search(text, i)
        if m is None:
            return spans
        i = m.start()
        span, i = _at(text, i, where)
        if span is not None:
            spans.append(span)


def math_at(text: str, i: int) -> MathSpan | None:
    """The formula that starts exactly at ``text[i]``, if one does (for the renderer).

    The renderer asks once per candidate opener of the same text: the position lists are
    kept for the last few texts, so a paragraph full of openers stays linear.
    """
    span, _ = _at(text, i, _positions(text))
    return span


@lru_cache(maxsize=8)
def _positions(text: str) -> _Positions:
    return _Positions(text)


def _at(text: str, i: int, where: _Positions) -> tuple[MathSpan | None, int]:
    """The formula starting at ``i`` (or None) and where to look next."""
    if text[i] == "\\":
        if _odd_backslashes_before(text, i):
            return None, i + 1
        pair = text[i:i + 2]
        if pair in ("\\(", "\\["):
            closer = "\\)" if pair == "\\(" else "\\]"
            end = where.next_closer(closer, i + 2)
            if end is not None:
                tex = text[i + 2:end]
                citation = pair == "\\[" and _CITATION.fullmatch(tex) is not None
                if _fits(tex) and not citation and not where.blank_between(i, end):
                    return MathSpan(i, end + 2, tex, pair == "\\["), end + 2
        return None, i + 2
    if _odd_backslashes_before(text, i):
        return None, i + 1  # \$ is a literal dollar
    if text.startswith("$$", i):
        end = where.next_closer("$$", i + 2)
        if end is not None:
            tex = text[i + 2:end]
            if _fits(tex) and not where.blank_between(i, end):
                return MathSpan(i, end + 2, tex, True), end + 2
        return None, i + 2
    end = where.next_closer("$", i + 1)
    if end is None:
        return None, i + 1
    tex = text[i + 1:end]
    after = text[end + 1:end + 2]
    if (tex and not tex[0].isspace() and not tex[-1].isspace() and not after.isdigit()
            and after != "$" and _fits(tex) and not where.blank_between(i, end)):
        return MathSpan(i, end + 1, tex, False), end + 1
    return None, i + 1


def _odd_backslashes_before(text: str, i: int) -> bool:
    n = 0
    while i - n > 0 and text[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _fits(tex: str) -> bool:
    return bool(tex.strip()) and len(tex) <= MAX_TEX and "\x02" not in tex


def mask_math(text: str) -> str:
    """``text`` with every formula blanked out (offsets and line breaks kept)."""
    spans = find_math(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for span in spans:
        parts.append(text[last:span.start])
        parts.append(re.sub(r"[^\n]", " ", text[span.start:span.end]))
        last = span.end
    parts.append(text[last:])
    return "".join(parts)
