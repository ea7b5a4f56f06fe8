"""From `authors refresh` (recorded OpenAlex answers) to the built author and wanted pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import digest
from test_metrics import RECORD, offline, openalex, refresh_cli
from test_site_build import build

pytestmark = pytest.mark.slow

Make = Callable[[Mapping[str, str | bytes]], Path]
ARXIV = "2205.01833"
"""The one work of the recorded author that is on arXiv."""


def _digest() -> str:
    return digest(ARXIV, title="OpenAlex", front="authors: [Jason Priem]\n")


def test_refreshed_works_reach_the_author_page_and_the_wanted_page(project: Make) -> None:
    root = project({"content/authors/jason-priem.yaml": RECORD,
                    "content/papers/other.md": digest("2503.04504",
                                                      front="authors: [Jason Priem]\n")})
    result = refresh_cli(root, offline(openalex))
    assert result.exit_code == 0, result.output
    assert (root / "content/authors/jason-priem.works.json").is_file()

    site = root / "site"
    built = build(root / "mkdocs.yml", site)
    assert built.returncode == 0, built.stderr
    page = (site / "authors/jason-priem/index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'class="pd-tile"', page)) >= 3  # h-index, papers, citations
    assert re.search(r"<svg[^>]*>.*?</svg>", page, re.DOTALL)  # citations per year
    works = re.findall(r'<article class="pd-work"', page)
    assert len(works) >= 2
    assert f"paperdigest new {ARXIV}" in page  # not digested yet: the command to start it
    wanted = (site / "wanted/index.html").read_text(encoding="utf-8")
    assert f"paperdigest new {ARXIV}" in wanted

    (root / "content/papers" / f"{ARXIV}.md").write_text(_digest(), encoding="utf-8")
    again = build(root / "mkdocs.yml", root / "site2")
    assert again.returncode == 0, again.stderr
    page = (root / "site2/authors/jason-priem/index.html").read_text(encoding="utf-8")
    assert f'href="../../papers/{ARXIV}/"' in page
    assert f"paperdigest new {ARXIV}" not in page
    wanted = (root / "site2/wanted/index.html").read_text(encoding="utf-8")
    assert f"paperdigest new {ARXIV}" not in wanted
