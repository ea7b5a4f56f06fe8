"""Related papers: up to five per paper, by shared authors and shared tags.

Computed once for the whole site from the model's inverted indexes (``papers_by_author``,
``papers_by_tag``): a paper only meets the papers it shares something with. A huge tag
(``#LLM`` on half of 10,000 papers) would still make that quadratic, so from each posting
list only the ``WINDOW`` papers nearest in date are taken as candidates; beyond that, a
shared popular tag says little anyway.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from ..content.model import Paper, Site

LIMIT = 5
AUTHOR_WEIGHT = 3.0
"""A shared author counts as much as three shared common tags."""
WINDOW = 25
"""Candidates taken from each posting list on either side of the paper (date order)."""


def _postings(lists: Mapping[str, Sequence[Paper]]
              ) -> tuple[dict[str, list[str]], dict[tuple[str, str], int]]:
    """Slug lists (strings are cheaper to score than papers) and each paper's place in them."""
    slugs = {key: [p.slug for p in papers] for key, papers in lists.items()}
    where = {(key, s): i for key, ss in slugs.items() for i, s in enumerate(ss)}
    return slugs, where


def _near(slugs: list[str], at: int) -> list[str]:
    if len(slugs) <= 2 * WINDOW + 1:
        return slugs
    return slugs[max(0, at - WINDOW): at + WINDOW + 1]


def related_papers(site: Site, limit: int = LIMIT) -> Mapping[str, tuple[Paper, ...]]:
    """Paper slug -> its most related papers, best first (only papers sharing something).

    Score: ``AUTHOR_WEIGHT`` per shared author plus, per shared tag, ``1 + 1/df`` where ``df``
    is the tag's paper count (a rare shared tag says more). Ties go to the paper closest in
    date, then to the id, so the result is stable.
    """
    by_author, author_at = _postings(site.papers_by_author)
    by_tag, tag_at = _postings(site.papers_by_tag)
    tag_weight = {slug: 1.0 + 1.0 / len(papers) for slug, papers in by_tag.items()}
    papers = {p.slug: p for p in site.papers}
    day = {p.slug: p.date.toordinal() for p in site.papers}
    out: dict[str, tuple[Paper, ...]] = {}
    for paper in site.papers:
        me = paper.slug
        scores: dict[str, float] = {}
        for slug in dict.fromkeys(paper.authors):
            for other in _near(by_author[slug], author_at[(slug, me)]):
                scores[other] = scores.get(other, 0.0) + AUTHOR_WEIGHT
        for slug in paper.tags:
            weight = tag_weight[slug]
            for other in _near(by_tag[slug], tag_at[(slug, me)]):
                scores[other] = scores.get(other, 0.0) + weight
        scores.pop(me, None)
        mine = day[me]
        best = heapq.nsmallest(limit, scores, key=lambda s: (
            -round(scores[s], 9), abs(day[s] - mine), s))
        out[me] = tuple(papers[s] for s in best)
    return MappingProxyType(out)
