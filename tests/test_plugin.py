"""The MkDocs plugin's hooks, with a real MkDocs config."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import digest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files, get_files
from paperdigest.site.paths import CARDS
from paperdigest.site.plugin import PaperdigestPlugin

Make = Callable[[Mapping[str, str | bytes]], Path]


class FakeServer:
    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)


def configured(root: Path) -> tuple[PaperdigestPlugin, object]:
    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["paperdigest"]
    assert isinstance(plugin, PaperdigestPlugin)
    return plugin, config


def test_serve_watches_content_and_templates(project: Make) -> None:
    root = project({"content/papers/a.md": digest()})
    _plugin, config = configured(root)
    config.plugins.on_config(config)  # type: ignore[attr-defined]
    server = FakeServer()
    config.plugins.on_serve(server, config=config, builder=None)  # type: ignore[attr-defined]
    assert server.watched == [str((root / "content").resolve()),
                              str((root / "site_templates").resolve())]


def test_generated_pages_are_virtual_with_edit_links(project: Make) -> None:
    root = project({"content/papers/sub/a.md": digest()})
    _plugin, config = configured(root)
    config.plugins.on_config(config)  # type: ignore[attr-defined]
    files = config.plugins.on_files(get_files(config), config=config)  # type: ignore[attr-defined]
    paper = files.get_file_from_path("papers/2503.04504.md")
    assert paper is not None and paper.generated_by == "paperdigest"
    assert paper.edit_uri == "content/papers/sub/a.md"
    assert files.get_file_from_path("about.md").edit_uri == "content/pages/about.md"
    assert not (root / "content/pages/papers").exists()


def test_content_error_aborts_with_all_messages(project: Make) -> None:
    root = project({"content/papers/a.md": digest(front="tag: x\nauthors: [1]\n")})
    _plugin, config = configured(root)
    with pytest.raises(PluginError) as info:
        config.plugins.on_config(config)  # type: ignore[attr-defined]
    assert str(info.value).splitlines() == [
        "2 problems in content:",
        "content/papers/a.md:2: tag: unknown key: did you mean 'tags'?",
        "content/papers/a.md:3: authors[0]: expected a name, got the number 1: quote it if it "
        "is meant as text",
    ]


def test_docs_page_clashing_with_generated_page(project: Make) -> None:
    # (A site's own index.md is its home page: the digest home yields, see test_mount.py.)
    root = project({"content/papers/a.md": digest(), "content/pages/tags/x.md": "# mine\n"})
    _plugin, config = configured(root)
    with pytest.raises(PluginError, match=r"content/pages/tags/x\.md: 'tags/x\.md' is where "
                       r"the site puts its own 'tags': rename or move the file"):
        config.plugins.on_config(config)  # type: ignore[attr-defined]


def test_site_url_is_required(project: Make) -> None:
    root = project({"content/papers/a.md": digest()})
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "\n".join(x for x in text.splitlines() if not x.startswith("site_url")), encoding="utf-8")
    _plugin, config = configured(root)
    with pytest.raises(PluginError, match=r"set site_url in mkdocs\.yml"):
        config.plugins.on_config(config)  # type: ignore[attr-defined]


def test_files_type_is_kept(project: Make) -> None:
    root = project({"content/papers/a.md": digest()})
    plugin, config = configured(root)
    config.plugins.on_config(config)  # type: ignore[attr-defined]
    assert isinstance(plugin.on_files(get_files(config), config=config), Files)  # type: ignore[arg-type]


def test_a_preview_draws_no_share_cards_and_a_build_does(project: Make) -> None:
    root = project({"content/papers/a.md": digest("2503.00001", added="2025-04-01")})
    built, built_config = configured(root)
    built_config.plugins.on_config(built_config)  # type: ignore[attr-defined]
    assert any(uri.startswith(CARDS) for uri in built.files)
    page = built.pages["papers/2503.00001.md"]  # the instance lives on (serve keeps it)
    config = load_config(str(root / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=False)  # type: ignore[attr-defined]
    try:
        config.plugins.on_config(config)  # type: ignore[attr-defined]
    finally:  # MkDocs keeps this instance for the next config loaded in this process
        config.plugins.on_startup(command="build", dirty=False)  # type: ignore[attr-defined]
    preview = config.plugins["paperdigest"]
    assert isinstance(preview, PaperdigestPlugin)
    assert not any(uri.startswith(CARDS) for uri in preview.files)
    assert config.extra["pd_site_card"] == ""
    assert CARDS not in preview.pages["papers/2503.00001.md"]
    assert CARDS in page
