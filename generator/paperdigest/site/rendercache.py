"""A persistent cache of MkDocs' Markdown-to-HTML conversion, one entry per page.

Python-Markdown is most of a build's time, and between two builds almost every page's
Markdown is the same. ``PageCache.wrap`` replaces a page's ``render`` with one that first
looks for an entry keyed by everything the conversion reads:

- the page's Markdown (after every ``on_page_markdown`` hook) and its source path;
- the set of files in the site (links are resolved against it) and ``use_directory_urls``;
- the Markdown extensions and their settings, the ``validation`` settings;
- the versions of Python, Markdown, pymdown-extensions, Pygments and MkDocs, and a hash of
  paperdigest's own code (its math extension is part of the conversion).

An entry holds what ``Page.render`` sets: the HTML, the table of contents, the title found
in the page, its anchors and the links it makes to other pages' anchors (MkDocs checks them
after all pages are rendered), and the HTML after the sanitiser (``clean_of``). A
conversion that logged a warning (a broken link) is never stored, so ``--strict`` fails on
every build, not only the first. The folder is safe to delete and never a source of truth:
an entry that cannot be read or has the wrong shape is ignored and rewritten; a folder that
cannot be written only costs the speed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.structure.toc import AnchorLink, TableOfContents

from ..content import parallel
from .sanitize import clean_html

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

FORMAT = 2
"""Bumped when the shape of an entry changes: older entries are then simply not found."""
_PACKAGES = ("markdown", "pymdown-extensions", "pygments", "mkdocs")
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Versions of the converting libraries and a hash of paperdigest's own code."""
    digest = hashlib.sha256(platform.python_version().encode())
    for name in _PACKAGES:
        try:
            digest.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-\n".encode())
    for path in sorted(_PACKAGE_DIR.rglob("*")):
        if path.suffix in (".py", ".js") and path.is_file():
            digest.update(path.relative_to(_PACKAGE_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _stable(value: object) -> str:
    """A name for settings JSON cannot write (slugify functions, extension objects)."""
    kind = value if callable(value) and hasattr(value, "__qualname__") else type(value)
    return f"{getattr(kind, '__module__', '')}.{getattr(kind, '__qualname__', repr(kind))}"


def config_fingerprint(config: MkDocsConfig) -> str:
    """What of ``mkdocs.yml`` the conversion of any page depends on."""
    settings = {
        "extensions": config.markdown_extensions, "configs": config.mdx_configs,
        "directory_urls": config.use_directory_urls,
        "validation": config.validation,
    }
    text = json.dumps(settings, sort_keys=True, default=_stable)
    return hashlib.sha256((_code_fingerprint() + text).encode()).hexdigest()


def files_fingerprint(files: Files) -> str:
    """The site's file list: a link's HTML depends on whether its target exists."""
    listing = "\n".join(sorted(f.src_uri for f in files))
    return hashlib.sha256(listing.encode()).hexdigest()


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextmanager
def _counting_warnings() -> Iterator[_Warnings]:
    handler = _Warnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


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
    if kept is not None and kept[0] == html:
        return str(kept[1])
    return clean_html(html)


def snapshot(page: Page) -> dict[str, Any]:
    """What ``Page.render`` set on ``page``, as JSON-ready data."""
    links = page.links_to_anchors
    return {
        "format": FORMAT,
        "content": page.content,
        "clean": clean_html(page.content or ""),
        "toc": _toc_data(list(page.toc)),
        "title": page._title_from_render,
        "anchors": sorted(page.present_anchor_ids or ()),
        "links": None if links is None else
        {f.src_uri: dict(sorted(v.items())) for f, v in links.items()},
    }


def restore(page: Page, entry: dict[str, Any], files: Files) -> None:
    """Set on ``page`` what ``Page.render`` would have set."""
    page.content = str(entry["content"])
    remember_clean(page, page.content, str(entry["clean"]))
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
    """One build's view of the cache folder, with counts of what it reused."""

    def __init__(self, folder: Path, config: MkDocsConfig) -> None:
        self.folder = folder / "pages"
        self.config_key = config_fingerprint(config)
        self.hits = 0
        self.misses = 0
        self.used: set[str] = set()
        self.writable = True
        self._files: tuple[int, str] | None = None

    def _files_key(self, files: Files) -> str:
        # The same Files object serves every page of a build: hash its listing once.
        if self._files is None or self._files[0] != id(files):
            self._files = (id(files), files_fingerprint(files))
        return self._files[1]

    def key(self, page: Page, files: Files) -> str:
        parts = (self.config_key, self._files_key(files), page.file.src_uri, page.markdown or "")
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def load(self, key: str) -> dict[str, Any] | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) and entry.get("format") == FORMAT else None

    def store(self, key: str, entry: dict[str, Any]) -> None:
        if not self.writable:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(entry, fh, ensure_ascii=False)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            self.writable = False  # a read-only or full disk: build on without the cache

    def wrap(self, page: Page, files: Files) -> None:
        """Make ``page.render`` reuse a stored conversion, or store the one it does."""
        original: Callable[[MkDocsConfig, Files], None] = page.render

        def render(config: MkDocsConfig, files: Files) -> None:
            key = self.key(page, files)
            self.used.add(key)
            entry = self.load(key)
            if entry is not None:
                try:
                    restore(page, entry, files)
                except (KeyError, TypeError, ValueError, AttributeError):
                    pass  # a foreign or damaged entry: convert again and overwrite it
                else:
                    self.hits += 1
                    return
            self.misses += 1
            with _counting_warnings() as warned:
                original(config, files)
            if warned.count == 0:
                entry = snapshot(page)
                remember_clean(page, entry["content"], entry["clean"])
                self.store(key, entry)

        page.render = render  # type: ignore[method-assign]

    def prefill(self, config: MkDocsConfig, files: Files, own_hooks: set[str]) -> int:
        """Convert the pages missing from the cache on every core, before MkDocs asks.

        MkDocs renders pages one after another; forked workers (Linux) read and convert
        the pages the cache lacks and store them, so MkDocs then finds every one. A page is
        converted from its source exactly as MkDocs would; only when another plugin changes
        pages before they are converted (a ``pre_page``, ``page_read_source`` or
        ``page_markdown`` hook) would that differ, so then nothing is prefilled. Returns how
        many pages the workers stored.
        """
        jobs = parallel.workers()
        foreign = [m for event in ("pre_page", "page_read_source", "page_markdown")
                   for m in config.plugins.events[event]
                   if getattr(m, "__name__", "") not in own_hooks]
        pages = [f.page for f in files.documentation_pages() if f.page is not None]
        if (jobs < 2 or len(pages) < MIN_PREFILL or foreign or not self.writable
                or not sys.platform.startswith("linux")):
            return 0
        global _JOB
        _JOB = (self, pages, files, config)
        chunks = [list(range(i, len(pages), jobs * 4)) for i in range(jobs * 4)]
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                return sum(pool.map(_prefill_chunk, chunks))
        except (OSError, RuntimeError):  # no processes to be had: MkDocs converts them
            return 0
        finally:
            _JOB = None

    def prune(self) -> int:
        """Delete the entries this build did not use; how many were deleted."""
        removed = 0
        if not self.writable or not self.folder.is_dir():
            return removed
        for path in self.folder.glob("*/*.json"):
            if path.stem not in self.used:
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
        return removed


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
        key = cache.key(page, files)
        if cache._path(key).is_file():
            continue
        with _counting_warnings() as warned:
            page.render(config, files)
        if warned.count == 0:
            cache.store(key, snapshot(page))
            stored += 1
    return stored
