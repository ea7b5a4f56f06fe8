"""A persistent cache of MkDocs' Markdown-to-HTML conversion, one entry per page.

Python-Markdown is most of a build's time, and between two builds almost every page's
Markdown is the same. ``PageCache.wrap`` replaces a page's ``render`` with one that first
looks for an entry keyed by everything the conversion reads:

- the page's Markdown (after every ``on_page_markdown`` hook) and its source path;
- the Markdown extensions and their settings, ``use_directory_urls``, the ``validation``
  settings;
- the versions of Python and of every library that shapes a page (``fingerprint.py``) and a
  hash of paperdigest's own code (its math extension is part of the conversion).

Links are resolved against the site's files, so an entry also records every file lookup the
conversion made and what it found; a hit needs the same answers from this build's files
(a new digest changes only the pages that link to it, and serve and build share entries).

An entry holds what ``Page.render`` sets: the HTML, the table of contents, the title found
in the page, its anchors and the links it makes to other pages' anchors (MkDocs checks them
after all pages are rendered), and the HTML after the sanitiser (``clean_of``). Whether a
conversion warned is read from the conversion itself (every message MkDocs' page code
emits, whatever the logging level), and a warned conversion is never stored: ``--strict``
fails on every build, even after a ``-q`` one. Entries are authenticated
(``cachestore.py``): one that is foreign, damaged or edited is a miss and is rewritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import mkdocs.structure.pages as mkdocs_pages
from mkdocs.structure.toc import AnchorLink, TableOfContents

from ..content import parallel
from .cachestore import Store
from .fingerprint import code_fingerprint, stable
from .sanitize import clean_html

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

FORMAT = 4
"""Bumped when the shape of an entry changes: older entries are then simply not found."""
SUFFIX = ".page"


def config_fingerprint(config: MkDocsConfig) -> str:
    """What of ``mkdocs.yml`` the conversion of any page depends on."""
    settings = {
        "extensions": config.markdown_extensions, "configs": config.mdx_configs,
        "directory_urls": config.use_directory_urls,
        "validation": config.validation,
    }
    text = json.dumps(settings, sort_keys=True, default=stable)
    return hashlib.sha256((code_fingerprint() + text).encode()).hexdigest()


class _Said:
    """Stands in for MkDocs' page logger during a conversion: keeps every warning it is
    given, even one the logging level hides (``-q``), and passes all of them on."""

    def __init__(self, real: logging.Logger) -> None:
        self.real = real
        self.warnings: list[str] = []

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if level >= logging.WARNING:
            self.warnings.append(str(msg))
        self.real.log(level, msg, *args, **kwargs)

    def warning(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.log(logging.WARNING, msg, *args, **kwargs)

    def error(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.log(logging.ERROR, msg, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class WarningCount(logging.Handler):
    """Counts the warnings logged to it (an extension's, a theme's), at enabled levels."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextmanager
def _recording_warnings() -> Iterator[Callable[[], int]]:
    said = _Said(mkdocs_pages.log)
    handler = WarningCount()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    mkdocs_pages.log = cast(logging.Logger, said)
    try:
        yield lambda: len(said.warnings) + handler.count
    finally:
        mkdocs_pages.log = said.real
        logger.removeHandler(handler)


class _Lookups:
    """The site's files as a conversion sees them, noting every lookup and its answer."""

    def __init__(self, files: Files) -> None:
        self.files = files
        self.seen: dict[str, list[Any] | None] = {}

    def get_file_from_path(self, path: str) -> File | None:
        found = self.files.get_file_from_path(path)
        self.seen[path] = _answer(found)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.files, name)


def _answer(found: File | None) -> list[Any] | None:
    return None if found is None else [found.url, found.inclusion.is_excluded()]  # type: ignore[no-untyped-call]


def _same_lookups(entry: dict[str, Any], files: Files,
                  answers: dict[str, list[Any] | None]) -> bool:
    """Whether ``files`` answers every lookup the entry's conversion made the same way
    (``answers``: this build's answers so far; pages link to the same few targets)."""
    deps = entry["deps"]
    if not isinstance(deps, dict):
        return False
    for path, answer in deps.items():
        path = str(path)
        if path not in answers:
            answers[path] = _answer(files.get_file_from_path(path))
        if answers[path] != answer:
            return False
    return True


def _convert(page: Page, config: MkDocsConfig, files: Files,
             render: Callable[[MkDocsConfig, Files], None]) -> tuple[bool, dict[str, Any]]:
    """Run the real conversion; whether it warned, and the file lookups it made."""
    lookups = _Lookups(files)
    with _recording_warnings() as warned:
        render(config, cast("Files", lookups))
        count = warned()
    return count > 0, lookups.seen


def _toc_data(items: list[AnchorLink]) -> list[dict[str, Any]]:
    return [{"title": i.title, "id": i.id, "level": i.level,
             "active": bool(getattr(i, "active", False)), "children": _toc_data(i.children)}
            for i in items]


def _toc_items(data: list[dict[str, Any]]) -> list[AnchorLink]:
    items = []
    for d in data:
        link = AnchorLink(str(d["title"]), str(d["id"]), int(d["level"]))
        if d.get("active"):
            link.active = True  # type: ignore[attr-defined]  # as MkDocs' get_toc marks it
        link.children = _toc_items(d["children"])
        items.append(link)
    return items


def remember_clean(page: Page, content: str, clean: str) -> None:
    """Keep the sanitised form of ``content`` on the page (``clean_of`` uses it)."""
    page._paperdigest_clean = (content, clean)  # type: ignore[attr-defined]


def clean_of(page: Page, html: str) -> str:
    """``clean_html(html)``, reused from the cache when ``html`` is what was stored.

    Sanitising is a tenth of a warm build; the entry keeps its result beside the HTML. Any
    other HTML (a plugin changed it since the conversion) is cleaned afresh.
    """
    kept = getattr(page, "_paperdigest_clean", None)
    if kept is not None:
        # Dropped once used: holding both forms of every page doubles a build's memory.
        del page._paperdigest_clean  # type: ignore[attr-defined]
        if kept[0] == html:
            return str(kept[1])
    return clean_html(html)


def snapshot(page: Page) -> dict[str, Any]:
    """What ``Page.render`` set on ``page``, as JSON-ready data."""
    links = page.links_to_anchors
    clean = clean_html(page.content or "")
    return {
        "format": FORMAT,
        "content": page.content,
        "clean": None if clean == page.content else clean,  # most pages: nothing removed
        "toc": _toc_data(list(page.toc)),
        "title": page._title_from_render,
        "anchors": sorted(page.present_anchor_ids or ()),
        "links": None if links is None else
        {f.src_uri: dict(sorted(v.items())) for f, v in links.items()},
    }


def restore(page: Page, entry: dict[str, Any], files: Files) -> None:
    """Set on ``page`` what ``Page.render`` would have set."""
    page.content = str(entry["content"])
    clean = entry["clean"]
    remember_clean(page, page.content, page.content if clean is None else str(clean))
    page.toc = TableOfContents(_toc_items(entry["toc"]))
    title = entry["title"]
    page._title_from_render = None if title is None else str(title)
    page.present_anchor_ids = {str(a) for a in entry["anchors"]}
    links = entry["links"]
    if links is not None:
        resolved = {}
        for src_uri, anchors in links.items():
            target = files.get_file_from_path(src_uri)
            if target is not None:
                resolved[target] = {str(k): str(v) for k, v in anchors.items()}
        page.links_to_anchors = resolved


class PageCache:
    """One build's view of the conversion cache, with counts of what it reused."""

    def __init__(self, store: Store, config: MkDocsConfig, index: Store | None = None,
                 memo: dict[str, Any] | None = None) -> None:
        self.store = store
        self.memo = memo
        """Entries already read, by key (a preview keeps them between saves)."""
        self.index = index
        """Which key each page's source had last time: the prefill reads no source."""
        self.config_key = config_fingerprint(config)
        self.index_key = hashlib.sha256(f"index\x00{self.config_key}".encode()).hexdigest()
        self.sources: dict[str, str] = {}
        """This build's key of each page, by a hash of its source file (``source_key``)."""
        self.hits = 0
        self.misses = 0
        self.used: set[str] = set()
        self.answers: dict[str, list[Any] | None] = {}
        """This build's file lookups, by path (one ``PageCache`` per build)."""

    def key(self, page: Page) -> str:
        parts = (FORMAT, self.config_key, page.file.src_uri, page.markdown or "")
        return hashlib.sha256("\x00".join(map(str, parts)).encode()).hexdigest()

    def load(self, key: str) -> dict[str, Any] | None:
        if self.memo is not None and key in self.memo:
            found: dict[str, Any] = self.memo[key]
            return found
        body = self.store.load(key)
        if body is None:
            return None
        try:
            entry = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if not (isinstance(entry, dict) and entry.get("format") == FORMAT):
            return None
        if self.memo is not None:
            self.memo[key] = entry
        return entry

    def forget_unused(self) -> None:
        """Keep in memory only the entries this build used."""
        if self.memo is not None:
            for key in set(self.memo) - self.used:
                del self.memo[key]

    def save(self, key: str, entry: dict[str, Any]) -> None:
        self.store.store(key, json.dumps(entry, ensure_ascii=False).encode())

    def hit(self, page: Page, key: str, files: Files) -> bool:
        """Set on ``page`` the stored conversion for ``key``, if there is a valid one."""
        entry = self.load(key)
        if entry is None:
            return False
        try:
            if not _same_lookups(entry, files, self.answers):
                return False
            restore(page, entry, files)
        except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
            return False  # a foreign or damaged entry: convert again and overwrite it
        return True

    def convert(self, page: Page, key: str, config: MkDocsConfig, files: Files,
                render: Callable[[MkDocsConfig, Files], None]) -> bool:
        """Convert ``page`` and store it unless the conversion warned; whether it stored."""
        warned, deps = _convert(page, config, files, render)
        if warned:
            return False
        entry = snapshot(page)
        entry["deps"] = deps
        clean = entry["clean"]
        remember_clean(page, entry["content"], entry["content"] if clean is None else clean)
        self.save(key, entry)
        return True

    def wrap(self, page: Page, files: Files) -> None:
        """Make ``page.render`` reuse a stored conversion, or store the one it does."""
        original: Callable[[MkDocsConfig, Files], None] = page.render

        def render(config: MkDocsConfig, files: Files) -> None:
            key = self.key(page)
            self.used.add(key)
            if self.index is not None:
                self.sources[self.source_key(page)] = key
            if self.hit(page, key, files):
                self.hits += 1
                return
            self.misses += 1
            self.convert(page, key, config, files, original)

        page.render = render  # type: ignore[method-assign]

    def prefill(self, config: MkDocsConfig, files: Files, own: object) -> int:
        """Convert the pages missing from the cache on every core, before MkDocs asks.

        MkDocs renders pages one after another; forked workers (Linux) read and convert
        the pages the cache lacks and store them, so MkDocs then finds every one. A page is
        converted from its source exactly as MkDocs would; only when another plugin (not
        ``own``) changes pages before they are converted (a ``pre_page``,
        ``page_read_source`` or ``page_markdown`` hook) would that differ, so then nothing
        is prefilled. Returns how many pages the workers stored.
        """
        jobs = parallel.workers()
        pages = [f.page for f in files.documentation_pages() if f.page is not None]
        if (jobs < 2 or len(pages) < MIN_PREFILL or not self.store.writable
                or foreign_hooks(config, own, ("pre_page", "page_read_source", "page_markdown"))
                or not sys.platform.startswith("linux")):
            return 0
        # Pages whose source had a stored conversion last time need no worker: a warm
        # build starts none, a build with a few changed pages converts them in MkDocs' loop.
        known = self.known_sources()
        pages = [p for p in pages
                 if not ((key := known.get(self.source_key(p))) and self.store.path(key).is_file())]
        if len(pages) < MIN_PREFILL:
            return 0
        global _JOB
        _JOB = (self, pages, files, config)
        chunks = [list(range(i, len(pages), jobs * 4)) for i in range(jobs * 4)]
        try:  # no processes to be had: MkDocs converts them
            return sum(parallel.on_workers(_prefill_chunk, chunks) or [])
        finally:
            _JOB = None


    def source_key(self, page: Page) -> str:
        """A hash of the page's source file as MkDocs reads it (front matter included)."""
        try:
            raw = page.file.content_bytes
        except OSError:
            raw = b""
        return hashlib.sha256(self.config_key.encode() + b"\x00" + page.file.src_uri.encode()
                              + b"\x00" + raw).hexdigest()

    def known_sources(self) -> dict[str, str]:
        body = self.index.load(self.index_key) if self.index is not None else None
        try:
            found = json.loads(body) if body is not None else {}
        except (ValueError, RecursionError):
            return {}
        return ({str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {})

    def save_sources(self) -> None:
        if self.index is not None:
            self.index.store(self.index_key, json.dumps(self.sources, sort_keys=True).encode())


def foreign_hooks(config: MkDocsConfig, own: object, events: tuple[str, ...]) -> bool:
    """Whether a plugin other than ``own`` hooks any of ``events``."""
    return any(getattr(method, "__self__", None) is not own
               for event in events for method in config.plugins.events[event])


MIN_PREFILL = 200
"""Below this many pages, starting workers costs more than converting in one process."""

_JOB: tuple[PageCache, list[Page], Files, MkDocsConfig] | None = None
"""What forked workers share with the parent (set just before the pool starts)."""


def _prefill_chunk(indices: list[int]) -> int:
    """In a worker: convert and store the pages at ``indices`` the cache does not hold."""
    assert _JOB is not None
    cache, pages, files, config = _JOB
    logger = logging.getLogger("mkdocs")
    logger.handlers = []  # the parent reports; a warned page is converted there again
    logger.propagate = False
    stored = 0
    for i in indices:
        page = pages[i]
        page.read_source(config)
        key = cache.key(page)
        if cache.store.path(key).is_file():
            continue  # MkDocs' own pass checks it and converts it again if it is damaged
        if cache.convert(page, key, config, files, page.render):
            stored += 1
    return stored
