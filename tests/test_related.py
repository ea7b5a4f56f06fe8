"""Related papers: shared authors weigh more than shared tags; fast on a large site."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from conftest import DATA
from paperdigest.content.ids import ArxivId
from paperdigest.content.loader import load_site
from paperdigest.content.model import Author, Paper, Site, Tag
from paperdigest.site import related


@pytest.fixture(scope="module")
def site() -> Site:
    root = DATA / "reader"
    return load_site(root / "content", root=root)


def slugs(site: Site) -> dict[str, list[str]]:
    return {k: [p.slug for p in v] for k, v in related.related_papers(site).items()}


def test_related_on_the_fixture(site: Site) -> None:
    assert slugs(site) == {
        # Bob (author) + LLM beats Carol (author) alone, which beats a shared tag.
        "2503.00005": ["2503.00001", "2501.00003", "2412.00004", "2502.00002"],
        # 00005 and 00002 score the same (author + LLM); the closer date goes first.
        "2503.00001": ["2503.00005", "2502.00002", "2501.00003"],
        "2502.00002": ["2503.00001", "2503.00005"],
        "2501.00003": ["2503.00005", "2503.00001"],
        "2412.00004": ["2503.00005"],
    }


def test_a_paper_is_never_its_own_relative_and_limit_holds(site: Site) -> None:
    for slug, others in related.related_papers(site, limit=2).items():
        assert slug not in [p.slug for p in others]
        assert len(others) <= 2


def synthetic(n: int) -> Site:
    authors = {f"a{i}": Author(f"a{i}", f"Author {i}") for i in range(n // 3)}
    tags = {f"t{i}": Tag(f"t{i}", f"T{i}", f"t{i}") for i in range(50)}
    base = Paper(arxiv=ArxivId("2501.00001"), slug="", title="x", authors=(), author_names=(),
                 date=dt.date(2025, 1, 1), date_is_estimated=False, category="cs.CL", tags=(),
                 code=None, blurb="b", blurb_en=None, sections=(), source_path="x.md")
    papers = []
    for i in range(n):
        slug = f"25{1 + i % 12:02d}.{i:05d}"
        papers.append(dataclasses.replace(
            base, arxiv=ArxivId(slug), slug=slug, date=dt.date(2020, 1, 1) + dt.timedelta(i % 2000),
            authors=(f"a{i % (n // 3)}", f"a{(i * 7) % (n // 3)}"),
            # Tag t0 is on every paper: the posting list a naive pass would make quadratic.
            tags=("t0", f"t{1 + i % 49}")))
    return Site.build(papers, authors, tags)


def test_a_tag_on_every_paper_still_gives_full_lists() -> None:
    # Speed at scale is measured by bench/, not asserted here; this checks the windowed
    # candidate lists still fill every paper's related list when one tag is everywhere.
    site = synthetic(3_000)
    result = related.related_papers(site)
    assert len(result) == 3_000
    assert all(len(v) == related.LIMIT for v in result.values())
