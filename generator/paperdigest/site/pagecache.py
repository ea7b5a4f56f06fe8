"""Whole pages and gate verdicts from the cache: a page whose inputs did not change is not
themed again, and HTML the gate passed before is not scanned again.

A page's final HTML is a function of its inputs, so ``WholePages`` stores it under a key of
all of them: the body after every content hook, title, table of contents, front matter, URL,
edit link, previous/next and parent links, a hash of the navigation, every setting of
``mkdocs.yml``, the theme's files that are not an installed package (``custom_dir``, the
overrides, the page templates and assets), and the versions of every library
(``fingerprint.py``). Before MkDocs renders the pages (``on_env``), a page with an entry
gets a trivial template, and ``on_post_page`` returns the stored HTML in its place, so a hit
skips the theme and writes the same bytes as a miss. An entry that turns out unreadable or
edited by then is rendered through the real template after all.

Only when no other plugin hooks the page events between conversion and output: its changes
would not be in the key.
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from ..content import parallel
from . import gate
from .cachestore import Store, read_regular
from .fingerprint import code_fingerprint, config_fingerprint, theme_fingerprint, to_json
from .rendercache import WarningCount, _toc_data, foreign_hooks

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

HIT_TEMPLATE = "paperdigest-cached-page.html"
"""The template a hit is given: renders nothing, ``on_post_page`` supplies the page."""
FORMAT = "1"
_EVENTS = ("pre_page", "page_read_source", "page_markdown", "page_content", "page_context",
           "post_page", "env", "nav")


def _digest(*parts: object) -> str:
    text = "\x00".join(p if isinstance(p, str) else to_json(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _nav_data(items: Iterable[Any]) -> list[Any]:
    return [[type(i).__name__, i.title, getattr(i, "url", None),
             _nav_data(getattr(i, "children", None) or ())] for i in items]


def _link(page: Any) -> list[Any] | None:
    return None if page is None else [type(page).__name__, page.title, getattr(page, "url", None)]


class WholePages:
    """One build's whole-page cache."""

    def __init__(self, store: Store, config: MkDocsConfig, templates_dir: Path) -> None:
        self.store = store
        self.base = _digest(FORMAT, config_fingerprint(config),
                            theme_fingerprint(list(config.theme.dirs), [templates_dir]))
        self.keys: dict[str, str] = {}
        """Key of every page of this build, by source URI."""
        self.hits: dict[str, str | None] = {}
        """The ``template`` each hit's front matter set (``None``: none), by source URI."""
        self.contexts: dict[str, Any] = {}
        self.themed = 0
        self.early: set[str] = set()
        """Pages ``theme_rest`` themed (counted as themed, not reused)."""
        self.reused = 0

    def key(self, page: Page, nav_key: str) -> str:
        return _digest(
            self.base, nav_key, page.file.src_uri, page.url, page.canonical_url, page.abs_url,
            page.edit_url, page.title, page.is_homepage,
            page.file.inclusion.is_excluded(),  # type: ignore[no-untyped-call]
            page.update_date, page.meta, _toc_data(list(page.toc)),
            hashlib.sha256((page.content or "").encode("utf-8", "surrogatepass")).hexdigest(),
            _link(page.previous_page), _link(page.next_page),
            [_link(a) for a in page.ancestors])

    def plan(self, env: jinja2.Environment, files: Files, nav: Navigation) -> jinja2.Environment:
        """Key every page; give those with an entry the trivial template."""
        nav_key = _digest(_nav_data(nav.items))
        for file in files.documentation_pages():
            page = file.page
            if page is None or page.content is None:
                continue
            key = self.key(page, nav_key)
            self.keys[file.src_uri] = key
            if self.store.path(key).is_file():
                self.hits[file.src_uri] = page.meta.get("template")
                page.meta["template"] = HIT_TEMPLATE
        loader = jinja2.ChoiceLoader([jinja2.DictLoader({HIT_TEMPLATE: ""}),
                                      env.loader or jinja2.DictLoader({})])
        env.loader = loader
        return env

    def render_misses(self, env: jinja2.Environment, config: MkDocsConfig, files: Files,
                      nav: Navigation) -> int:
        """Theme the pages without an entry on every core and store them, so MkDocs' own
        loop (one page after another) finds every one; how many were stored.

        Workers are forked (Linux) after every page is converted and the nav exists, and
        do exactly what MkDocs' ``_build_page`` does up to ``on_post_page``.
        """
        pages = [f.page for f in files.documentation_pages()
                 if f.page is not None and f.src_uri in self.keys and f.src_uri not in self.hits]
        jobs = parallel.workers()
        if jobs < 2 or len(pages) < MIN_PARALLEL or not sys.platform.startswith("linux"):
            return 0
        global _JOB
        _JOB = (self, pages, env, config, files, nav)
        chunks = [list(range(i, len(pages), jobs * 4)) for i in range(jobs * 4)]
        try:
            done = parallel.on_workers(_render_chunk, chunks)
        finally:
            _JOB = None
        if done is None:  # no processes to be had: MkDocs themes them
            return 0
        stored = sum(done)
        for page in pages:  # now hits, unless a worker could not store one
            key = self.keys[page.file.src_uri]
            if self.store.path(key).is_file():
                self.hits[page.file.src_uri] = page.meta.get("template")
                page.meta["template"] = HIT_TEMPLATE
        return stored

    def theme_rest(self, env: jinja2.Environment, config: MkDocsConfig, files: Files,
                   nav: Navigation) -> bool:
        """Theme here, before MkDocs' loop, the pages still without an entry (a few, after
        ``render_misses``), so that every page's final HTML is known from now on (search
        indexes it while MkDocs writes the site). Whether every page has an entry."""
        logger = logging.getLogger("mkdocs")
        warned = WarningCount()
        saved = logger.handlers, logger.propagate, logger.level
        # A page that warns is not stored: MkDocs themes it again in its loop and reports it.
        logger.handlers, logger.propagate = [warned], False
        logger.setLevel(logging.WARNING)
        complete = True
        try:
            for file in files.documentation_pages():
                page = file.page
                if page is None or file.src_uri not in self.keys:
                    complete = False
                elif file.src_uri not in self.hits:
                    if _theme(self, page, env, config, files, nav, warned):
                        self.hits[file.src_uri] = page.meta.get("template")
                        page.meta["template"] = HIT_TEMPLATE
                        self.early.add(file.src_uri)
                    else:
                        complete = False
        finally:
            logger.handlers, logger.propagate = saved[0], saved[1]
            logger.setLevel(saved[2])
        return complete

    def stored(self, src_uri: str) -> bytes | None:
        """The final HTML stored for a page of this build."""
        key = self.keys.get(src_uri)
        return self.store.load(key) if key is not None else None

    def context(self, context: Any, page: Page) -> Any:
        if page.file.src_uri in self.hits:
            self.contexts[page.file.src_uri] = context
        return context

    def post_page(self, output: str, page: Page, env: jinja2.Environment | None) -> str:
        """The stored HTML of a hit; a miss's HTML, stored."""
        uri = page.file.src_uri
        key = self.keys.get(uri)
        if key is None:
            return output
        if uri in self.hits:
            template = self.hits.pop(uri)
            # The front matter as it was: templates read it.
            if template is None:
                del page.meta["template"]
            else:
                page.meta["template"] = template
            context = self.contexts.pop(uri, None)
            body = self.store.load(key)
            if body is not None:
                if uri in self.early:  # themed by this build, before MkDocs' loop
                    self.themed += 1
                else:
                    self.reused += 1
                return body.decode("utf-8", "surrogatepass")
            # Edited or removed since plan(): theme it after all, as MkDocs would have.
            if env is None or context is None:
                raise RuntimeError(f"page cache: {uri} lost its entry and cannot be themed")
            output = env.get_template(template or "main.html").render(context)
        self.themed += 1
        self.store.store(key, output.encode("utf-8", "surrogatepass"))
        return output


MIN_PARALLEL = 200
"""Below this many pages to theme, starting workers costs more than it saves."""

_JOB: tuple[WholePages, list[Page], jinja2.Environment, MkDocsConfig, Files, Navigation
            ] | None = None
"""What forked workers share with the parent (set just before the pool starts)."""


def _render_chunk(indices: list[int]) -> int:
    """In a worker: theme the pages at ``indices`` as MkDocs' ``_build_page`` does."""
    assert _JOB is not None
    cache, pages, env, config, files, nav = _JOB
    logger = logging.getLogger("mkdocs")
    # A page whose theming warns is not stored: MkDocs themes it again and reports it.
    warned = WarningCount()
    logger.handlers = [warned]
    logger.propagate = False
    logger.setLevel(logging.WARNING)  # counted even under -q; nothing is printed here
    return sum(_theme(cache, pages[i], env, config, files, nav, warned) for i in indices)


def _theme(cache: WholePages, page: Page, env: jinja2.Environment, config: MkDocsConfig,
           files: Files, nav: Navigation, warned: WarningCount) -> bool:
    """Theme ``page`` as MkDocs' ``_build_page`` does up to ``on_post_page`` and store it
    unless that warned or failed; whether it was stored."""
    from mkdocs.commands.build import get_context

    config._current_page = page
    page.active = True
    try:
        context = get_context(nav, files.documentation_pages(), config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
        before = warned.count
        output = template.render(context)
        if warned.count == before:
            cache.store.store(cache.keys[page.file.src_uri],
                              output.encode("utf-8", "surrogatepass"))
            return True
    except Exception:  # MkDocs themes this page again and reports the error
        cache.store.path(cache.keys[page.file.src_uri]).unlink(missing_ok=True)
    finally:
        page.active = False
        config._current_page = None
    return False


def can_cache_pages(config: MkDocsConfig, own: object) -> bool:
    """Whether only ``own`` touches pages between conversion and output."""
    return not foreign_hooks(config, own, _EVENTS)


# --- the gate ---------------------------------------------------------------------------------
def gate_key(config: MkDocsConfig) -> str:
    """What the gate's verdicts depend on besides a page: its code, the theme, the site."""
    return _digest("gate", code_fingerprint(), theme_fingerprint(list(config.theme.dirs), []),
                   list(config.theme.dirs),
                   [str(s) for s in config.extra_javascript], config.site_url or "/",
                   sorted(config.theme.static_templates))


SEARCH_BODY = b"data-pagefind-body"
"""What marks a page search indexes (``main.html`` writes it for ``pd_search`` pages)."""


def scan_site(site_dir: Path, policy: gate.ScriptPolicy, verdicts: Store | None,
              key: str, marked: set[str]) -> tuple[list[gate.Finding], dict[str, str]]:
    """``gate.scan_site`` that skips documents whose exact bytes it passed before.

    Returns the findings and the SHA-256 of every document, by site-relative path;
    ``marked`` is set to the documents search indexes (``SEARCH_BODY``).
    """
    passed: set[str] = set()
    body = verdicts.load(key) if verdicts is not None else None
    if body is not None:
        passed = set(body.decode("ascii", "replace").split())
    findings: list[gate.Finding] = []
    hashes: dict[str, str] = {}
    clean: list[str] = []
    marked.clear()
    for path in gate.documents(site_dir):
        page = path.relative_to(site_dir).as_posix()
        data = read_regular(path, 1 << 40)
        if data is None:  # not a regular file: scanned as the gate reads it, never cached
            findings.extend(gate.scan_page(path.read_text(encoding="utf-8", errors="replace"),
                                           page, policy))
            continue
        hashes[page] = hashlib.sha256(data).hexdigest()
        if SEARCH_BODY in data:
            marked.add(page)
        verdict = _digest(page, hashes[page])
        if verdict in passed:
            clean.append(verdict)
            continue
        # As Path.read_text reads it: universal newlines.
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        found = gate.scan_page(text, page, policy)
        findings.extend(found)
        if not found:
            clean.append(verdict)
    if verdicts is not None and not findings:
        verdicts.store(key, "\n".join(sorted(clean)).encode("ascii"))
    return findings, hashes
