"""The full text of a paper from arXiv's HTML rendering, as plain text a model can read.

arXiv renders most new papers to HTML with LaTeXML (``https://arxiv.org/html/<id>``): an
``<article class="ltx_document">`` of ``<section>``s, headings and ``ltx_para`` paragraphs,
math as MathML with its LaTeX in ``alttext``. ``page_text`` walks that page with the
standard library's HTML parser (which never raises on bad markup) and keeps what a reader
reads: headings as ``#`` lines, paragraphs, list items, figure and table captions, table
cells, and math as ``$…$`` (``$$…$$`` for display math) from ``alttext``. Scripts, styles,
navigation, the page header and footer, the author block and the MathML itself are dropped;
the bibliography is reduced to one line per entry, because section 7 of a digest names the
references that matter.

``cap`` keeps the text under a size the model's context allows, cut at section boundaries:
sections that do not fit are left out whole (a later, shorter one may still fit), and every
cut is reported. A paper with no HTML (404, older papers, a failed conversion) gives
``None``, and the caller uses the abstract.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

from ..content.ids import ArxivId
from ..errors import FetchError
from . import http
from .connection import is_web_url
from .http import HttpFailure

DEFAULT_BASE = "https://arxiv.org/html/"
BASE_ENV = "PAPERDIGEST_ARXIV_HTML"
MAX_CHARS_ENV = "PAPERDIGEST_PAPER_MAX_CHARS"
MAX_CHARS = 60_000
"""Characters of paper text sent to the model by default: about 15,000 tokens of English,
which leaves room for the prompt and the answer in a 32k context."""
MIN_CHARS = 500
"""Less text than this is no paper (an error page rendered as HTML): the abstract is used."""
MIN_INTERVAL = 3.0
"""arXiv asks for one request every three seconds; its HTML pages are no exception."""
ENTRY_CHARS = 300
"""Characters kept of each bibliography entry."""

_DROP_TAGS = frozenset({"script", "style", "noscript", "nav", "header", "footer", "button",
                        "form", "template", "svg", "iframe", "object", "canvas", "select",
                        "textarea", "head", "title", "audio", "video", "map"})
_DROP_CLASSES = frozenset({"ltx_page_header", "ltx_page_footer", "ltx_TOC", "ltx_page_logo",
                           "ltx_authors", "ltx_dates", "ltx_note_mark", "ltx_role_affiliation",
                           "ltx_tag_item", "ltx_tag_note", "ltx_bib_cited", "ltx_bib_links",
                           "ltx_rdf", "sr-only", "package-alerts", "ltx_ERROR"})
_DROP_IDS = frozenset({"watermark-tr", "watermark-tl", "target-section"})
"""arXiv's watermark ("arXiv:… [cs.CV] 6 Mar 2025") and its feedback form."""
_EQUATIONS = frozenset({"ltx_equation", "ltx_eqn_table", "ltx_equationgroup"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
_BLOCK = frozenset({"p", "div", "section", "article", "li", "dt", "dd", "figcaption",
                    "caption", "blockquote", "pre", "figure", "table", "tr", "ul", "ol", "dl",
                    "h1", "h2", "h3", "h4", "h5", "h6", "main", "body", "aside", "tbody",
                    "thead"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 4, "h6": 4}
_SPACE = re.compile(r"\s+")
_CELL_BARS = re.compile(r"(?:\s*\|\s*)+")


@dataclass(frozen=True)
class Block:
    """One paragraph of the text, or a heading (``level`` 1–4; 0 for a paragraph)."""

    text: str
    level: int = 0


class _Extractor(HTMLParser):
    """Turns a LaTeXML page into ``Block``s; see the module docstring for what is kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        # (tag, dropped?, text at its end, the document itself?)
        self._stack: list[tuple[str, bool, str, bool]] = []
        self._dropping = 0
        self._math = 0  # inside <math>: its alttext was written, the MathML is skipped
        self._outside: list[Block] = []  # blocks outside the article, if it has one
        self._buffer: list[str] = []
        self._heading: int = 0
        self._pre = 0
        self._row = 0  # inside a table row: cells are joined with " | "
        self._equations = 0  # inside an equation table: no bars, the number follows
        self._bibitem = 0
        self._marker = ""  # "- " of a list item, written before its first text
        self._article = 0

    # -- structure --------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        if tag in _VOID:
            if tag == "br" and not self._dropping:
                self._buffer.append("\n" if self._pre else " ")
            return
        drop = (tag in _DROP_TAGS or bool(classes & _DROP_CLASSES)
                or a.get("id") in _DROP_IDS or a.get("aria-hidden") == "true" or "hidden" in a)
        # A footnote is read where it is anchored, in parentheses.
        note = "ltx_note_content" in classes and not drop and not self._dropping
        # The document is <article class="ltx_document"> (an older LaTeXML: a <div>).
        doc = "ltx_document" in classes and not drop and not self._dropping and not self._math
        self._stack.append((tag, drop, ")" if note else "", doc))
        if note:
            self._buffer.append(" (")
        if doc:
            self._flush()
            self._article += 1
        if drop:
            self._dropping += 1
            return
        if self._dropping:
            return
        if tag == "math":
            self._math += 1
            if self._math == 1:
                self._write_math(a)
            return
        if self._math:
            return
        if tag in _BLOCK:
            self._flush()
        if tag in _HEADINGS:
            self._heading = _HEADINGS[tag]
        elif tag == "pre":
            self._pre += 1
        elif tag == "table" and classes & _EQUATIONS:
            self._equations += 1
        elif tag == "tr":
            self._row += 1
        elif tag in ("td", "th"):
            self._buffer.append(" " if self._equations else " | ")
        elif tag == "li" and "ltx_bibitem" in classes:
            self._bibitem += 1
        elif tag == "li":
            self._marker = "- "

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        # Close the nearest open element of that name (and everything opened inside it);
        # an end tag with no open element is ignored, as browsers do.
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                break
        else:
            return
        while len(self._stack) > index:
            self._close(*self._stack.pop())

    def _close(self, tag: str, dropped: bool, suffix: str, doc: bool) -> None:
        self._buffer.append(suffix)
        if doc:
            self._flush()
            self._article -= 1
        if dropped:
            self._dropping -= 1
            return
        if self._dropping:
            return
        if tag == "math":
            self._math -= 1
            return
        if self._math:
            return
        if tag in _BLOCK:
            self._flush()
        if tag in _HEADINGS:
            self._heading = 0
        elif tag == "pre":
            self._pre -= 1
        elif tag == "table" and self._equations:
            self._equations -= 1
        elif tag == "tr" and self._row:
            self._row -= 1
        elif tag == "li":
            self._bibitem = max(0, self._bibitem - 1)
            self._marker = ""

    def handle_data(self, data: str) -> None:
        if not self._dropping and not self._math:
            self._buffer.append(data)

    def _write_math(self, a: Mapping[str, str]) -> None:
        tex = _SPACE.sub(" ", a.get("alttext", "")).strip()
        if not tex:
            return
        # Display math stands in an equation table's row, its number in the next cell.
        self._buffer.append(f" $${tex}$$ " if a.get("display") == "block" else f"${tex}$")

    def _flush(self) -> None:
        raw = "".join(self._buffer)
        self._buffer = []
        text = raw.strip("\n") if self._pre else _SPACE.sub(" ", raw).strip()
        if self._row:
            text = _CELL_BARS.sub(" | ", text).strip(" |")
        if not text:
            return
        if self._bibitem:
            text = text if len(text) <= ENTRY_CHARS else text[:ENTRY_CHARS - 1] + "…"
        text, self._marker = self._marker + text, ""
        (self.blocks if self._article else self._outside).append(Block(text, self._heading))

    def close(self) -> None:
        super().close()
        self._flush()
        if not self.blocks:  # no LaTeXML article: what the page holds outside one
            self.blocks = self._outside


def page_blocks(html: str) -> list[Block]:
    """The readable blocks of an arXiv HTML page; only the article when the page has one."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    return parser.blocks


def as_text(blocks: list[Block]) -> str:
    """Blocks as Markdown-like text: headings as ``#`` lines, blank lines between blocks."""
    return "\n\n".join(("#" * b.level + " " + b.text) if b.level else b.text
                       for b in blocks) + ("\n" if blocks else "")


@dataclass(frozen=True)
class Capped:
    """The text within the cap, and what was left out to get there."""

    text: str
    left_out: tuple[str, ...]
    """Headings of the sections left out, in document order."""
    full_chars: int
    """Characters of the whole text, before the cut."""


def cap(blocks: list[Block], max_chars: int) -> Capped:
    """The blocks within ``max_chars``, cut at section boundaries (see the module).

    A section is a heading with everything up to the next heading of its level or higher;
    the text before the first heading (title, abstract) is kept first. A section that does
    not fit is tried part by part (its subsections); paragraphs are never split.
    """
    full = as_text(blocks)
    if len(full) <= max_chars:
        return Capped(full, (), len(full))
    kept: list[Block] = []
    left_out: list[str] = []
    budget = [max_chars]

    def size(part: list[Block]) -> int:
        return len(as_text(part)) + 2

    def take(part: list[Block]) -> None:
        if size(part) <= budget[0]:
            kept.extend(part)
            budget[0] -= size(part)
            return
        head, children = part[0], _sections(part[1:], part[0].level)
        if not part[0].level or not children[1] or size([head, *children[0]]) > budget[0]:
            left_out.append(head.text if head.level else "(text before the first heading)")
            return
        kept.append(head)
        kept.extend(children[0])
        budget[0] -= size([head, *children[0]])
        for child in children[1]:
            take(child)

    intro, sections = _sections(blocks, 0)
    if intro:
        take(intro)
    for section in sections:
        take(section)
    return Capped(as_text(kept), tuple(left_out), len(full))


def _sections(blocks: list[Block], level: int) -> tuple[list[Block], list[list[Block]]]:
    """(blocks before the first heading deeper than ``level``, the sections at that depth)."""
    top = min((b.level for b in blocks if b.level > level), default=0)
    if not top:
        return blocks, []
    starts = [i for i, b in enumerate(blocks) if b.level and b.level <= top]
    lead = blocks[: starts[0]] if starts else blocks
    parts = [blocks[s:e] for s, e in zip(starts, [*starts[1:], len(blocks)], strict=True)]
    return lead, parts


@dataclass(frozen=True)
class PaperText:
    """What the model reads of a paper."""

    text: str
    full_text: bool
    """True for the HTML full text, False for the abstract."""
    url: str | None = None
    """Where the full text was read."""
    left_out: tuple[str, ...] = ()
    full_chars: int = 0
    note: str = ""
    """Why the abstract was used, when it was."""


def base_from_env(environ: Mapping[str, str] = os.environ) -> str:
    """``$PAPERDIGEST_ARXIV_HTML`` (ending in ``/``), else arXiv's HTML address."""
    raw = environ.get(BASE_ENV, "").strip()
    if not raw:
        return DEFAULT_BASE
    if not is_web_url(raw):
        raise FetchError(f"{BASE_ENV}={raw!r} is not an http(s) URL: set it like "
                         f"{DEFAULT_BASE}, or unset it")
    return raw if raw.endswith("/") else raw + "/"


def max_chars_from_env(environ: Mapping[str, str] = os.environ) -> int:
    """``$PAPERDIGEST_PAPER_MAX_CHARS``, else ``MAX_CHARS``."""
    raw = environ.get(MAX_CHARS_ENV, "").strip().replace("_", "").replace(",", "")
    if not raw:
        return MAX_CHARS
    if not raw.isdigit() or not 1000 <= int(raw) <= 10_000_000:
        raise FetchError(f"{MAX_CHARS_ENV}={raw!r} is not a number of characters from 1000 "
                         f"up: set it to e.g. {MAX_CHARS}, or unset it")
    return int(raw)


class ArxivHtmlClient:
    """Reads papers' HTML pages through the polite client (spacing, retries, limits)."""

    def __init__(self, online: http.Online, *, base: str | None = None,
                 max_chars: int | None = None) -> None:
        self.base = base or base_from_env()
        self.max_chars = max_chars or max_chars_from_env()
        self.client = online.client(user_agent=http.user_agent(), timeout=30.0,
                                    max_connections=1)
        self._http = http.PoliteClient(self.client, name=f"arXiv's HTML at {self.base}",
                                       min_interval=MIN_INTERVAL, backoff=3.0,
                                       **online.settings())

    def close(self) -> None:
        self.client.close()

    def read(self, arxiv: ArxivId, abstract: str) -> PaperText:
        """The paper's full text within the cap, else its abstract with the reason."""
        url = self.base + arxiv.full
        try:
            reply = self._http.get(url, retryable=http.server_trouble)
        except HttpFailure as exc:
            return _abstract(abstract, f"{url} {exc.reason}")
        if reply.status == 404:
            return _abstract(abstract, f"arXiv has no HTML rendering of {arxiv.full} (HTTP 404)")
        if reply.status != 200:
            return _abstract(abstract, f"{url} answered {reply.status_line}")
        page = reply.content.decode("utf-8", errors="replace")
        blocks = page_blocks(page)
        if sum(len(b.text) for b in blocks) < MIN_CHARS:
            return _abstract(abstract, f"{url} holds no paper text (a failed conversion)")
        capped = cap(blocks, self.max_chars)
        if len(capped.text) < MIN_CHARS:
            return _abstract(abstract, f"the cap of {self.max_chars:,} characters leaves no "
                             f"whole section of {url}: raise {MAX_CHARS_ENV}")
        return PaperText(capped.text, True, str(reply.url), capped.left_out, capped.full_chars)


def _abstract(abstract: str, why: str) -> PaperText:
    return PaperText(abstract, False, None, (), len(abstract), note=why)
