"""Stated limits: what one digest may hold, so that checking and building stay linear.

Python-Markdown takes time quadratic in some constructs of one paragraph (every unclosed
``[`` or ``<`` scans to the end of it) and recurses once per level of a nested list (a few
hundred levels end in ``RecursionError``), its raw-HTML pass is quadratic in the number of
``<tag`` starts over the whole body; every tag and every author becomes a page.
The numbers are far above what real digests use (the largest seen: about 18 KB, lines of
under 400 characters, lists three levels deep, 8 tags, a few dozen authors) and low enough that a
hostile file of the largest allowed size checks and builds in seconds. CONTRIBUTING.md
lists them.
"""

from __future__ import annotations

import re

from ..errors import Problem
from . import blocks

MAX_DIGEST_BYTES = 256 * 1024
"""A digest file, front matter included."""
MAX_LINE = 10_000
"""Characters on one line of a digest body."""
MAX_NESTING = 10
"""Levels of nested lists or block quotes."""
MAX_BRACKETS = 100
"""``[`` in one paragraph, outside code and math."""
MAX_TAG_STARTS = 200
"""``<`` followed by a letter, ``/``, ``!`` or ``?`` in one digest, outside code and math:
Python-Markdown's raw-HTML pass costs time quadratic in their number over the whole body."""
MAX_TAGS = 30
"""Tags of one paper: front-matter tags and blurb hashtags together."""
MAX_AUTHORS = 200
"""Authors named in one digest."""

_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_QUOTE = re.compile(r"^[ \t]{0,3}((?:>[ \t]?)+)")


def body_problems(path: str, body: str, first_line: int = 1) -> list[Problem]:
    """Lines that are too long, and lists or quotes nested too deep, outside code."""
    problems: list[Problem] = []
    scanned = blocks.scan(body)
    code = scanned.code
    if scanned.exhausted:
        problems.append(Problem(path, first_line, None, "the body is too costly to read as "
                                "Markdown (thousands of headings, rules, references or nested "
                                "blocks with no blank line between them): put blank lines "
                                "between them, or shorten the body"))
    nested_reported = False
    for index, line in enumerate(body.split("\n")):
        lineno = first_line + index
        if len(line) > MAX_LINE:
            problems.append(Problem(path, lineno, None, f"the line is {len(line):,} characters "
                                    f"long; the limit is {MAX_LINE:,}: break it into "
                                    "paragraphs or list items"))
        if index in code or nested_reported:
            continue
        depth = _depth(line)
        if depth > MAX_NESTING:
            nested_reported = True
            problems.append(Problem(path, lineno, None, f"lists or quotes are nested {depth} "
                                    f"levels deep; the limit is {MAX_NESTING}: flatten them"))
    return problems


def _depth(line: str) -> int:
    quote = _QUOTE.match(line)
    if quote:
        return quote.group(1).count(">")
    item = _ITEM.match(line)
    if item is None:
        return 0
    indent = len(item.group(1).expandtabs(4))
    return indent // 4 + 1


_TAG_START = re.compile(r"<[A-Za-z/!?]")


def paragraph_problems(masked: str) -> list[tuple[int, str]]:
    """``(offset, message)`` when a paragraph (code and math masked) holds too many ``[``."""
    count = masked.count("[")
    if count <= MAX_BRACKETS:
        return []
    return [(masked.index("["), f"one paragraph holds {count:,} square brackets; the limit is "
             f"{MAX_BRACKETS}: split the paragraph, or put the text in `backticks`")]


def tag_starts(masked: str) -> int:
    """How many ``<tag`` starts a block (code and math masked) holds."""
    return len(_TAG_START.findall(masked)) if "<" in masked else 0


def tag_starts_problem(count: int) -> str | None:
    if count <= MAX_TAG_STARTS:
        return None
    return (f"the body holds {count:,} '<' followed by a letter; the limit is "
            f"{MAX_TAG_STARTS}: write < as ＜, or put such text in `backticks`")


def count_problem(what: str, count: int, limit: int, fix: str) -> str | None:
    """The message when a paper lists more ``what`` than ``limit``; ``None`` when fine."""
    if count <= limit:
        return None
    return f"{count:,} {what}; the limit is {limit}: {fix}"
