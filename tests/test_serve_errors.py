"""Under ``mkdocs serve`` a content error becomes a page, and the next good save recovers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import digest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from paperdigest.errors import Problem, Severity
from paperdigest.site.errorpage import error_page, error_pages

Make = Callable[[Mapping[str, str | bytes]], Path]
P = "content/papers/2503.04504.md"
BROKEN = digest(front="arxiv: '2503.04504'\ntitle: Foo: Bar\n")
MESSAGE = (f"{P}:3: front matter: YAML syntax error: the value holds ': ', which YAML reads "
           "as a second key: put the value in quotes: title: \"Foo: Bar\"")
SERVE_URL = "http://127.0.0.1:8000/"


def test_error_page_lists_every_problem_in_a_wrapping_block() -> None:
    problems = [Problem("a.md", 3, "title", "x ``` y </code></pre><script>"),
                Problem("b.md", 1, None, "w & v", severity=Severity.WARNING)]
    page = error_page(problems)
    assert page.startswith("---\ntitle: 内容にエラーがあります\nhide: [navigation, toc]\n---\n")
    assert "`content/` に 1 件のエラーがあるため、サイトを表示できません。" in page
    assert ('<pre class="pd-problems"><code>a.md:3: title: x ``` y &lt;/code&gt;&lt;/pre&gt;'
            "&lt;script&gt;\nb.md:1: warning: w &amp; v</code></pre>\n") in page


def test_error_pages_replace_the_home_page_and_the_given_pages() -> None:
    pages = error_pages([Problem("a.md", 1, None, "m")], ["papers/index.md", "index.md"])
    assert list(pages) == ["index.md", "papers/index.md"]
    assert len(set(pages.values())) == 1


def serve_build(root: Path) -> Path:
    """One rebuild as `mkdocs serve` runs it: the config read again, the serve command."""
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / "out"))
    config.plugins.on_startup(command="serve", dirty=False)
    config.site_url = SERVE_URL
    try:
        build(config, serve_url=SERVE_URL)
    finally:
        # MkDocs keeps a plugin that has on_startup across the configs of one process (as
        # serve does between rebuilds): set it back to building, or a later test's build
        # would show the error page instead of failing.
        config.plugins.on_startup(command="build", dirty=False)
    return root / "out"


def test_serve_shows_the_problems_and_recovers(project: Make) -> None:
    root = project({P: BROKEN})
    out = serve_build(root)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "内容にエラーがあります" in home
    assert MESSAGE.replace('"', "&quot;") in home or MESSAGE in home
    papers = (out / "papers" / "index.html").read_text(encoding="utf-8")
    assert "内容にエラーがあります" in papers  # the tab the reader was on shows it too
    assert (out / "about" / "index.html").is_file()  # hand-written pages still build

    (root / P).write_text(digest(), encoding="utf-8")  # the fix, saved
    out = serve_build(root)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "内容にエラーがあります" not in home
    assert (out / "papers" / "2503.04504" / "index.html").is_file()


def test_build_still_stops_on_a_content_error(project: Make,
                                              caplog: pytest.LogCaptureFixture) -> None:
    root = project({P: BROKEN})
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / "out"))
    config.plugins.on_startup(command="build", dirty=False)
    with pytest.raises(Abort):
        build(config)
    assert f"1 problem in content:\n{MESSAGE}" in [r.getMessage() for r in caplog.records]
    assert not (root / "out" / "index.html").exists()
