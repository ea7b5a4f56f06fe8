"""A real ``mkdocs build --strict`` of the shipped content, checked on the HTML it writes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from htmlcheck import broken_links, parse
from paperdigest.content.loader import load_site
from paperdigest.content.model import Site


def build(config: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config),
         "-d", str(site_dir)],
        capture_output=True, text=True, env=env, check=False,
    )


@pytest.fixture(scope="session")
def shipped() -> Site:
    return load_site(REPO / "content", root=REPO)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("built") / "site"
    result = build(REPO / "mkdocs.yml", site_dir)
    assert result.returncode == 0, result.stderr
    return site_dir


def test_shipped_content_is_substantial(shipped: Site) -> None:
    assert len(shipped.papers) >= 12
    assert sum(a.has_record for a in shipped.authors.values()) >= 6
    assert any(p.arxiv.is_old_style for p in shipped.papers)
    names = [shipped.tags[t].name for p in shipped.papers for t in p.tags]
    assert any(n.isascii() for n in names) and any(not n.isascii() for n in names)


def test_every_paper_has_a_page_with_eight_sections(built: Path, shipped: Site) -> None:
    for paper in shipped.papers:
        page = built / "papers" / paper.slug / "index.html"
        html = page.read_text(encoding="utf-8")
        for n in range(1, 9):
            assert f'id="section-{n}"' in html, (paper.slug, n)
        assert f"https://arxiv.org/abs/{paper.arxiv.full}" in html
        assert f"https://arxiv.org/pdf/{paper.arxiv.full}" in html


def test_no_broken_internal_links(built: Path) -> None:
    assert broken_links(built) == []


def test_author_pages_and_index(built: Path, shipped: Site) -> None:
    index = (built / "authors" / "index.html").read_text(encoding="utf-8")
    for slug, _author in shipped.authors.items():
        assert (built / "authors" / slug / "index.html").exists()
        count = len(shipped.papers_by_author.get(slug, ()))
        item = re.search(rf'<li><a href="{re.escape(slug)}/">.*?</li>', index, re.DOTALL)
        assert item is not None, slug
        assert re.search(rf'<span class="pd-count"[^>]*>{count}</span>', item.group()), slug
    assert "著者" in index


def test_tag_pages_and_counts(built: Path, shipped: Site) -> None:
    index = (built / "tags" / "index.html").read_text(encoding="utf-8")
    for slug, _tag in shipped.tags.items():
        page = built / "tags" / slug / "index.html"
        assert page.exists(), slug
        count = len(shipped.papers_by_tag[slug])
        assert f"{count} 本の論文" in page.read_text(encoding="utf-8")
    assert index.count('href="') > len(shipped.tags)


def test_home_lists_latest_papers_with_blurbs(built: Path, shipped: Site) -> None:
    home = (built / "index.html").read_text(encoding="utf-8")
    newest = shipped.papers[0]
    assert f'href="papers/{newest.slug}/"' in home
    assert home.count('class="pd-card"') == min(12, len(shipped.papers))
    assert home.count('class="pd-share"') >= min(12, len(shipped.papers))


def test_nav_stays_bounded(built: Path, shipped: Site) -> None:
    page = parse(built / "papers" / shipped.papers[0].slug / "index.html")
    nav_paper_links = [h for h in page.links if h.startswith("../") and "/papers/" in h]
    assert len(nav_paper_links) < 5


def test_build_is_reproducible(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "site"
    assert build(REPO / "mkdocs.yml", again).returncode == 0
    first = {p.relative_to(built): p.read_bytes() for p in built.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
