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

from .model import Paper, Site

LIMIT = 5
AUTHOR_WEIGHT = 3.0
"""A shared author counts as much as three shared common tags."""
WINDOW = 40
"""Candidates taken from each posting list on either side of the paper (date order)."""


def _positions(lists: Mapping[str, Sequence[Paper]]) -> dict[tuple[str, str], int]:
    return {(key, p.slug): i for key, papers in lists.items() for i, p in enumerate(papers)}


def _near(papers: Sequence[Paper], at: int) -> Sequence[Paper]:
    if len(papers) <= 2 * WINDOW + 1:
        return papers
    return papers[max(0, at - WINDOW): at + WINDOW + 1]


def related_papers(site: Site, limit: int = LIMIT) -> Mapping[str, tuple[Paper, ...]]:
    """Paper slug -> its most related papers, best first (only papers sharing something).

    Score: ``AUTHOR_WEIGHT`` per shared author plus, per shared tag, ``1 + 1/df`` where ``df``
    is the tag's paper count (a rare shared tag says more). Ties go to the paper closest in
    date, then to the id, so the result is stable.
    """
    by_author, by_tag = site.papers_by_author, site.papers_by_tag
    author_pos, tag_pos = _positions(by_author), _positions(by_tag)
    tag_weight = {slug: 1.0 + 1.0 / len(papers) for slug, papers in by_tag.items()}
    out: dict[str, tuple[Paper, ...]] = {}
    for paper in site.papers:
        scores: dict[str, float] = {}
        found: dict[str, Paper] = {}
        for slug in dict.fromkeys(paper.authors):
            for other in _near(by_author[slug], author_pos[(slug, paper.slug)]):
                scores[other.slug] = scores.get(other.slug, 0.0) + AUTHOR_WEIGHT
                found[other.slug] = other
        for slug in paper.tags:
            weight = tag_weight[slug]
            for other in _near(by_tag[slug], tag_pos[(slug, paper.slug)]):
                scores[other.slug] = scores.get(other.slug, 0.0) + weight
                found[other.slug] = other
        scores.pop(paper.slug, None)
        ordinal = paper.date.toordinal()
        best = heapq.nsmallest(limit, scores, key=lambda s: (
            -round(scores[s], 9), abs(found[s].date.toordinal() - ordinal), s))
        out[paper.slug] = tuple(found[s] for s in best)
    return MappingProxyType(out)
