"""The author index: filed by family name (``sort_name``), one compact list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from conftest import digest
from paperdigest.content.loader import load_site
from paperdigest.content.model import Author
from paperdigest.errors import ContentErrors
from paperdigest.site.render import initial_of, render_site
from paperdigest.site.settings import default_project

Make = Callable[[Mapping[str, str | bytes]], Path]
FRONT = ("arxiv: \"2503.04504\"\nauthors:\n  - Takuya Akiba\n  - Ludwig van Beethoven\n"
         "  - 秋葉 拓哉\n  - Sunghyun Ahn\ndate: 2025-03-06\n")


@pytest.mark.parametrize(
    ("author", "filed", "initial"),
    [
        (Author("a", "Takuya Akiba"), "Akiba, Takuya", "a"),
        (Author("a", "Edward J. Hu"), "Hu, Edward J.", "h"),
        (Author("a", "Ludwig van Beethoven", sort_name="Beethoven, Ludwig van"),
         "Beethoven, Ludwig van", "b"),
        (Author("a", "Plato"), "Plato", "p"),
        (Author("a", "秋葉 拓哉"), "秋葉 拓哉", "other"),
    ],
)
def test_filing_name_is_family_name_first(author: Author, filed: str, initial: str) -> None:
    assert author.filing_name == filed
    assert initial_of(author) == initial


def test_index_files_by_family_name_with_the_record_sort_name(project: Make) -> None:
    root = project({
        "content/papers/2503.04504.md": digest(front=FRONT),
        "content/authors/ludwig.yaml": "name: Ludwig van Beethoven\n"
                                       "sort_name: Beethoven, Ludwig van\n",
    })
    site = load_site(root / "content", root=root)
    assert site.authors["ludwig"].sort_name == "Beethoven, Ludwig van"
    page = render_site(site, default_project(contributing_url=""))["authors/index.md"]
    headings = [line for line in page.splitlines() if line.startswith("### ")]
    assert headings == ["### A { #a }", "### B { #b }", "### その他 { #other }"]
    items = [line.split("](", 1)[0] for line in page.splitlines() if line.startswith("- [")]
    # A record's sort_name files the name; the name is shown as written.
    assert items == ["- [Ahn, Sunghyun", "- [Akiba, Takuya", "- [Ludwig van Beethoven",
                     "- [秋葉 拓哉"]
    assert '<p class="pd-initials"><a href="#a">A</a> <a href="#b">B</a> ' \
           '<a href="#other">その他</a></p>' in page
    assert "| 所属 |" not in page  # no mostly-empty affiliation column


def test_sort_name_is_checked_like_a_name(project: Make) -> None:
    root = project({
        "content/papers/2503.04504.md": digest(),
        "content/authors/ludwig.yaml": "name: Ludwig van Beethoven\nsort_name: [a, b]\n",
    })
    with pytest.raises(ContentErrors) as info:
        load_site(root / "content", root=root)
    assert [str(p) for p in info.value.errors] == [
        "content/authors/ludwig.yaml:2: sort_name: expected a name, got a list"]
