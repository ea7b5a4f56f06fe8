"""Golden pages: a small content tree in, the exact Markdown of every generated page out.

Run ``pytest tests/test_render_golden.py --update-goldens`` after an intended change and
review the diff of ``tests/data/golden/*/expected``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA
from paperdigest.content.loader import load_site
from paperdigest.site.render import render_site
from paperdigest.site.settings import default_project

CASES = sorted(p.name for p in (DATA / "golden").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_pages_match_goldens(case: str, update_goldens: bool) -> None:
    root = DATA / "golden" / case
    site = load_site(root / "content", root=root)
    pages = render_site(site, default_project(root, site_url="https://example.org/digest/",
                                              per_page=2, contributing_url=""))
    expected_dir = root / "expected"
    if update_goldens:
        for old in expected_dir.rglob("*.md"):
            old.unlink()
        for uri, text in pages.items():
            target = expected_dir / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = {p.relative_to(expected_dir).as_posix(): p.read_text(encoding="utf-8")
                for p in expected_dir.rglob("*.md")}
    assert sorted(pages) == sorted(expected)
    for uri, text in pages.items():
        assert text == expected[uri], f"{uri} differs from its golden (--update-goldens)"


def test_rendering_is_deterministic() -> None:
    root = DATA / "golden" / CASES[0]
    first = render_site(load_site(root / "content", root=root), default_project(root))
    second = render_site(load_site(root / "content", root=root), default_project(root))
    assert list(first.items()) == list(second.items())


def test_pagination_splits_listings(tmp_path: Path) -> None:
    root = DATA / "golden" / "basic"
    pages = render_site(load_site(root / "content", root=root), default_project(root, per_page=1))
    assert "papers/page/3.md" in pages and "papers/page/4.md" not in pages
    assert "[次へ →](../../papers/page/3.md)" in pages["papers/page/2.md"]
    assert "[← 前へ](../../papers/index.md)" in pages["papers/page/2.md"]
