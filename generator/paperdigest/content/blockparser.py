"""Python-Markdown's block parser, ported processor by processor with line numbers.

The real parser works on strings and forgets where each line came from; this port makes the
same decisions (the site's processors, in their order: admonition, empty, list indent,
indented code, table, headings, rules, lists, quotes, references, paragraphs) on lists of
``(line index, text)``, so that ``blocks.scan`` can say which source lines end up in
``<pre><code>``. Only what decides that is kept: element tags, not their text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown.blockprocessors import ReferenceProcessor

TAB = 4
STASHED = re.compile(r"^([> ]*)\x02wzxhzdk:(\d+)\x03$")
"""A fenced block's placeholder line, as the fence preprocessor leaves it."""

_HR = re.compile(r"^[ ]{0,3}(?=(?P<a>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))"
                 r"(?P=a)[ ]*$")
_SETEXT = re.compile(r"^(?:=+|-+)[ ]*$")
_QUOTE = re.compile(r"^[ ]{0,3}>[ ]?(.*)$")
_OL = re.compile(r"^[ ]{0,3}\d+\.[ ]+(.*)$")
_UL = re.compile(r"^[ ]{0,3}[*+-][ ]+(.*)$")
_CHILD = re.compile(r"^[ ]{0,3}((\d+\.)|[*+-])[ ]+(.*)$")
_ITEM_INDENT = re.compile(r"^[ ]{4,7}((\d+\.)|[*+-])[ ]+.*$")
_INDENT = re.compile(r"^(([ ]{4})+)")
_ADMONITION = re.compile(r"^!!! ?([\w\-]+(?: +[\w\-]+)*)(?: +\"(.*?)\")? *$")
_REFERENCE = ReferenceProcessor.RE
_LISTS = ("ul", "ol")
_HR_LINE = re.compile(_HR.pattern, re.MULTILINE)
_HASH_LINE = re.compile(r"^#", re.MULTILINE)
_QUOTE_LINE = re.compile(r"^[ ]{0,3}>", re.MULTILINE)
_ADMONITION_LINE = re.compile(_ADMONITION.pattern, re.MULTILINE)

MAX_WORK = 400_000
"""Lines the block parser may visit for one body. Python-Markdown peels a block line by
line when its lines are headings, rules or references (time quadratic in the block), and
so would this port; a body that needs more is reported (``limits``), not followed. Real
digests need a few thousand."""
MAX_DEPTH = 40
"""Levels of nesting (quotes, lists, admonitions) followed; a deeper body is reported like a
costly one (``limits`` refuses more than ten levels anyway)."""

Line = tuple[int, str]
"""(index of the source line, its text as the parser sees it at this depth)."""


class TooCostly(Exception):
    """The body needs more work than ``MAX_WORK`` or nests deeper than ``MAX_DEPTH``."""


class Node:
    """An element of the tree the block parser builds; only tags matter here."""

    __slots__ = ("children", "tag")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.children: list[Node] = []

    def add(self, tag: str) -> Node:
        child = Node(tag)
        self.children.append(child)
        return child

    @property
    def last(self) -> Node | None:
        return self.children[-1] if self.children else None


def _text(block: list[Line]) -> str:
    return "\n".join(t for _, t in block)


_JOINED: list[tuple[list[Line], str]] = []
"""The last block joined and its text: each step of ``BlockParser.blocks`` tests the same
block, so it is joined once."""


def _first(pattern: re.Pattern[str], block: list[Line]) -> int | None:
    """Index of the first line of ``block`` where the MULTILINE ``pattern`` matches (one
    regex search over the joined text: the processors' tests run at C speed)."""
    if _JOINED and _JOINED[0][0] is block:
        text = _JOINED[0][1]
    else:
        text = _text(block)
        _JOINED[:] = [(block, text)]
    m = pattern.search(text)
    return None if m is None else text.count("\n", 0, m.start())


def _split(block: list[Line]) -> list[list[Line]]:
    """``parseChunk``'s ``text.split("\\n\\n")``, on lines."""
    parts = _text(block).split("\n\n")
    out, pos = [], 0
    for part in parts:
        n = part.count("\n") + 1
        out.append(block[pos:pos + n])
        pos += n + 1
    return out


def _detab(block: list[Line], length: int = TAB) -> tuple[list[Line], list[Line]]:
    """Lines indented by ``length`` (blank lines too) with it removed, and the rest."""
    kept: list[Line] = []
    for i, t in block:
        if t.startswith(" " * length):
            kept.append((i, t[length:]))
        elif not t.strip():
            kept.append((i, ""))
        else:
            break
    return kept, block[len(kept):]


def _loose_detab(block: list[Line], level: int = 1) -> list[Line]:
    cut = " " * TAB * level
    return [(i, t[len(cut):] if t.startswith(cut) else t) for i, t in block]


class BlockParser:
    """Python-Markdown's ``BlockParser`` with the site's block processors, in their order,
    reduced to what decides which lines end up in ``<pre><code>``."""

    def __init__(self, is_table: Callable[[str], bool],
                 fences: list[tuple[int, int, str]], lines: list[str]) -> None:
        self.is_table = is_table
        self.fences = fences
        self.lines = lines
        self.reverted: set[int] = set()
        """Fences an indented code block took back as text (``revert_greedy_fences``)."""
        self.state: list[str] = []
        self.code: set[int] = set()
        self.adm: tuple[Node, int] | None = None  # AdmonitionProcessor.current_sibling
        self.work = 0
        self.depth = 0

    def _isstate(self, name: str) -> bool:
        return bool(self.state) and self.state[-1] == name

    def chunk(self, parent: Node, block: list[Line]) -> None:
        self.blocks(parent, _split(block))

    def blocks(self, parent: Node, blocks: list[list[Line]]) -> None:
        steps = (self._admonition, self._empty, self._indent, self._codeblock, self._table,
                 self._hash, self._setext, self._hr, self._olist, self._ulist, self._quote,
                 self._reference, self._paragraph)
        self.depth += 1
        try:
            while blocks:
                self.work += len(blocks[0])
                if self.work > MAX_WORK or self.depth > MAX_DEPTH:
                    raise TooCostly
                for step in steps:
                    if step(parent, blocks):
                        break
        finally:
            self.depth -= 1

    # Each step: test and, when it applies, run; True when it took the block.
    def _admonition(self, parent: Node, blocks: list[list[Line]]) -> bool:
        block = blocks[0]
        at = _first(_ADMONITION_LINE, block)
        if at is None:
            found = self._admonition_content(parent, block)
            if found is None:
                return False
            blocks.pop(0)
            div, content, rest = found
        else:
            blocks.pop(0)
            if at > 0:
                self.blocks(parent, [block[:at]])
            content, rest = _detab(block[at + 1:])
            div = parent.add("admonition")
        self.chunk(div, content if content else [(block[0][0], "")])
        if rest:
            blocks.insert(0, rest)
        return True

    def _admonition_content(self, parent: Node, block: list[Line]
                            ) -> tuple[Node, list[Line], list[Line]] | None:
        if self.adm is not None:
            (kept, indent), self.adm = self.adm, None
            return (kept, *_detab(block, indent))
        sibling = parent.last
        if sibling is None or sibling.tag != "admonition":
            return None
        first = block[0][1]
        last = sibling.last
        indent = 0
        while last is not None:
            if sibling is not None and first.startswith(" " * TAB * 2) and last.tag in _LISTS:
                sibling = last.last
                last = sibling.last if sibling is not None else None
                first = first[TAB:]
                indent += TAB
            else:
                last = None
        if sibling is None or not first.startswith(" " * TAB):
            return None
        indent += TAB
        return (sibling, *_detab(block, indent))

    def _empty(self, parent: Node, blocks: list[list[Line]]) -> bool:
        block = blocks[0]
        if block[0][1] != "":
            return False
        blocks.pop(0)
        if len(block) > 1:
            blocks.insert(0, block[1:])
        return True

    def _indent(self, parent: Node, blocks: list[list[Line]]) -> bool:
        block = blocks[0]
        last = parent.last
        if not (block[0][1].startswith(" " * TAB) and not self._isstate("detabbed") and
                (parent.tag == "li" or (last is not None and last.tag in _LISTS))):
            return False
        blocks.pop(0)
        m = _INDENT.match(block[0][1])
        indent_level = len(m.group(1)) // TAB if m else 0
        level = 1 if self._isstate("list") else 0
        sibling = parent
        while indent_level > level:
            child = sibling.last
            if child is not None and child.tag in (*_LISTS, "li"):
                if child.tag in _LISTS:
                    level += 1
                sibling = child
            else:
                break
        block = _loose_detab(block, level)
        self.state.append("detabbed")
        if parent.tag == "li":
            target = parent.last if parent.last is not None and parent.last.tag in _LISTS \
                else parent
            self.blocks(target, [block])
        elif sibling.tag == "li":
            self.blocks(sibling, [block])
        elif sibling.last is not None and sibling.last.tag == "li":
            self.chunk(sibling.last, block)
        else:
            self.blocks(sibling.add("li"), [block])
        self.state.pop()
        return True

    def _codeblock(self, parent: Node, blocks: list[list[Line]]) -> bool:
        block = blocks[0]
        if not block[0][1].startswith(" " * TAB):
            return False
        blocks.pop(0)
        code, rest = _detab(self._revert(block))
        self.code.update(i for i, _ in code)
        if parent.last is None or parent.last.tag != "pre":
            parent.add("pre")
        if rest:
            blocks.insert(0, rest)
        return True

    def _revert(self, block: list[Line]) -> list[Line]:
        """Fences inside a block that starts as indented code go back to their lines."""
        out: list[Line] = []
        for i, t in block:
            m = STASHED.match(t)
            if m is None:
                out.append((i, t))
                continue
            k = int(m.group(2))
            first, end, ws = self.fences[k]
            cut = len(ws) - len(m.group(1))
            self.reverted.add(k)
            out.append((first, self.lines[first][cut:]))
            if end - first == 2:
                out.append((-1, ""))  # the stash keeps an empty fence as three lines
            out.extend((j, self.lines[j][cut:]) for j in range(first + 1, end))
        return out

    def _table(self, parent: Node, blocks: list[list[Line]]) -> bool:
        # TableProcessor.test reads the first two rows only.
        if (len(blocks[0]) < 2 or "|" not in blocks[0][0][1]
                or not self.is_table(_text(blocks[0][:2]))):
            return False
        blocks.pop(0)
        parent.add("table")
        return True

    def _hash(self, parent: Node, blocks: list[list[Line]]) -> bool:
        block = blocks[0]
        at = _first(_HASH_LINE, block)
        if at is None:
            return False
        blocks.pop(0)
        if at > 0:
            self.blocks(parent, [block[:at]])
        parent.add("h")
        after = block[at + 1:]
        if after:
            blocks.insert(0, _loose_detab(after) if self._isstate("looselist") else after)
        return True

    def _setext(self, parent: Node, blocks: list[list[Line]]) -> bool:
        block = blocks[0]
        if len(block) < 2 or not _SETEXT.match(block[1][1]):
            return False
        blocks.pop(0)
        parent.add("h")
        if len(block) > 2:
            blocks.insert(0, block[2:])
        return True

    def _hr(self, parent: Node, blocks: list[list[Line]]) -> bool:
        block = blocks[0]
        at = _first(_HR_LINE, block)
        if at is None:
            return False
        blocks.pop(0)
        before = block[:at]
        while before and before[-1][1] == "":
            before.pop()
        if before:
            self.blocks(parent, [before])
        parent.add("hr")
        after = block[at + 1:]
        while after and after[0][1] == "":
            after.pop(0)
        if after:
            blocks.insert(0, after)
        return True

    def _olist(self, parent: Node, blocks: list[list[Line]]) -> bool:
        return self._list(parent, blocks, _OL, "ol")

    def _ulist(self, parent: Node, blocks: list[list[Line]]) -> bool:
        return self._list(parent, blocks, _UL, "ul")

    def _list(self, parent: Node, blocks: list[list[Line]], test: re.Pattern[str],
              tag: str) -> bool:
        if not test.match(blocks[0][0][1]):
            return False
        items = _items(blocks.pop(0))
        sibling = parent.last
        if sibling is not None and sibling.tag in _LISTS:
            lst = sibling
            self.state.append("looselist")
            self.blocks(lst.add("li"), [items.pop(0)])
            self.state.pop()
        elif parent.tag in _LISTS:
            lst = parent
        else:
            lst = parent.add(tag)
        self.state.append("list")
        for item in items:
            if item[0][1].startswith(" " * TAB) and lst.last is not None:
                self.blocks(lst.last, [item])
            else:
                self.blocks(lst.add("li"), [item])
        self.state.pop()
        return True

    def _quote(self, parent: Node, blocks: list[list[Line]]) -> bool:
        block = blocks[0]
        at = _first(_QUOTE_LINE, block)
        if at is None:
            return False
        blocks.pop(0)
        self.blocks(parent, [block[:at] or [(block[0][0], "")]])
        cleaned = []
        for i, t in block[at:]:
            m = _QUOTE.match(t)
            cleaned.append((i, "" if t.strip() == ">" else m.group(1) if m else t))
        quote = parent.last if parent.last is not None and parent.last.tag == "blockquote" \
            else parent.add("blockquote")
        self.state.append("blockquote")
        self.chunk(quote, cleaned)
        self.state.pop()
        return True

    def _reference(self, parent: Node, blocks: list[list[Line]]) -> bool:
        text = _text(blocks[0])
        m = _REFERENCE.search(text)
        if m is None:
            return False
        block = blocks.pop(0)
        start = end = m.start()
        for m in _REFERENCE.finditer(text, start):
            if m.start() > start and (text[end:m.start()].strip("\n") or "\n" in m.group()):
                break
            end = m.end()
        first, last = text.count("\n", 0, start), text.count("\n", 0, end)
        after = block[last + 1:]
        while after and after[0][1] == "":
            after.pop(0)
        if text[end:].strip():
            blocks.insert(0, after)
        before = block[:first]
        while before and before[-1][1] == "":
            before.pop()
        if text[:start].strip():
            blocks.insert(0, before)
        return True

    def _paragraph(self, parent: Node, blocks: list[list[Line]]) -> bool:
        block = blocks.pop(0)
        if _text(block).strip() and not self._isstate("list"):
            parent.add("p")
        return True


def _items(block: list[Line]) -> list[list[Line]]:
    """``OListProcessor.get_items``: the items of a list block, each a list of lines."""
    items: list[list[Line]] = []
    for i, t in block:
        m = _CHILD.match(t)
        if m:
            items.append([(i, m.group(3))])
        elif _ITEM_INDENT.match(t):
            if items[-1][0][1].startswith(" " * TAB):
                items[-1].append((i, t))
            else:
                items.append([(i, t)])
        else:
            items[-1].append((i, t))
    return items
