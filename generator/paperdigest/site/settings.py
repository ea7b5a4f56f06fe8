"""The ``paperdigest`` block of ``mkdocs.yml``, validated by MkDocs, turned into a ``Project``.

``PluginConfig`` is the one declaration of every setting and its default: ``Project`` (what
the plugin, the renderer and every command read) is made only here, from a validated block,
and declares no default of its own. The plugin gets its block from MkDocs in ``on_config``;
the CLI loads ``mkdocs.yml`` with MkDocs' own ``load_config``, so both read the same settings
through the same validation. A folder without ``mkdocs.yml`` gets ``default_project``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import base, load_config
from mkdocs.config import config_options as c
from mkdocs.exceptions import Abort, ConfigurationError

from ..errors import PaperdigestError, Problem, Severity
from ..fileio import read_regular
from ..project import Project
from . import paths
from .render import TEMPLATES_DIR

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

DEFAULT_SITE_URL = "https://example.org/"
"""``site_url`` of a folder without ``mkdocs.yml`` (``export --site-url`` can override it)."""
DEFAULT_SITE_NAME = "paperdigest"
"""``site_name`` of a folder without ``mkdocs.yml``."""
DEFAULT_DOCS_DIR = "content/pages"
"""Hand-written pages of a folder without ``mkdocs.yml`` (the ``docs_dir`` it ships with)."""
CONTRIBUTING_URL = "https://github.com/paperdigest/paperdigest/blob/main/CONTRIBUTING.md"
"""The digest format and the steps to add a paper."""


class PluginConfig(base.Config):  # type: ignore[no-untyped-call]
    """The ``paperdigest`` plugin block: the one place these settings and defaults are declared."""

    content_dir = c.Type(str, default="content")
    """Folder holding ``papers/`` and ``authors/``, relative to ``mkdocs.yml``."""
    templates_dir = c.Type(str, default="site_templates")
    """Folder of the page templates and assets, relative to ``mkdocs.yml``; when it does not
    exist, the templates that come with paperdigest are used."""
    per_page = c.Type(int, default=50)
    home_count = c.Type(int, default=12)
    authors_per_index = c.Type(int, default=400)
    drafts = c.Type(bool, default=False)
    """Build digests marked ``draft: true`` too."""
    search = c.Choice(("pagefind", "none"), default="pagefind")
    """``pagefind``: index the built site with Pagefind (replaces Material's search)."""
    score_label = c.Type(str, default="注目度")
    """What a digest's ``score:`` is called on cards and on the ranking page (``注目度``)."""
    score_note = c.Type(str, default="")
    """A sentence on the ranking page saying what the score measures and who gives it."""
    contributing_url = c.Type(str, default=CONTRIBUTING_URL)
    """Where contributors learn to write a digest (linked from empty author pages)."""
    cards = c.Type(bool, default=True)
    """Draw share cards (``og:image``) for paper, author and tag pages; needs a Japanese font."""
    root = c.Type(str, default="")
    """Folder of the site that every generated page and feed goes under (``papers`` puts
    the digest home at ``/papers/``); ``""``: at the top, beside the site's own pages."""
    cache_dir = c.Type(str, default=".cache/paperdigest")
    """Folder of the render cache, relative to ``mkdocs.yml`` (safe to delete; git-ignored).
    An empty string turns the cache off."""
    llm_base_url = c.Type(str, default="")
    """Model endpoint of ``paperdigest draft`` (OpenAI-compatible, e.g.
    ``http://localhost:11434/v1``); ``$PAPERDIGEST_LLM_BASE_URL`` wins. No key here: keys
    live in the environment."""
    llm_model = c.Type(str, default="")
    """Model of ``paperdigest draft``; ``$PAPERDIGEST_LLM_MODEL`` and ``--model`` win."""


class SettingsError(PaperdigestError):
    """``mkdocs.yml`` could not be read or is invalid."""


class _Collector(logging.Handler):
    """Keeps the errors MkDocs logs while it validates a config (it raises only 'Aborted')."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(record.getMessage())


def project_of(config: MkDocsConfig, block: PluginConfig) -> Project:
    """The project described by a validated MkDocs config and its ``paperdigest`` block."""
    root = Path(config.config_file_path or "mkdocs.yml").resolve().parent
    return _project(root, Path(config.config_file_path) if config.config_file_path else None,
                    block, site_url=config.site_url or "", site_name=config.site_name,
                    docs_dir=Path(config.docs_dir))


def load_project(config_file: Path | None = None, root: Path | None = None) -> Project:
    """Read the project from ``config_file`` (default: ``mkdocs.yml`` in ``root`` or here).

    A folder without ``mkdocs.yml`` is a project with the default settings.

    Raises:
        SettingsError: the file cannot be read or MkDocs refuses it.
    """
    base_dir = (root or Path.cwd()).resolve()
    path = config_file or base_dir / "mkdocs.yml"
    if config_file is None and not path.is_file():
        return default_project(base_dir)
    heard = _Collector()
    logger = logging.getLogger("mkdocs.config")
    logger.addHandler(heard)
    try:
        config = load_config(str(path))
    except (ConfigurationError, Abort) as exc:
        said = "; ".join(heard.errors) or str(exc)
        raise SettingsError(f"{path}: {said}: fix mkdocs.yml (mkdocs build says the same)"
                            ) from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.strerror}): pass the right "
                            "--config-file") from None
    finally:
        logger.removeHandler(heard)
    found = getattr(config.plugins.get("paperdigest"), "config", None)
    return project_of(config, found if isinstance(found, PluginConfig) else _defaults())


def settings_problems(project: Project) -> list[Problem]:
    """Warnings about settings a new site owner has not changed yet."""
    if project.config_file is None or not project.site_url_is_example:
        return []
    try:
        text = read_regular(project.config_file, 2**20, follow=True).decode("utf-8", "replace")
    except OSError:
        text = ""
    line = next((n for n, x in enumerate(text.splitlines(), 1) if x.startswith("site_url:")),
                None)
    return [Problem(project.rel(project.config_file), line, "site_url",
                    f"is still the example address {project.site_url}: set it to the address "
                    "where the site is published (share links, feeds and citations use it)",
                    severity=Severity.WARNING)]


def default_project(root: Path | None = None, **changes: Any) -> Project:
    """The project of a folder without ``mkdocs.yml``: every setting at the default
    ``PluginConfig`` declares; ``changes`` replace some (``per_page=1``), as a site's
    ``mkdocs.yml`` would."""
    base_dir = (root or Path.cwd()).resolve()
    project = _project(base_dir, None, _defaults(), site_url=DEFAULT_SITE_URL,
                       site_name=DEFAULT_SITE_NAME, docs_dir=base_dir / DEFAULT_DOCS_DIR)
    return replace(project, **changes)


def _defaults() -> PluginConfig:
    block = PluginConfig()
    block.load_dict({})
    errors, _warnings = block.validate()
    assert not errors, errors  # the declared defaults pass their own validation
    return block


def _project(root: Path, config_file: Path | None, block: PluginConfig, *, site_url: str,
             site_name: str, docs_dir: Path) -> Project:
    try:
        mount = paths.mount_point(block.root)
    except ValueError as exc:
        where = config_file.name if config_file else "mkdocs.yml"
        raise SettingsError(f"{where}: plugins: paperdigest: {exc}") from None
    own_templates = (root / block.templates_dir).resolve()
    return Project(
        root=root, config_file=config_file.resolve() if config_file else None,
        content_dir=(root / block.content_dir).resolve(),
        templates_dir=own_templates if own_templates.is_dir() else TEMPLATES_DIR,
        docs_dir=(root / docs_dir).resolve(), site_url=site_url, site_name=site_name,
        per_page=block.per_page, home_count=block.home_count,
        authors_per_index=block.authors_per_index, drafts=block.drafts, search=block.search,
        cards=block.cards, score_label=block.score_label, score_note=block.score_note,
        contributing_url=block.contributing_url,
        # Not resolved: the cache refuses a folder that is a link (site/cachestore.py).
        cache_dir=Path(os.path.abspath(root / block.cache_dir)) if block.cache_dir else None,
        mount=mount,
        llm_base_url=block.llm_base_url, llm_model=block.llm_model,
    )
