"""A project's site: its content loaded and checked, and everything generated from it.

The one path from ``content/`` to pages, feeds, data files and share cards, used by the
MkDocs plugin (``on_config``) and by the commands (``check``, ``export``, ``blurb
--thread``), so that what one of them accepts or writes the other does too: the same
folders (hand-written pages included), the same drafts setting, the same renderer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from mkdocs.structure.files import File

from ..content.loader import LoadCache, check_content
from ..content.model import Site
from ..errors import ContentErrors, Problem
from ..project import Project
from . import extras, paths
from .cachestore import Store
from .generated import generate
from .pagemap import render_for_links

if TYPE_CHECKING:  # Pillow, which cardbuild needs, is an extra
    from mkdocs.config.defaults import MkDocsConfig

    from .cardbuild import DrawStats


def project_content(project: Project, cache: LoadCache | None = None,
                    store: Store | None = None, used: set[str] | None = None
                    ) -> tuple[Site | None, list[Problem]]:
    """The project's site (``None`` when any error was found) and every problem: digests,
    records and works under ``content_dir``, and the hand-written pages of ``docs_dir``
    (their links judged on the rendered pages, taken from ``store`` when it has them)."""
    return check_content(project.content_dir, root=project.root, include_drafts=project.drafts,
                         cache=cache, pages_dir=project.docs_dir,
                         reserved=paths.reserved(project.mount),
                         page_map=lambda site: render_for_links(site, project, store, used))


def project_site(project: Project) -> Site:
    """The project's site.

    Raises:
        ContentErrors: every problem, when there is at least one error.
    """
    site, problems = project_content(project)
    if site is None:
        raise ContentErrors(problems)
    return site


class Lazy(Protocol):
    """Bytes read only when they are written out (a share card in the cache)."""

    def read(self) -> bytes: ...


FileData = str | bytes | Lazy


def file_bytes(data: FileData) -> str | bytes:
    """The content of a generated file."""
    return data if isinstance(data, (str, bytes)) else data.read()


class LazyFile(File):
    """A generated file MkDocs writes from ``lazy.read()``: nothing is held until then."""

    lazy: Lazy

    @classmethod
    def of(cls, config: MkDocsConfig, uri: str, lazy: Lazy) -> LazyFile:
        made = cls.generated(config, uri, content=b"")
        assert isinstance(made, LazyFile)
        made.lazy = lazy
        return made

    @property  # type: ignore[misc]  # read-only: the content is the lazy source
    def content_bytes(self) -> bytes:
        return self.lazy.read()

    def copy_file(self, dirty: bool = False) -> None:
        path = self.abs_dest_path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(self.lazy.read())


@dataclass(frozen=True)
class Outputs:
    """Everything generated from a site, by site-relative path."""

    pages: dict[str, str]
    """Markdown pages, for MkDocs to convert (or ``export`` to write)."""
    files: dict[str, FileData]
    """Feeds, ``papers.json`` and share cards (read from the cache when written out)."""
    cards: DrawStats | None
    """What drawing the cards did; ``None`` with ``cards: false``."""


def site_outputs(site: Site, project: Project, *, site_url: str | None = None,
                 store: Store | None = None, used: set[str] | None = None,
                 keep_whole: bool = True, memo: dict[str, str] | None = None) -> Outputs:
    """The pages, feeds, data files and cards of ``site`` with the project's settings
    (``site_url`` overrides the project's, for ``export --site-url``); rendered only when
    ``store`` lacks the output of the same inputs (``generated.py``).

    Raises:
        RenderError: a template failed.
        CardFontError: cards are on and no Japanese font is installed.
    """
    if site_url:
        project = replace(project, site_url=site_url)
    pages, text_files = generate(site, project, store, used, keep_whole=keep_whole, memo=memo)
    files: dict[str, FileData] = dict(text_files)
    stats = None
    if project.cards:  # the pages name them as og:image
        extras.require_cards()  # Pillow is an extra: a site with cards: false goes without it
        from .cardbuild import draw_site_cards

        drawn, stats = draw_site_cards(site, project)
        files.update(drawn)
    return Outputs(pages, files, stats)
