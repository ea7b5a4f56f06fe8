"""What researcher profiles and the contributors' pages show, computed from the model.

An author page leads with the author's figures as tiles, draws the citations received per
year (inline SVG, like the stats page), and lists every work the bibliographic source knows,
digested or not. The "digest wanted" page gathers the works of recorded authors that have
no digest yet; the ranking page orders digests by their ``score:``. Nothing here reads a
file or the network: works come from ``<id>.works.json`` through the loader.

Every figure is shown with where and when it was read (``Attribution``), or not at all:
figures without a source and a date, and figures of the record's own (``novelty``) without a
one-line definition or under a service that gives no such figure, are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..content.ids import text_key
from ..content.model import Author, Paper, Site
from ..content.works import SOURCES, Work, work_order
from . import stats

SOURCE_NAMES = {"openalex": "OpenAlex", "semantic-scholar": "Semantic Scholar"}
"""How a metrics or works source is named on a page (free text is shown as written)."""


def source_name(source: str | None) -> str | None:
    """``openalex`` -> ``OpenAlex``; hand-entered sources as written."""
    return None if source is None else SOURCE_NAMES.get(source, source)


@dataclass(frozen=True)
class Attribution:
    """Where and when figures were read, as a page credits them."""

    name: str
    """``OpenAlex``, or the page copied by hand as the record names it."""
    url: str | None
    """The address read, when the record or the works file gives it."""
    as_of: dt.date
    hand_copied: bool
    """True when ``source`` names a page rather than a service the tools read."""


def attribution(source: str | None, url: str | None, as_of: dt.date | None
                ) -> Attribution | None:
    """The credit line of figures, or ``None`` when the source or the date is unknown."""
    if not source or as_of is None:
        return None
    return Attribution(source_name(source) or source, url, as_of, source not in SOURCES)


def metrics_source(author: Author) -> Attribution | None:
    """Where the tiles' figures come from; ``None``: no tiles are shown."""
    m = author.metrics
    return None if m is None else attribution(m.source, m.source_url, m.as_of)


def works_source(author: Author) -> Attribution | None:
    """Where the works list and the yearly citations come from."""
    f = author.works_file
    return None if f is None else attribution(f.source, f.source_url, f.as_of)


@dataclass(frozen=True)
class Tile:
    """One figure of an author: a label, the number as shown, what it means."""

    label: str
    value: str
    definition: str
    """One line, shown as the label's tooltip (``<abbr title>``)."""


STANDARD_TILES = (
    ("h_index", "h 指数", "h 本の論文がそれぞれ h 回以上引用されている、最大の h（出典の集計）"),
    ("papers", "論文数", "出典が数えたこの著者の論文の数（このサイトのダイジェストの数ではない）"),
    ("citations", "被引用数", "出典が数えた、この著者の論文が引用された回数の合計"),
)
"""The figures every source gives: key, label, definition (the About page says the same)."""


def tiles(author: Author, labels: Mapping[str, str]) -> tuple[Tile, ...]:
    """The author's figures in the order of the seed profiles: h-index, papers, citations,
    then the record's other figures (``novelty``, ``ai_score``) under ``labels``' names.

    Nothing without a source and a date. A figure of the record's own needs a definition in
    the record and a hand-copied source (no service the tools read gives such figures)."""
    m = author.metrics
    credit = metrics_source(author)
    if m is None or credit is None:
        return ()
    out = [Tile(label, f"{value:,}", definition) for key, label, definition in STANDARD_TILES
           if (value := getattr(m, key)) is not None]
    if credit.hand_copied:
        defined = dict(m.definitions)
        out.extend(Tile(labels.get(key, key.replace("_", " ")), value, defined[key])
                   for key, value in m.extra if key in defined)
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


_TITLE = "title:"
"""Prefix of the title keys in ``digests_by_id`` (no arXiv id starts with it)."""


def digests_by_id(site: Site) -> Mapping[str, Paper]:
    """Every digest by its arXiv id without version (how a work finds its digest), and by
    ``title:`` + its title's ``text_key`` (how a work copied by hand, without ids, finds it;
    a title two digests share finds neither)."""
    by_title: dict[str, Paper | None] = {}
    for paper in site.papers:
        key = _TITLE + text_key(paper.title)
        by_title[key] = None if key in by_title else paper
    found: dict[str, Paper] = {k: p for k, p in by_title.items() if p is not None}
    found.update((paper.slug, paper) for paper in site.papers)
    return found


def digest_of(work: Work, digests: Mapping[str, Paper]) -> Paper | None:
    """The digest of a work, when the site has one: by arXiv id; a work without one, by its
    exact title (case and width aside)."""
    if work.arxiv is not None:
        return digests.get(work.arxiv.base)
    return digests.get(_TITLE + text_key(work.title))


def coauthors(work: Work) -> str:
    """``A, B, C ほか 5 名`` (or ``ほか`` when the source does not say how many)."""
    names = ", ".join(work.authors)
    if work.more_authors:
        return f"{names} ほか {work.more_authors:,} 名"
    return f"{names} ほか" if work.et_al and names else names


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
