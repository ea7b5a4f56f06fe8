"""The project: where its content and templates are and how its site is rendered.

Read once from ``mkdocs.yml`` (its ``site_url``, ``site_name``, ``docs_dir`` and the
``paperdigest`` plugin block; ``site/settings.py`` does the reading) and handed to the plugin,
the renderer and every CLI command, so that a site with ``content_dir: digests`` is checked,
built and edited in the same folder. The settings and their defaults are declared once, in
``site/settings.py``'s ``PluginConfig``; nothing here has a default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

EXAMPLE_HOSTS = ("example.org", "example.com", "example.net")
"""Domains reserved for examples (RFC 2606): a ``site_url`` there has not been set yet."""


@dataclass(frozen=True)
class Project:
    """One site's settings, with every folder resolved to an absolute path."""

    root: Path
    """Folder of ``mkdocs.yml``; paths in messages are relative to it."""
    config_file: Path | None
    """``mkdocs.yml``, or ``None`` when the folder has none (defaults apply)."""
    content_dir: Path
    """Holds ``papers/`` and ``authors/``."""
    templates_dir: Path
    """Page templates, assets and theme overrides (the project's own, else paperdigest's)."""
    docs_dir: Path
    """MkDocs' ``docs_dir``: hand-written pages."""
    site_url: str
    """Absolute base URL of the published site."""
    site_name: str
    per_page: int
    """Cards per page of a listing."""
    home_count: int
    """Latest papers on the home page."""
    authors_per_index: int
    """Above this many authors the author index is split by initial."""
    drafts: bool
    """Build digests marked ``draft: true`` too."""
    search: str
    """``pagefind`` or ``none``."""
    score_label: str
    """What a digest's ``score:`` is called (``score_label`` in ``mkdocs.yml``)."""
    score_note: str
    """What the score means, shown on the ranking page."""
    contributing_url: str
    """The guide to writing a digest, linked where a contribution is asked for; empty:
    pages name CONTRIBUTING.md without a link."""
    cards: bool
    """Draw a share card (PNG) for every paper, author and tag page, named as ``og:image``."""
    cache_dir: Path | None
    """Render cache (``.cache/paperdigest`` by default), or ``None`` when turned off."""
    mount: str
    """Folder of the site the generated pages go under (the ``root:`` setting), ``""``: top."""
    llm_base_url: str
    """Default model endpoint of ``paperdigest draft`` (``$PAPERDIGEST_LLM_BASE_URL`` wins)."""
    llm_model: str
    """Default model of ``paperdigest draft`` (``$PAPERDIGEST_LLM_MODEL`` wins)."""

    @property
    def papers_dir(self) -> Path:
        return self.content_dir / "papers"

    @property
    def authors_dir(self) -> Path:
        return self.content_dir / "authors"

    def rel(self, path: Path) -> str:
        """``path`` as messages show it: relative to the project root, ``/`` separators."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return Path(os.path.relpath(path.resolve(), self.root)).as_posix()

    @property
    def site_url_is_example(self) -> bool:
        """True while ``site_url`` still points at a domain reserved for examples."""
        host = (urlsplit(self.site_url).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in EXAMPLE_HOSTS)
