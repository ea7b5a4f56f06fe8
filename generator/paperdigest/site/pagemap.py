"""The files of a built site, for judging links: one map, made the same way for ``check`` and
for the build.

Every generated page and file (``render_site``, ``render_files``, the share cards, the
plugin's assets) and every file of ``docs_dir``. The theme's own files are left out: a
digest has no business linking to them, and leaving them out keeps the map the same
whether MkDocs is running or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..content.blocks import EXTENSIONS
from ..content.links import PageMap
from ..content.model import Site
from ..errors import PaperdigestError
from ..project import Project
from . import extras, paths
from . import math as site_math
from .cachestore import Store
from .generated import generate


def page_map(site: Site, project: Project, pages: Mapping[str, str],
             files: Mapping[str, str | bytes]) -> PageMap:
    """The map of the site whose generated pages and files are ``pages`` and ``files``."""
    found = set(pages) | set(files)
    if project.cards:
        extras.require_cards()  # Pillow is an extra: without it, the message that names it
        from .cardbuild import site_cards

        found.update(site_cards(site, project.site_name))
    assets = project.templates_dir / "assets"
    if assets.is_dir():
        found.update("assets/paperdigest/" + a.relative_to(assets).as_posix()
                     for a in assets.rglob("*") if a.is_file())
    docs = project.docs_dir
    hand_written: dict[str, Path] = {}
    if docs.is_dir():
        hand_written = {p.relative_to(docs).as_posix(): p for p in docs.rglob("*")
                        if p.is_file() and not p.is_symlink()}
    found.update(hand_written)

    def markdown_of(uri: str) -> str | None:
        if uri in pages:
            return pages[uri]
        if uri.endswith(".md") and uri in hand_written:
            return hand_written[uri].read_text(encoding="utf-8", errors="replace")
        return None

    # The math extension's name is its module's: MathML has no ids, but a formula is no link.
    return PageMap(frozenset(found), markdown_of, paths.paper, (*EXTENSIONS, site_math.__name__))


def render_for_links(site: Site, project: Project, store: Store | None = None,
                     used: set[str] | None = None) -> PageMap | None:
    """Render the site's pages (without writing anything) and map them: what ``check`` does
    before judging links, as the build does before converting pages. ``None`` when a
    template fails (the build reports that itself)."""
    try:
        pages, files = generate(site, project, store, used)
    except PaperdigestError:
        return None
    return page_map(site, project, pages, files)
