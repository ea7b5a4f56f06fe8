"""The MkDocs plugin: thin hooks over ``loader`` and ``render``.

``on_config`` loads and validates ``content/`` (so a content error, a digest's broken link
included, stops the build before any page is read and is reported on the digest's line),
``on_files`` adds the rendered pages as virtual files, ``on_serve`` makes ``mkdocs serve``
rebuild when a digest, record or template changes.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from ..content.loader import LoadCache
from ..content.model import Site
from ..errors import ContentErrors, PaperdigestError, Problem
from ..project import Project
from . import (
    builderrors,
    cachestore,
    earlyindex,
    errorpage,
    frontcache,
    gate,
    navtree,
    pagecache,
    paths,
    rendercache,
    search,
)
from .fingerprint import code_fingerprint
from .outputs import FileData, LazyFile, project_content, site_outputs
from .pagecache import WholePages
from .render import TEMPLATES_DIR
from .rendercache import PageCache
from .settings import PluginConfig, project_of
from .staging import Staged

if TYPE_CHECKING:
    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

log = get_plugin_logger(__name__)

MATH_EXTENSION = "paperdigest.site.math"
"""The Python-Markdown extension for LaTeX math, added to every site's Markdown settings."""
NEEDED_EXTENSIONS = ("attr_list", "md_in_html", "tables", MATH_EXTENSION)
"""What the generated pages are written in (cards are ``<article markdown>`` with
``{ .class }`` links, the category index is a table): added when a site lacks them, so
digests join any MkDocs site as they are."""


class PaperdigestPlugin(BasePlugin[PluginConfig]):  # type: ignore[no-untyped-call]
    """Generates paper, author and tag pages from ``content/``."""

    def __init__(self) -> None:
        self.site: Site | None = None
        self.pages: dict[str, str] = {}
        self.files: dict[str, FileData] = {}
        """Feeds and ``papers.json``: generated files that are not pages."""
        self.project: Project | None = None
        self.cache = LoadCache()
        self.page_cache: PageCache | None = None
        self.caches: cachestore.Folder | None = None
        self.whole: WholePages | None = None
        self.nav: Navigation | None = None
        self.env: jinja2.Environment | None = None
        self.indexing: search.Indexing | None = None
        self.shelf: cachestore.Shelved | None = None
        self.front: frontcache.FrontMatter | None = None
        self.early: earlyindex.EarlyIndex | None = None
        self.early_key: str | None = None
        """Search indexing the pages while MkDocs writes them (``earlyindex.py``)."""
        self.outputs_used: set[str] = set()
        self.memo: dict[str, Any] = {}
        """Under serve: conversions read from the cache, kept in memory between saves."""
        self.loaded: set[str] = set()
        """The cache keys of the files this build checked (or took from the cache)."""
        self.rendered: dict[str, str] = {}
        """Under serve: paper pages the generator rendered or read, kept between saves."""
        """Under serve: Pagefind indexing the last build, after it was served."""
        self.command = "build"
        self.site_dir: Path | None = None
        self.dirty = False
        self.staged: Staged | None = None
        """The folder a build writes into until it passed (not under serve or --dirty)."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defining this hook keeps the plugin, and so its cache, across serve rebuilds."""
        self.command = command
        self.dirty = dirty

    @property
    def root(self) -> Path:
        return self.project.root if self.project else Path.cwd()

    def _templates(self) -> Path:
        return self.project.templates_dir if self.project else TEMPLATES_DIR

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            project = project_of(config, self.config)
        except PaperdigestError as exc:
            raise PluginError(str(exc)) from exc
        if self.command == "serve" and project.cards:
            # Cards show only where the published site is shared: a preview draws and
            # writes none (1,400 PNGs a save at 1,000 papers); `build` does.
            project = replace(project, cards=False)
        self.project = project
        self.site_dir = Path(config.site_dir)
        _add_overrides(config, project.templates_dir / "overrides")
        for extension in NEEDED_EXTENSIONS:  # LaTeX in digests -> MathML, and the cards
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        if not config.site_url:
            raise PluginError("paperdigest: set site_url in mkdocs.yml; share links and feeds "
                              "need the absolute address of the site")
        self._open_caches(config, project)
        outputs = self.caches.store("outputs", ".out") if self.caches is not None else None
        site, problems = project_content(  # its link check renders the site: from the cache
            project, self.cache, outputs if self.command != "serve" else None, self.outputs_used)
        self.loaded = self.cache.shelved()
        if self.command != "serve":  # only a preview checks again; a build frees them
            self.cache = LoadCache()
        for problem in problems:
            if not problem.is_error:
                # Logged as information: a warning here (LaTeX KaTeX cannot lay out) must not
                # fail a --strict build; `paperdigest check` shows it as a warning.
                log.info(str(problem))
        if site is None:
            if self.command == "serve":
                return self._show_problems(config, problems)
            raise PluginError(str(ContentErrors(problems)))
        # Absolute URLs (feeds, share links, cards) start at the root: folder.
        base = paths.base_url(project.site_url, project.mount)
        # The card of pages without their own (overrides/main.html reads it).
        config.extra["pd_site_card"] = (paths.absolute_file(base, paths.SITE_CARD)
                                        if project.cards else "")
        try:
            made = site_outputs(site, project, site_url=base, store=outputs,
                                used=self.outputs_used,
                                keep_whole=self.command != "serve",
                                memo=self.rendered if self.command == "serve" else None)
        except PaperdigestError as exc:
            if self.command == "serve":
                return self._show_problems(config, [Problem("site_templates", None, None,
                                                            str(exc))])
            raise PluginError(str(exc)) from exc
        self.pages, self.files = made.pages, made.files
        if made.cards is not None:
            if made.cards.refused:
                log.warning(f"share card cache off: {made.cards.refused}")
            log.info(f"share cards: {made.cards.drawn} drawn, {made.cards.hits} from the cache")
        if not any(paper.score is not None for paper in site.papers):
            # No ranking tab with nothing ranked.
            config.nav = navtree.without(config.nav, paths.RANKING)
        self.site = site
        if self.command != "serve" and not self.dirty:
            # Written beside site_dir; on_post_build swaps it in once the gate passed.
            try:
                self.staged = Staged(Path(config.site_dir), strict=bool(config.strict))
            except PaperdigestError as exc:
                raise PluginError(str(exc)) from exc
            config.site_dir = str(self.staged.folder)
        return config

    def _open_caches(self, config: MkDocsConfig, project: Project) -> None:
        self.page_cache = self.caches = self.whole = self.shelf = self.front = None
        self.outputs_used = set()
        self.cache.shelve(None, "")
        if project.cache_dir is None:
            return
        try:
            self.caches = cachestore.open_folder(project.cache_dir, project.root)
        except cachestore.UnsafeCacheFolder as exc:
            log.warning(f"render cache off: {exc}")
            return
        except cachestore.NoCacheKey as exc:
            log.info(f"render cache off: {exc}")
            return
        self.page_cache = PageCache(self.caches.store("pages", rendercache.SUFFIX), config,
                                    self.caches.store("sources", ".index"),
                                    self.memo if self.command == "serve" else None)
        if not frontcache.reads_sources_itself(config, self):
            self.front = frontcache.FrontMatter(self.caches.store("sources", ".index"))
        # Digests, records and works checked by an earlier build are not checked again.
        self.shelf = cachestore.Shelved(self.caches.store("loads", ".load"))
        self.cache.shelve(self.shelf, f"{code_fingerprint()}\x00{project.root}")

    def _show_problems(self, config: MkDocsConfig, problems: Sequence[Problem]
                       ) -> MkDocsConfig:
        """Under serve: one page listing the problems in place of the generated pages, so the
        server keeps running and the next save that fixes them brings the site back."""
        log.warning(str(ContentErrors(problems)))
        docs, mount = Path(config.docs_dir), self.mount
        prefix = f"{mount}/" if mount else ""
        generated = {uri.removeprefix(prefix) for uri in navtree.listed(config)
                     if uri.startswith(prefix) and not (docs / uri).is_file()}
        # The pages of the last good build too: the browser reloads the page it was on.
        generated.update(uri for uri in self.pages if uri not in errorpage.KEEP)
        self.site = None
        self.pages = errorpage.error_pages(problems, generated)
        self.files = {}
        self.page_cache = self.caches = self.whole = None
        return config

    @property
    def mount(self) -> str:
        """The ``root:`` folder the generated pages go under (``""``: the top)."""
        return self.project.mount if self.project else ""

    def site_path(self, path: str) -> str:
        """Where a generated file (``feed.xml``, a page's ``pd_feed``) is in the site; the
        theme overrides link the feeds through it."""
        try:
            return paths.mounted(self.mount, path)
        except ValueError:  # a hand-written page's own pd_feed: left as it is written
            return str(path)

    @property
    def feeds(self) -> tuple[str, str]:
        """The site-wide Atom and JSON feeds, as paths in the site."""
        return self.site_path(paths.FEED), self.site_path(paths.JSON_FEED)

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Under serve: indexing of the last save's site stops before that site is cleaned
        for the next one (which is indexed in turn)."""
        if self.indexing is not None:
            self.indexing.stop()
            self.indexing = None

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        docs_prefix = posixpath.relpath(Path(config.docs_dir).as_posix(), self.root.as_posix())
        for file in files:
            if file.generated_by is None:
                file.edit_uri = f"{docs_prefix}/{file.src_uri}"
        listed = navtree.listed(config)
        mount = self.mount
        for page_uri, text in self.pages.items():
            uri = paths.mounted(mount, page_uri)
            if uri == paths.HOME and files.get_file_from_path(uri) is not None:
                # The site's own home page stays its home; the digests start at their list.
                log.info(f"{docs_prefix}/{uri} is the site's home page; the latest digests "
                         f"are listed at /{paths.url(paths.PAPERS)} (set root: to give the "
                         "digests a folder with a home page of their own)")
                continue
            if files.get_file_from_path(uri) is not None:
                raise PluginError(f"paperdigest: {docs_prefix}/{uri} has the path of a generated "
                                  "page: rename or delete it")
            # Pages reached through listings stay out of the nav: a nav naming every page
            # makes each page carry the whole nav (quadratic output).
            inclusion = InclusionLevel.INCLUDED if uri in listed else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, uri, content=text, inclusion=inclusion))
        for file_uri, data in self.files.items():
            uri = paths.mounted(mount, file_uri)
            if files.get_file_from_path(uri) is not None:
                raise PluginError(f"paperdigest: {docs_prefix}/{uri} has the path of a generated "
                                  "file: rename or delete it")
            files.append(File.generated(config, uri, content=data)
                         if isinstance(data, (str, bytes)) else LazyFile.of(config, uri, data))
        for paper in self.site.papers if self.site is not None else ():
            generated = files.get_file_from_path(paths.mounted(mount, paths.paper(paper)))
            if generated is not None:
                generated.edit_uri = paper.source_path
        assets = self._templates() / "assets"
        for asset in sorted(assets.rglob("*")) if assets.is_dir() else ():
            if asset.is_file():
                uri = "assets/paperdigest/" + asset.relative_to(assets).as_posix()
                files.append(File.generated(config, uri, abs_src_path=str(asset)))
        return files

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Convert the pages the render cache lacks on every core (not under serve, where a
        save changes a few pages and forking beside the server's threads is unwise)."""
        self.nav = nav
        if self.page_cache is not None and self.command != "serve":
            stored = self.page_cache.prefill(config, files, self)
            if stored:
                log.info(f"render cache: {stored} pages converted in parallel")
        return nav

    def on_pre_page(self, page: Page, /, *, config: MkDocsConfig, files: Files) -> Page:
        """Pages whose Markdown did not change since the last build reuse their HTML."""
        if self.page_cache is not None:
            self.page_cache.wrap(page, files)
        if self.front is not None:
            self.front.wrap(page)
        return page

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
                        ) -> str:
        """Defence in depth: every page body passes the HTML allowlist (sanitize.py)."""
        return rendercache.clean_of(page, html)

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
               ) -> jinja2.Environment:
        """Pages whose every input is unchanged skip the theme (pagecache.py)."""
        self.env = env
        self.whole = self.early_key = None
        if (self.caches is not None and self.nav is not None and self.project is not None
                and pagecache.can_cache_pages(config, self)):
            self.whole = WholePages(self.caches.store("html", ".html"), config,
                                    self._templates())
            env = self.whole.plan(env, files, self.nav)
            if self.command != "serve":  # as the prefill: no forking beside the server
                themed = self.whole.render_misses(env, config, files, self.nav)
                if themed:
                    log.info(f"page cache: {themed} pages themed in parallel")
                if self.project.search == "pagefind" and self.site_dir is not None:
                    self.early_key = earlyindex.bundle_key(self.whole, files)
                    self.early = earlyindex.start(self.whole, env, config, files, self.nav,
                                                  self._bundles(), self.site_dir.parent,
                                                  self.early_key)
        return env

    def _bundles(self) -> cachestore.Store | None:
        return (self.caches.store("search", ".bundle", search.BUNDLE_LIMIT)
                if self.caches is not None else None)

    def on_page_context(self, context: Any, /, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> Any:
        return self.whole.context(context, page) if self.whole is not None else context

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        return self.whole.post_page(output, page, self.env) if self.whole is not None else output

    @event_priority(-100)  # last: the gate reads what every plugin wrote
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        verdicts = self.caches.store("gate", ".gate") if self.caches is not None else None
        used: dict[str, set[str]] = {}
        # The gate reads every built page, theme included: no handler, script URL or
        # foreign <script> may reach readers, whatever produced it.
        policy = gate.theme_policy(config.theme.dirs,
                                       [str(s) for s in config.extra_javascript],
                                       config.site_url or "/")
        site_dir = Path(config.site_dir)
        own = [d for d in config.theme.dirs
               if config.theme.custom_dir is None or Path(d) != Path(config.theme.custom_dir)]
        # The gate passes the same bytes the same way: a page it passed before is not read
        # again (pagecache.scan_site keys verdicts by the page's bytes and the gate's code).
        gate_key = pagecache.gate_key(config)
        marked: set[str] = set()  # the pages search reads
        scanned, html_hashes = pagecache.scan_site(site_dir, policy, verdicts, gate_key, marked)
        used["gate"] = {gate_key}
        findings = [*scanned,
                    *gate.changed_theme_assets(site_dir, own, config.theme.static_templates)]
        if findings:
            raise PluginError(gate.gate_message(findings))
        early, self.early = self.early, None  # (its key stays: the cached bundle's name)
        if self.project is not None and self.project.search == "pagefind":
            bundles = self._bundles()
            key = search.inputs_key(html_hashes, marked)
            used["search"] = {key}
            done = early.finish(site_dir, html_hashes, marked) if early is not None else None
            if self.early_key is not None and bundles is not None and bundles.has(
                    self.early_key):
                used["search"].add(self.early_key)
            if done is not None and early is not None:  # indexed while the site was written
                for name in (key, early.key):
                    search.keep_bundle(bundles, name, site_dir, done.pages)
                used["search"].add(early.key)
                log.info(f"search: {done.pages} pages indexed while the site was written")
            elif self.command == "serve":
                # A preview serves the page first; search catches up a few seconds later.
                self.indexing = search.Indexing(site_dir, bundles, html_hashes, marked)
                self.indexing.start()
            else:
                try:
                    search.index_site(site_dir, bundles, html_hashes, marked)
                except PaperdigestError as exc:
                    raise PluginError(str(exc)) from exc
        self._finish_caches(config, used)
        if self.staged is not None:
            staged, self.staged = self.staged, None
            if staged.refused_by_strict():
                staged.discard()  # MkDocs refuses the build right after this hook
                return
            try:
                config.site_dir = str(staged.publish())
            except PaperdigestError as exc:
                raise PluginError(str(exc)) from exc

    def on_build_error(self, *, error: Exception) -> None:
        """A refused build leaves nothing: its folder goes, the previous site stays. A disk,
        file or template error reads ``path: what happened: what to do``, not a traceback,
        for plain ``mkdocs build`` too (``builderrors``)."""
        if self.early is not None:  # indexing a site that will not be published
            self.early.stop()
            self.early = None
        said = builderrors.message(error, self.staged.folder if self.staged else self.site_dir)
        if self.staged is not None:
            if said is not None and self.site_dir is not None:  # name the folder the user chose
                said = said.replace(str(self.staged.folder), str(self.site_dir))
            self.staged.discard()
            self.staged = None
        if said is not None:
            raise Abort(f"paperdigest: {said}") from None

    def _finish_caches(self, config: MkDocsConfig, used: dict[str, set[str]]) -> None:
        if self.caches is None or self.page_cache is None:
            return
        cache = self.page_cache
        used["pages"] = cache.used
        cache.save_sources()
        cache.forget_unused()
        used["sources"] = {cache.index_key}
        if self.front is not None:
            self.front.save()
            used["sources"].add(self.front.key)
        used["outputs"] = self.outputs_used
        if self.shelf is not None:
            used["loads"] = self.loaded
        if self.whole is not None:
            used["html"] = set(self.whole.keys.values())
        profile = pagecache.gate_key(config)  # one list per kind of build (serve, build)
        removed = self.caches.finish(profile, used)
        log.info(f"render cache: {cache.hits} pages reused, {cache.misses} converted, "
                 f"{removed} old entries removed")
        if self.whole is not None:
            log.info(f"page cache: {self.whole.reused} pages reused, {self.whole.themed} themed")

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: object
                 ) -> LiveReloadServer:
        if self.project is not None:
            server.watch(str(self.project.content_dir))
        server.watch(str(self._templates()))
        return server


def _add_overrides(config: MkDocsConfig, overrides: Path) -> None:
    """Put paperdigest's theme overrides after the site's own ``custom_dir``, before the theme.

    They escape the page title, add the share and feed meta and the search button, so a site
    gets them from the installed package without copying any template.
    """
    dirs = config.theme.dirs
    if not overrides.is_dir() or any(Path(d).resolve() == overrides.resolve() for d in dirs):
        return
    custom = config.theme.custom_dir
    dirs.insert(1 if custom else 0, str(overrides))
