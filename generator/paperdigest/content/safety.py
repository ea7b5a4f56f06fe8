"""Check-time rules for hostile or broken content: what a digest may contain.

Python-Markdown does not sanitise: raw HTML, ``javascript:`` links and attribute lists such
as ``{: onclick=… }`` pass straight into the page. These rules refuse them where they are
written, with the line and the fix, before anything is rendered:

* raw HTML in a digest body, except ``<br>``, ``<sub>`` and ``<sup>`` without attributes;
* link, image, reference and autolink targets whose scheme is not ``http``, ``https`` or
  ``mailto`` (relative links and ``#anchors`` are fine), judged after decoding entities and
  percent escapes and removing whitespace and control characters, in any case;
* attribute lists (``{ … }``) that set anything but an id (``#x``, ``id=…``) or classes
  (``.x``, ``class=…``);
* markup characters in front-matter text: ``<``, ``>`` and backticks in names (title,
  authors, tags, doi), HTML tags in prose (blurb, abstract, comment, bio);
* invisible characters (bidi controls, zero-width, other format characters) in tags and
  author names, including hashtags taken from the body.

Code is never judged: fenced blocks, indented code blocks and inline code are masked first;
which lines are code is decided by ``blocks.scan``, the renderer's own rules, never guessed.
The HTML sanitiser and the post-build gate (``sanitize.py``) stay as a second line.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from ..errors import Problem
from . import blocks
from .limits import MAX_TAG_STARTS, paragraph_problems, tag_starts, tag_starts_problem
from .math import math_problems
from .mathspans import mask_math
from .schema import invisible_message, is_invisible

# text_problems and field_problems live in textclass; named here too for older callers.
from .textclass import field_problems as field_problems
from .textclass import invisible_or_control, shown
from .textclass import text_problems as text_problems

ALLOWED_TAGS = frozenset({"br", "sub", "sup"})
"""Raw HTML tags a digest body may use, written bare: ``<br>``, ``<sub>…</sub>``."""
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
"""URL schemes a link or image may use; URLs without a scheme (relative, ``#x``) are fine."""
ALLOWED_ATTRIBUTES = frozenset({"id", "class"})
"""What an attribute list ``{ … }`` may set."""

# A line starting with a tag opens a raw HTML block: Markdown reads no code spans there.
_HTML_LINE = re.compile(r"^ {0,3}<[A-Za-z!?/]")
# Python-Markdown's own patterns (markdown/inlinepatterns.py), so that what is judged is
# what the renderer will see: code spans, autolinks, e-mail autolinks, raw HTML.
_CODE_SPAN = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_AUTOLINK = re.compile(r"<((?:[Ff]|[Hh][Tt])[Tt][Pp][Ss]?://[^<>]*)>")
_AUTOMAIL = re.compile(r"<[^<> !]+@[^@<> ]+>")
_TAG = re.compile(r"<(/?)([a-zA-Z][^<>@\s]*)(\s[^<>]*)?>", re.DOTALL)
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_OTHER_HTML = re.compile(r"<(?:!--|![A-Za-z\[]|\?[A-Za-z])")
_LINK_OPEN = re.compile(r"\]\(")
_PAREN_OR_ESCAPE = re.compile(r"\\.|[()]", re.DOTALL)
_REFERENCE = re.compile(r"^[ ]{0,3}\[[^\[\]]+\]:[ \t]*\n?[ \t]*(\S+)", re.MULTILINE)
_ATTR_TOKEN = re.compile(r"""([^\s=}]+)=(?:"[^"]*"|'[^']*'|[^\s=}]*)|([^\s=}]+)""")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url``, lower-cased; ``None`` when relative.

    Entities and percent escapes are decoded (repeatedly, for double encoding) and
    whitespace and control characters removed before looking, because browsers drop
    them too: ``Java&#x09;Script:`` is ``javascript``.
    """
    text = url
    for _ in range(4):
        decoded = unquote(html.unescape(text))
        if decoded == text:
            break
        text = decoded
    text = "".join(ch for ch in text if not _stripped(ch)).lstrip("<")
    m = _SCHEME.match(text)
    return m.group(1).lower() if m else None


def _stripped(ch: str) -> bool:
    """Dropped before a URL's scheme is read: backticks, spaces, control characters and
    invisible ones (``schema.is_invisible``), as browsers skip them."""
    return ch == "`" or ch.isspace() or unicodedata.category(ch) == "Cc" or is_invisible(ch)


def _prose_blocks(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Runs of lines that are not code: ``(index of first line, text)``.

    What is code is the renderer's decision (``blocks.scan``); a blank line ends a block, as
    it ends a paragraph, and a heading (``#`` in the first column) is a block of its own.
    """
    code = blocks.scan("\n".join(lines)).code
    start = 0
    block: list[str] = []
    for index, line in enumerate(lines):
        if index in code or not line.strip():
            if block:
                yield start, "\n".join(block)
            block = []
            continue
        if block and (_HTML_LINE.match(line) or line.startswith("#")):
            yield start, "\n".join(block)  # a heading ends the paragraph above it too
            block = []
        if not block:
            start = index
        block.append(line)
        if line.startswith("#"):
            yield start, "\n".join(block)
            block = []
    if block:
        yield start, "\n".join(block)


def _blank(m: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", m.group())


def _mask_code(text: str) -> str:
    """Blank out inline code spans, keeping offsets and line breaks.

    In a paragraph a code span may run over lines; in a table each row is parsed alone, so
    spans are masked line by line. Whether a block is a table is decided by the renderer's
    own test: a block with a ``|`` that is not a table is a paragraph.
    """
    if "\n" in text and "|" in text and blocks.is_table(text):
        return "\n".join(_CODE_SPAN.sub(_blank, line) for line in text.split("\n"))
    return _CODE_SPAN.sub(_blank, text)


def _paren_pairs(text: str) -> dict[int, int]:
    """The closing ``)`` of every ``(`` that has one (backslash escapes skipped): one pass.

    A link target runs from ``](`` to the parenthesis that closes it, counting nested
    parentheses as Python-Markdown does; looking each one up here keeps a block full of
    ``](`` linear instead of scanning to the end of the block from every opener.
    """
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _PAREN_OR_ESCAPE.finditer(text):
        ch = m.group()
        if ch == "(":
            stack.append(m.start())
        elif ch == ")" and stack:
            pairs[stack.pop()] = m.start()
    return pairs


def _link_targets(text: str, raw: str | None = None) -> list[tuple[int, int | None]]:
    """``(start, end)`` of the target after every ``](`` of ``text``, its parentheses
    matched in ``raw`` (the same text before masking; default ``text``); ``end`` is None
    when the target is never closed."""
    opens = [m.end() for m in _LINK_OPEN.finditer(text)]
    pairs = _paren_pairs(text if raw is None else raw) if opens else {}
    return [(start, pairs.get(start - 1)) for start in opens]


class _Spans:
    """Sorted, merged spans, asked whether a position falls inside one (binary search)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def __contains__(self, pos: int) -> bool:
        at = bisect.bisect_right(self.starts, pos) - 1
        return at >= 0 and pos < self.ends[at]


def _last_before(positions: list[int], pos: int) -> int:
    at = bisect.bisect_left(positions, pos)
    return positions[at - 1] if at else -1


def _scheme_message(kind: str, target: str, scheme: str) -> str:
    return (f"{kind} '{shown(target.strip())}' uses the '{scheme}:' scheme: only http(s), "
            "mailto, relative links and #anchors are allowed; link to an https:// page instead")


def _block_findings(text: str, raw: str) -> Iterator[tuple[int, str]]:
    """``(offset, message)`` for every unsafe construct in one prose block.

    ``text`` has its code spans blanked out; ``raw`` is the block as written. Link targets
    are read from ``raw``: Markdown puts the text of a code span inside a link target
    into the ``href`` (``[x](`javascript:…`)``).
    """
    html_spans: list[tuple[int, int]] = []
    for m in _AUTOLINK.finditer(text):
        html_spans.append(m.span())
        scheme = url_scheme(m.group(1))
        if scheme not in ALLOWED_SCHEMES:
            yield m.start(), _scheme_message("the autolink", m.group(1), str(scheme))
    html_spans.extend(m.span() for m in _AUTOMAIL.finditer(text))

    targets = [(a, b) for a, b in _link_targets(text) if b is not None]
    inside = _Spans([*html_spans, *targets])

    reported: set[str] = set()
    for m in _TAG.finditer(text):
        if m.start() in inside:
            continue  # an autolink, or a link target (judged below by its scheme)
        name = _TAG_NAME.match(m.group(2)).group().lower()  # type: ignore[union-attr]
        rest = (m.group(2)[len(name):] + (m.group(3) or "")).strip()
        if name in ALLOWED_TAGS and rest in ("", "/") and not (m.group(1) and rest):
            continue
        if m.group(1) and name in reported:
            continue  # the closing tag of an element already reported
        reported.add(name)
        yield m.start(), (f"raw HTML '{shown(m.group())}' is not allowed: write Markdown "
                          "instead (only <br>, <sub> and <sup> without attributes are "
                          "kept), or put it in `backticks` if it is meant as code")
    for m in _OTHER_HTML.finditer(text):
        yield m.start(), (f"raw HTML '{shown(text[m.start():m.start() + 30])}' (a comment "
                          "or declaration) is not allowed: delete it")
    images = [m.start() for m in re.finditer(r"!\[", text)]
    closers = [m.start() for m in re.finditer(r"\]", text)]
    for start, end in _link_targets(text, raw):
        target = raw[start:end] if end is not None else raw[start:start + 200]
        scheme = url_scheme(target)
        if scheme is not None and scheme not in ALLOWED_SCHEMES:
            at = start - 2
            is_image = _last_before(images, at) > _last_before(closers, at)
            yield at, _scheme_message("the image" if is_image else "the link", target, scheme)
    for m in _REFERENCE.finditer(raw):  # a block construct: read before any code span
        url = m.group(1)
        scheme = url_scheme(url)
        if scheme is not None and scheme not in ALLOWED_SCHEMES:
            yield m.start(1), _scheme_message("the link reference", url, scheme)
    for start, inner, whole in _attribute_lists(text):
        bad = sorted({key for key in _attribute_keys(inner)
                      if key.lower() not in ALLOWED_ATTRIBUTES})
        if bad:
            yield start, (f"the attribute list '{shown(whole)}' sets "
                              f"{', '.join(bad)}: only ids ({{ #name }}) and classes "
                              "({ .name }) are allowed; remove the rest, or put the braces "
                              "in `backticks` if they are not an attribute list")


def _attribute_lists(text: str) -> Iterator[tuple[int, str, str]]:
    """``(offset, inside, whole)`` of every ``{ … }`` on one line, left to right, as the
    attribute-list pattern finds them (each ``}`` closes the first ``{`` still open), in one
    pass: a line of many ``{`` must not make each of them scan to the end of the line."""
    i = text.find("{")
    while i >= 0:
        line_end = text.find("\n", i)
        line_end = len(text) if line_end < 0 else line_end
        j = text.find("}", i, line_end)
        if j < 0:
            i = text.find("{", line_end)
            continue
        whole = text[i:j + 1]
        yield i, whole[1:-1].lstrip(":").strip(" \t"), whole
        i = text.find("{", j + 1)


def _attribute_keys(inner: str) -> Iterator[str]:
    """Attribute names an attribute list would set (``.x`` and ``#x`` are class and id).

    Bare words become attributes too (``{ hidden }``); only those starting with ``on``
    are reported, so that set notation such as ``{1,2,3}`` is left alone.
    """
    for m in _ATTR_TOKEN.finditer(inner):
        if m.group(1) is not None:
            yield m.group(1)
        elif m.group(2).lower().startswith("on") and m.group(2)[2:].isalpha():
            yield m.group(2)


def body_problems(path: str, body: str, first_line: int = 1) -> list[Problem]:
    """Every unsafe construct in a digest body, each with its file line, and a warning for
    every formula that cannot be shown as math.

    Code and math are masked before judging: neither is Markdown (``$x_{k=m+1}$`` sets no
    attribute, a ``<`` in a formula is no tag); the renderer turns math into MathML.
    """
    found: dict[tuple[int, str], None] = {}
    maths: list[tuple[int, str]] = []
    tags = 0
    for start, block in _prose_blocks(body.split("\n")):
        risky, mathy = any(c in block for c in "<[]{"), "$" in block or "\\" in block
        if not (risky or mathy):
            continue  # nothing this module looks at: skip the regex work
        if _HTML_LINE.match(block):
            masked = block  # a raw HTML block: Markdown reads neither code nor math there
        else:
            masked = _mask_code(block)
            if mathy:
                maths.append((first_line + start, masked))
                masked = mask_math(masked)
        findings = [*_block_findings(masked, block), *paragraph_problems(masked)] if risky else []
        tags += tag_starts(masked)
        if (too_many := tag_starts_problem(tags)) and tags - tag_starts(masked) <= MAX_TAG_STARTS:
            findings.append((masked.rindex("<"), too_many))
        for offset, message in findings:
            found[(first_line + start + masked.count("\n", 0, offset), message)] = None
    return [*(Problem(path, line, None, message) for line, message in found),
            *math_problems(path, iter(maths))]


def digest_problems(
    path: str, fields: Mapping[str, Any], lines: Mapping[tuple[str | int, ...], int],
    body: str, body_line: int, title: tuple[str | None, int | None] = (None, None),
    tag_texts: Iterable[str] = (),
) -> list[Problem]:
    """All the safety problems of one digest: front matter, body, title, hashtags.

    ``title`` is the title taken from the body's ``# `` line with its line; ``tag_texts``
    are the hashtags taken from the body.
    """
    problems = field_problems(path, fields, lines)
    found = body_problems(path, body, body_line)
    problems.extend(found)
    text, line = title
    flagged = {p.line for p in found}
    if text and "title" not in fields and line not in flagged:
        problems.extend(Problem(path, line, "title", m) for m in text_problems("title", text))
    for tag in dict.fromkeys(tag_texts):
        if tag in fields.get("tags", ()):
            continue
        ch = invisible_or_control(tag)
        if ch is not None:
            at = next((body_line + i for i, x in enumerate(body.split("\n")) if tag in x), None)
            problems.append(Problem(path, at, "hashtag",
                                    f"'#{shown(tag)}' {invisible_message(ch)}"))
    return problems
