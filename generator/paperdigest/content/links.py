"""Links between pages: a digest's relative links and anchors, judged as MkDocs judges them.

``mkdocs build --strict`` fails on a relative link whose target is not a file of the site
and on an ``#anchor`` that its target page does not hold, and says so about the generated
page (``papers/2106.09685.md``), with no fix. This module applies the same rules to the
digest instead, against a ``PageMap`` of the site (every generated page and file, the
hand-written pages), so that ``paperdigest check`` and the build refuse the same links and
both name the digest's line and the form that works.

The rules are those of MkDocs 1.6 (``_RelativePathTreeprocessor.path_to_url`` and
``Page.validate_anchor_links``), for the links Python-Markdown makes of the body:

* a URL with a scheme or a host (``https://…``, ``mailto:…``, ``//host/…``) is left alone
  (``safety`` decides which schemes may be used); so is an absolute path (``/x``), which
  MkDocs leaves as is with an INFO message;
* ``#anchor`` alone must be an id of the page itself; ``?query`` alone is fine;
* any other target, percent-decoded and resolved against the page's folder, must be a file
  of the site (``2106.09685.md``, ``../authors/takuya-akiba.md``, ``../tags/llm.md``,
  ``../about.md``): a folder URL (``2106.09685/``) or a source file (``….yaml``) is not;
  its ``#anchor``, if any, must be an id of that page.

Ids are collected as MkDocs collects them: every ``id`` (and ``<a name>``) of the page
converted with the site's Markdown extensions, and the ids of its raw HTML.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

from ..errors import Problem
from .blocks import EXTENSIONS
from .model import Paper, Section

_RELATIVE = re.compile(r"\]\s*\(\s*<?\s*(?![A-Za-z][A-Za-z0-9+.\-]*:|//)|^[ ]{0,3}\[[^\]]+\]:"
                       r"\s*<?(?![A-Za-z][A-Za-z0-9+.\-]*:|//)", re.MULTILINE)
"""Where a body might hold a link without a scheme: only such bodies are converted."""
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
MAX_SUGGESTIONS = 20
"""Broken links of one file for which the intended page is looked for (a fuzzy search over
every page of the site); the others get the general advice."""


class _Ids(HTMLParser):
    """``id`` attributes of raw HTML, as MkDocs' ``_HTMLHandler`` collects them."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(v for k, v in attrs if v and (k == "id" or (k == "name" and tag == "a")))


class _Collect(Treeprocessor):
    """Every ``<a href>`` and ``<img src>`` of the tree, in document order."""

    def run(self, root: etree.Element) -> None:
        self.found: list[Link] = []
        for element in root.iter():
            if element.tag == "a" and element.get("href") is not None:
                self.found.append(Link("".join(element.itertext()).strip(),
                                       str(element.get("href"))))
            elif element.tag == "img" and element.get("src") is not None:
                self.found.append(Link(str(element.get("alt") or ""), str(element.get("src"))))


class _Watched(dict[str, tuple[str, str]]):
    """``Markdown.references`` that remembers which ids the text looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)

    def clear(self) -> None:
        super().clear()
        self.asked = set()


_CONVERTERS: dict[tuple[str, ...], markdown.Markdown] = {}
_DEFINITION = re.compile(r"^[ ]{0,3}\[([^\[\]]*)\]:", re.MULTILINE)


def _converter(extensions: tuple[str, ...]) -> markdown.Markdown:
    """One Markdown instance per set of extensions, reset before each use."""
    md = _CONVERTERS.get(extensions)
    if md is None:
        # No permalinks: they are links to the headings' own ids, which are the same anyway.
        md = markdown.Markdown(extensions=list(extensions), extension_configs={
            "pymdownx.highlight": {"anchor_linenums": False}})
        md.treeprocessors.register(_Collect(md), "paperdigest_links", 0)
        md.references = _Watched()
        _CONVERTERS[extensions] = md
    md.reset()
    return md


_LOCK = threading.Lock()
"""The converters are shared: one conversion at a time."""


def anchors_of(page: str, extensions: tuple[str, ...] = EXTENSIONS) -> frozenset[str]:
    """The ids a page's Markdown gives its HTML (front matter ignored): every ``id`` of the
    converted page and of its raw HTML, as MkDocs collects them."""
    text = _FRONT_MATTER.sub("", page, count=1)
    ids = _Ids()
    ids.feed(text)
    with _LOCK:
        html = _converter(extensions).convert(text)
    ids.feed(html)
    return frozenset(ids.ids)


@dataclass
class PageMap:
    """The files of a built site, as links see them."""

    files: frozenset[str]
    """Site-relative source path of every page (``papers/2106.09685.md``) and other file
    (``feed.xml``, ``assets/cards/papers/2106.09685.png``, ``about.md``)."""
    page_markdown: Callable[[str], str | None]
    """The Markdown of a page, to read its ids; ``None`` for a file that is not Markdown."""
    paper_page: Callable[[Paper], str]
    """Source path of a paper's page (``site.paths.paper``)."""
    extensions: tuple[str, ...] = EXTENSIONS
    """The site's Markdown extensions (the plugin adds its math extension)."""
    _anchors: dict[str, frozenset[str]] = field(default_factory=dict)
    _stems: dict[str, list[str]] = field(default_factory=dict)

    def by_stem(self, stem: str) -> list[str]:
        """Pages whose file name is ``stem`` + ``.md``, in order."""
        if not self._stems:
            for f in sorted(self.files):
                if f.endswith(".md"):
                    self._stems.setdefault(posixpath.basename(f)[:-3], []).append(f)
        return self._stems.get(stem, [])

    def anchors(self, uri: str) -> frozenset[str]:
        if uri not in self._anchors:
            text = self.page_markdown(uri)
            self._anchors[uri] = (anchors_of(text, self.extensions) if text is not None
                                  else frozenset())
        return self._anchors[uri]


@dataclass(frozen=True)
class Link:
    """A link or image of a body: its text and target as Python-Markdown made them."""

    text: str
    target: str


def links_of(text: str, extensions: tuple[str, ...] = EXTENSIONS) -> list[Link]:
    """Every ``<a href>`` and ``<img src>`` Python-Markdown makes of ``text``, in order."""
    with _LOCK:
        md = _converter(extensions)
        md.convert(text)
        collect: _Collect = md.treeprocessors["paperdigest_links"]  # type: ignore[assignment]
        return collect.found


def unused_references(path: str, text: str, body: str, body_line: int) -> list[Problem]:
    """A problem for every link reference (``[id]: url``) of ``text`` that no link uses: the
    page drops it without a word."""
    if _DEFINITION.search(text) is None:
        return []
    with _LOCK:
        md = _converter(EXTENSIONS)
        md.convert(text)
        refs: _Watched = md.references  # type: ignore[assignment]
        unused = sorted(set(refs) - refs.asked)
    problems = []
    for ref in unused:
        line = next((body_line + i for i, row in enumerate(body.split("\n"))
                     if (m := _DEFINITION.match(row)) and m.group(1).strip().lower() == ref),
                    None)
        problems.append(Problem(path, line, "link", f"the link reference '[{ref}]: …' is used "
                                f"by no link, so the page does not show it: write [text][{ref}] "
                                "where it belongs, or delete it"))
    return problems


def shown(sections: tuple[Section, ...]) -> str:
    """The part of a digest its page shows as written: the sections' bodies."""
    return "\n\n".join(f"## {s.number}\n\n{s.body}" for s in sections)


def verdict(here: str, target: str, pages: PageMap) -> str | None:
    """Why MkDocs would refuse ``target`` on the page ``here``; ``None`` when it accepts it."""
    scheme, netloc, path, _query, anchor = urlsplit(target)
    if scheme or netloc or target.startswith(("/", "\\")) or AMP_SUBSTITUTE in target:
        return None
    if not path:
        if anchor and anchor not in pages.anchors(here):
            return f"this page has no anchor '#{anchor}'"
        return None
    uri = resolve(here, unquote(path))
    if uri not in pages.files:
        if not posixpath.splitext(unquote(path))[1]:
            return "links between pages name the page's file, not a folder"
        return "no page or file of the site is there"
    if anchor and anchor not in pages.anchors(uri):
        return f"the page has no anchor '#{anchor}'"
    return None


def resolve(here: str, path: str) -> str:
    """The site file a relative ``path`` on page ``here`` names (MkDocs' ``_target_uri``)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(here), path).lstrip("/"))


def suggestion(here: str, target: str, pages: PageMap) -> str | None:
    """The target that was probably meant, written relative to ``here``."""
    _, _, path, _, anchor = urlsplit(target)
    uri = resolve(here, unquote(path)) if path else here
    if uri not in pages.files:
        stem = posixpath.splitext(posixpath.basename(unquote(path).rstrip("/")))[0]
        by_stem = pages.by_stem(stem)
        folder = posixpath.dirname(uri)
        exact = [f for f in by_stem if posixpath.dirname(f) == folder] or by_stem
        if exact:
            uri = exact[0]
        else:
            close = difflib.get_close_matches(uri, sorted(pages.files), n=1, cutoff=0.8)
            if not close:
                return None
            uri = close[0]
    ids = sorted(pages.anchors(uri)) if anchor else []
    if anchor and anchor not in ids:
        near = difflib.get_close_matches(anchor, ids, n=1, cutoff=0.6)
        anchor = near[0] if near else ""
        if not anchor and uri == here:
            return None
    written = posixpath.relpath(uri, posixpath.dirname(here)) if uri != here else ""
    return written + (f"#{anchor}" if anchor else "") or None


def _known_anchors(here: str, target: str, pages: PageMap) -> str:
    """The anchors a link could use instead, for a message."""
    _, _, path, _, _ = urlsplit(target)
    uri = resolve(here, unquote(path)) if path else here
    ids = sorted(pages.anchors(uri)) if uri in pages.files else []
    shown = ", ".join(f"#{i}" for i in ids[:12]) + (", …" if len(ids) > 12 else "")
    return f"use one of its anchors ({shown})" if ids else "remove the anchor"


def _lines_of(body: str, first_line: int, targets: list[str]) -> Iterator[int | None]:
    """The line of each target, searched in order through the body."""
    lines = body.split("\n")
    at = 0
    for target in targets:
        hit = next((i for i in range(at, len(lines)) if target in lines[i]), None)
        if hit is None:
            hit = next((i for i in range(len(lines)) if target in lines[i]), None)
        if hit is not None:
            at = hit
        yield None if hit is None else first_line + hit


def may_link(body: str) -> bool:
    """Whether ``body`` may hold a link without a scheme (the only ones judged here)."""
    return _RELATIVE.search(body) is not None


def link_problems(path: str, here: str, text: str, body: str, body_line: int,
                  pages: PageMap) -> list[Problem]:
    """A problem for every link of ``text`` (what the page ``here`` shows of the file
    ``path``, whose body starts on ``body_line``) that the build would refuse."""
    if not may_link(text):
        return []
    bad = [(link, why) for link in links_of(text, pages.extensions)
           if (why := verdict(here, link.target, pages)) is not None]
    problems = []
    where = _lines_of(body, body_line, [link.target for link, _ in bad])
    for n, ((link, why), line) in enumerate(zip(bad, where, strict=True)):
        better = suggestion(here, link.target, pages) if n < MAX_SUGGESTIONS else None
        if better:
            fix = f"write [{link.text}]({better})"
        elif "anchor" in why:
            fix = _known_anchors(here, link.target, pages)
        else:
            fix = ("write [text](<arxiv-id>.md) for a digest, [text](../authors/<slug>.md) for "
                   "an author, [text](../tags/<slug>.md) for a tag")
        problems.append(Problem(path, line, "link", f"'{link.target}': {why} — {fix}"))
    return problems
