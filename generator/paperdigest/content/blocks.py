"""Which lines of a Markdown body are code: one scanner for the parser, safety, limits and import.

A safety check and the renderer must never disagree on what is code: a line the check takes
for code is never judged, so if the renderer shows it as text, anything in it reaches the
page. So this module does not guess with its own rules; it follows Python-Markdown's:

* fenced blocks are found by the site's own fence preprocessor (``pymdownx.superfences``,
  run here without highlighting): ````` ``` ````` and ``~~~``, the closing fence as long as
  the opening one and indented alike, inside lists and quotes; a fence never closed is
  **not** code (the renderer shows it as text);
* indented code follows Python-Markdown's block parser, ported processor by processor with
  each line's number carried along (``blockparser.py``): a block (lines between blank
  lines) indented by four spaces is code unless it continues a list item, where the item's
  content indent comes first; headings, rules, quotes, tables, admonitions and link
  references split blocks as the real processors do.

Raw HTML blocks are not modelled: the safety rules refuse every block-level tag, so no body
that passes the check holds one. ``tests/test_blocks.py`` compares this scanner with what
Python-Markdown, configured as ``mkdocs.yml`` is, renders as ``<pre><code>``.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import markdown
from markdown.extensions.tables import TableProcessor
from pymdownx.superfences import (  # type: ignore[import-untyped]
    NESTED_FENCE_END,
    RE_NESTED_FENCE_START,
)

from .blockparser import TAB, BlockParser, Line, Node, TooCostly

EXTENSIONS = ("admonition", "attr_list", "md_in_html", "tables", "toc", "pymdownx.highlight",
              "pymdownx.inlinehilite", "pymdownx.superfences")
"""The block-level Markdown of the site (``markdown_extensions`` of ``mkdocs.yml``)."""

_PLACEHOLDER = "\x02wzxhzdk:{}\x03"
_SPACES_ONLY = re.compile(r"^ +$")


@dataclass(frozen=True)
class Blocks:
    """What a scan found: every line index is either code or prose."""

    code: frozenset[int]
    """Indexes of the lines rendered inside ``<pre><code>`` (fence lines included)."""
    fences: tuple[tuple[int, int], ...]
    """``(first, last)`` line indexes of every closed fenced block, in order."""
    unclosed: tuple[tuple[int, str], ...]
    """``(index, fence)`` of every fence opened and never closed: shown as text."""
    exhausted: bool = False
    """The body was too costly to follow (see ``MAX_WORK``); every line counts as prose."""


@lru_cache(maxsize=1)
def _markdown() -> markdown.Markdown:
    return markdown.Markdown(extensions=list(EXTENSIONS))


def _fenced(lines: list[str]) -> tuple[list[tuple[int, int, str]], list[tuple[int, str]]]:
    """Closed fences ``(first, end exclusive, prefix)`` and the openers of fences never closed.

    The loop is ``SuperFencesBlockPreprocessor.search_nested``; every decision (what opens a
    fence, which options are valid, what continues, closes or abandons it) is the site's
    own preprocessor's method, with the highlighting replaced by a record of the span.
    """
    pre: Any = _markdown().preprocessors["fenced_code_block"]
    found: list[tuple[int, int, str]] = []
    unclosed: list[tuple[int, str]] = []

    def record(ws: str, content: str, start: int, end: int) -> None:
        if pre.formatter is not None:
            found.append((start, end, pre.ws))
        pre.clear()

    pre.get_hl_settings()
    pre.clear()
    pre.stack = []
    pre.process_nested_block = record
    start, opener = 0, ""
    try:
        for count, line in enumerate(lines):
            if pre.fence is None:
                ws = pre.parse_whitespace(line)
                m = RE_NESTED_FENCE_START.match(line, pre.ws_len)
                if m is None:
                    continue
                if m.group("unrecognized"):
                    okay = pre.handle_unrecognized(m)
                elif m.group("attrs"):
                    okay = pre.handle_attrs(m)
                else:
                    okay = pre.parse_options(m)
                if okay:
                    start, opener = count, m.group("fence")
                    pre.first = ws + pre.normalize_ws(m.group(0))
                    pre.ws = ws
                    pre.quote_level = ws.count(">")
                    pre.empty_lines = 0
                    pre.fence = m.group("fence")
                    pre.fence_end = re.compile(NESTED_FENCE_END % pre.fence)
                else:
                    pre.clear()
                continue
            ws, content = pre.parse_fence_line(line)
            closed = len(found)
            quote_level = ws.count(">")
            if pre.quote_level:
                pre.eval_quoted(ws, content, quote_level, start, count + 1)
            elif quote_level == 0:
                pre.eval_fence(ws, content, start, count + 1)
            else:
                pre.clear()
            if pre.fence is None and len(found) == closed:
                unclosed.append((start, opener))  # abandoned: the renderer shows it as text
        if pre.fence is not None:
            unclosed.append((start, opener))
    finally:
        del pre.process_nested_block
        pre.clear()
    return found, unclosed


@lru_cache(maxsize=1)
def _table_processor() -> TableProcessor:
    return next(p for p in _markdown().parser.blockprocessors if isinstance(p, TableProcessor))


def is_table(block: str) -> bool:
    """Python-Markdown's own test of whether a block is a table (the ``tables`` extension)."""
    return bool(_table_processor().test(None, block))  # type: ignore[arg-type]


def normalised(text: str) -> tuple[list[str], list[int]]:
    """The lines as the block parser sees them (``NormalizeWhitespace``): tabs expanded to
    four columns, lines of spaces after the first emptied; and for each, the index of the
    ``\\n``-separated line of ``text`` it belongs to (a lone ``\\r`` also breaks a line)."""
    lines: list[str] = []
    owner: list[int] = []
    for index, line in enumerate(text.replace("\r\n", "\n").split("\n")):
        for part in line.replace("\x02", "").replace("\x03", "").split("\r"):
            lines.append(part.expandtabs(TAB))
            owner.append(index)
    # Python-Markdown empties lines of spaces that follow a line break: not the first line.
    return lines[:1] + [("" if _SPACES_ONLY.match(t) else t) for t in lines[1:]], owner


_SHORT = 500
"""Lines of a block below which peeling it line by line stays well under ``MAX_WORK``."""


def _short_blocks(lines: list[str]) -> bool:
    """Whether every run of non-blank lines is shorter than ``_SHORT`` (so the body cannot
    be too costly to read, and a body without code need not be parsed at all)."""
    run = 0
    for t in lines:
        run = run + 1 if t else 0
        if run >= _SHORT:
            return False
    return True


_LOCK = threading.Lock()
"""The fence preprocessor and the parser's join cache are shared: one scan at a time
(``mkdocs serve`` builds on a thread of its own)."""


def scan(text: str) -> Blocks:
    """Which lines of ``text`` (a whole Markdown document or body, lines split at ``\\n``)
    are code. The parser, the safety rules and the limits ask about the same body in turn:
    the last few answers are kept."""
    with _LOCK:
        return _scan(text)


@lru_cache(maxsize=16)
def _scan(text: str) -> Blocks:
    lines, owner = normalised(text)
    if not any("    " in t or "`" in t or "~" in t for t in lines) and _short_blocks(lines):
        return Blocks(frozenset(), (), ())  # no fence, no four spaces anywhere: no code
    fences, unclosed = _fenced(lines)
    doc: list[Line] = []
    at = 0
    for k, (first, end, ws) in enumerate(fences):
        doc.extend(enumerate(lines[at:first], at))
        doc.append((first, ws + _PLACEHOLDER.format(k)))
        at = end
    doc.extend(enumerate(lines[at:], at))
    parser = BlockParser(is_table, fences, lines)
    try:
        parser.chunk(Node("div"), doc)
    except TooCostly:
        # Safe side: nothing is code, so every line is judged as text.
        return Blocks(frozenset(), (), tuple((owner[i], f) for i, f in unclosed), True)
    code = {i for i in parser.code if i >= 0}
    for k, (first, end, _) in enumerate(fences):
        if k not in parser.reverted:
            code.update(range(first, end))
    kept = [(a, b - 1) for k, (a, b, _) in enumerate(fences) if k not in parser.reverted]
    if len(owner) == owner[-1] + 1:  # no lone carriage return: one line each
        return Blocks(frozenset(code), tuple(kept), tuple(unclosed))
    # A line holding a lone CR is code only when every part of it is.
    parts: dict[int, list[int]] = {}
    for renderer_line, line in enumerate(owner):
        parts.setdefault(line, []).append(renderer_line)
    return Blocks(
        frozenset(line for line, rs in parts.items() if all(r in code for r in rs)),
        tuple((owner[a], owner[b]) for a, b in kept),
        tuple((owner[i], f) for i, f in unclosed))
