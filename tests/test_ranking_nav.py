"""The ranking tab appears only when some digest has a ``score:``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import digest
from paperdigest.site.navtree import without as _without
from test_site_build import build

Make = Callable[[Mapping[str, str | bytes]], Path]


@pytest.mark.parametrize(("nav", "kept"), [
    (["index.md", {"注目度順": "ranking/index.md"}, {"論文": "papers/index.md"}],
     ["index.md", {"論文": "papers/index.md"}]),
    (["ranking/index.md", "index.md"], ["index.md"]),
    ([{"一覧": [{"論文": "papers/index.md"}, {"順位": "ranking/index.md"}]}],
     [{"一覧": [{"論文": "papers/index.md"}]}]),
    ([{"一覧": [{"順位": "ranking/index.md"}]}, "index.md"], ["index.md"]),
    (None, None),
])
def test_the_ranking_entry_leaves_the_nav(nav: object, kept: object) -> None:
    assert _without(nav, "ranking/index.md") == kept


@pytest.mark.parametrize("scored", [False, True])
def test_the_ranking_tab_only_with_a_score(project: Make, scored: bool) -> None:
    front = ('arxiv: "2503.04504"\nauthors: [Ann Lee]\ndate: 2025-03-06\nadded: 2025-03-07\n'
             + ("score: 76.5\n" if scored else ""))
    root = project({"content/papers/a.md": digest(front=front)})
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - paperdigest\n", "  - paperdigest:\n      cards: false\n      search: none\n"),
        encoding="utf-8")
    result = build(config, root / "site")
    assert result.returncode == 0, result.stderr
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert ("注目度順" in home) is scored
    assert ('href="ranking/"' in home) is scored
    # The page itself is still built: a link to it never breaks.
    assert (root / "site" / "ranking" / "index.html").is_file()
