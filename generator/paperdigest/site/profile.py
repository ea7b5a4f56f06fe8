"""What researcher profiles and the contributors' pages show, computed from the model.

An author page leads with the author's figures as tiles, draws the citations received per
year (inline SVG, like the stats page), and lists every work the bibliographic source knows,
digested or not. The "digest wanted" page gathers the works of recorded authors that have
no digest yet; the ranking page orders digests by their ``score:``. Nothing here reads a
file or the network: works come from ``<id>.works.json`` through the loader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..content.model import Author, Paper, Site
from ..content.works import Work, work_order
from . import stats

SOURCE_NAMES = {"openalex": "OpenAlex", "semantic-scholar": "Semantic Scholar"}
"""How a metrics or works source is named on a page (free text is shown as written)."""


def source_name(source: str | None) -> str | None:
    """``openalex`` -> ``OpenAlex``; hand-entered sources as written."""
    return None if source is None else SOURCE_NAMES.get(source, source)


@dataclass(frozen=True)
class Tile:
    """One figure of an author: a label, the number as shown, where and when it was read."""

    label: str
    value: str
    source: str | None
    """``OpenAlex · 2026-11-01``, or ``None`` when the record names neither."""


_TILE_ORDER = (("h_index", "h-index"), ("papers", "論文数"), ("citations", "被引用数"))


def tiles(author: Author, labels: Mapping[str, str]) -> tuple[Tile, ...]:
    """The author's figures in the order of the seed profiles: h-index, papers, citations,
    then the record's other figures (``novelty``, ``ai_score``) under ``labels``' names."""
    m = author.metrics
    if m is None:
        return ()
    parts = [x for x in (source_name(m.source), m.as_of.isoformat() if m.as_of else None) if x]
    source = " · ".join(parts) or None
    out = [Tile(label, f"{value:,}", source) for key, label in _TILE_ORDER
           if (value := getattr(m, key)) is not None]
    out.extend(Tile(labels.get(key, key.replace("_", " ")), value, source)
               for key, value in m.extra)
    return tuple(out)


def citations_chart(author: Author) -> str:
    """Citations received per year as a column chart (SVG); ``""`` when none are stored.

    Years without an entry are drawn as zero, so the axis reads like a ruler.
    """
    counts = dict(author.citations_by_year)
    if not counts:
        return ""
    first, last = min(counts), max(counts)
    rows = [(str(year), counts.get(year, 0)) for year in range(first, last + 1)]
    return stats.column_chart(f"pd-citations-{author.slug}", f"{author.name} の年別被引用数",
                              rows, unit="件")


def digests_by_id(site: Site) -> Mapping[str, Paper]:
    """Every digest by its arXiv id without version (how a work finds its digest)."""
    return {paper.slug: paper for paper in site.papers}


def digest_of(work: Work, digests: Mapping[str, Paper]) -> Paper | None:
    """The digest of a work, when the site has one."""
    return digests.get(work.arxiv.base) if work.arxiv is not None else None


@dataclass(frozen=True)
class Wanted:
    """A work of recorded authors that has no digest yet."""

    work: Work
    authors: tuple[str, ...]
    """Slugs of the recorded authors who list it, in the site's author order."""


def wanted(site: Site) -> tuple[Wanted, ...]:
    """Works on arXiv of recorded authors without a digest, newest first, each once (a paper
    of two recorded authors is listed with both). Works without an arXiv id are left out:
    ``paperdigest new`` needs one."""
    digests = digests_by_id(site)
    found: dict[str, tuple[Work, list[str]]] = {}
    for slug, author in site.authors.items():
        for work in author.works:
            if work.arxiv is None or work.arxiv.base in digests:
                continue
            entry = found.setdefault(work.arxiv.base, (work, []))
            entry[1].append(slug)
    ordered = sorted(found.values(), key=lambda entry: (*work_order(entry[0]),
                                                       entry[0].arxiv.base if entry[0].arxiv
                                                       else ""))
    return tuple(Wanted(work, tuple(slugs)) for work, slugs in ordered)


def by_score(papers: Sequence[Paper]) -> tuple[Paper, ...]:
    """Digests with a score, highest first; equal scores newest first, then by id."""
    scored = [p for p in papers if p.score is not None]
    return tuple(sorted(scored, key=lambda p: (-(p.score or 0.0), -p.date.toordinal(),
                                               p.slug)))


def shown_date(date: dt.date | None) -> str:
    """A work's date as listed (``2019-07-25``), or ``日付不明``."""
    return date.isoformat() if date is not None else "日付不明"
