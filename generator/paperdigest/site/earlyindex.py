"""Search indexed while MkDocs writes the site.

Pagefind reads a finished site, so on its own it starts once every page is written: in a
build where one digest changed, most of the build. When every page's final HTML is known
before MkDocs' loop (all of them are in the whole-page cache by ``on_env``:
``WholePages.theme_rest``), the pages search reads are written to a folder beside the site
and Pagefind runs there in the background while MkDocs writes the site and the gate reads
it. Pagefind reads only the pages marked for search when any page is marked, so the bundle
is the one the finished site gives (``tests/test_search.py`` compares them byte for byte).

It is used only if the site as written has exactly those pages marked for search, with
exactly those bytes (``finish``); otherwise it is thrown away and the site is indexed after
the build as before.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PaperdigestError
from . import search
from .cachestore import Store
from .pagecache import SEARCH_BODY, WholePages
from .search import IndexReport

if TYPE_CHECKING:
    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation


def bundle_key(whole: WholePages, files: Files) -> str | None:
    """A name for the bundle of this build's pages marked for search, from their whole-page
    keys (which fix their HTML), so that a cached bundle is found without reading a page;
    ``None`` when no page asks for search (``pd_search``: ``main.html`` marks those)."""
    marked = sorted((f.dest_uri, whole.keys.get(f.src_uri))
                    for f in files.documentation_pages()
                    if f.page is not None and f.page.meta.get("pd_search"))
    if not marked:  # Pagefind would index every page of the finished site
        return None
    return hashlib.sha256(json.dumps(["early", marked]).encode()).hexdigest()


def start(whole: WholePages, env: jinja2.Environment, config: MkDocsConfig, files: Files,
          nav: Navigation, bundles: Store | None, beside: Path, key: str | None
          ) -> EarlyIndex | None:
    """Theme the pages still missing from the cache and start indexing the pages marked
    for search (``key``: their ``bundle_key``), unless a page's HTML cannot be known yet or
    that bundle is in the cache. ``finish`` checks the pages against the written site."""
    if key is None or (bundles is not None and bundles.has(key)):
        return None  # nothing marked, or the build takes the bundle from the cache
    if not whole.theme_rest(env, config, files, nav):
        return None
    early = EarlyIndex(key, beside)
    for file in files.documentation_pages():
        if file.page is None or not file.page.meta.get("pd_search"):
            continue
        body = whole.stored(file.src_uri)
        if body is None or SEARCH_BODY not in body:
            early.stop()
            return None
        early.add(file.dest_uri, body)
    early.start()
    return early


class EarlyIndex(search.Background):
    """Pagefind over the pages ``add`` wrote into a folder beside the site."""

    def __init__(self, key: str, beside: Path) -> None:
        super().__init__()
        self.key = key
        """Names the bundle by the whole-page keys of the pages indexed (``start``)."""
        self.hashes: dict[str, str] = {}
        """What was indexed: SHA-256 by site-relative path."""
        beside.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=".paperdigest-index-", dir=beside))
        self.report: IndexReport | None = None
        self.error: PaperdigestError | None = None

    def add(self, path: str, html: bytes) -> None:
        """A page to index, written now (the pages are not held in memory)."""
        self.hashes[path] = hashlib.sha256(html).hexdigest()
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(html)

    def run(self) -> None:
        try:
            self.report = search.build_index(self.folder, on_start=self._on_start)
        except PaperdigestError as exc:
            self.error = exc  # the build indexes the site itself and says why it cannot

    def finish(self, site_dir: Path, html_hashes: dict[str, str], marked: set[str]
               ) -> IndexReport | None:
        """Put the bundle into ``site_dir`` if the written site is what was indexed; its
        report, or ``None`` (then nothing was put there)."""
        same = marked == set(self.hashes) and all(
            html_hashes.get(path) == digest for path, digest in self.hashes.items())
        if not same:
            self.stop()
            return None
        self.join()
        bundle = self.folder / search.BUNDLE_DIR
        report = self.report
        if report is not None and self.error is None and bundle.is_dir():
            shutil.rmtree(site_dir / search.BUNDLE_DIR, ignore_errors=True)
            shutil.move(str(bundle), str(site_dir / search.BUNDLE_DIR))
        else:
            report = None
        shutil.rmtree(self.folder, ignore_errors=True)
        return report

    def stop(self) -> None:
        """Stop Pagefind and remove the folder (the build failed or the site differs)."""
        super().stop()
        shutil.rmtree(self.folder, ignore_errors=True)
