"""The in-memory content model: frozen, fully resolved, no I/O.

``loader`` builds a ``Site``; everything downstream (render, feeds, export) only reads it.
Cross-page data (who wrote what, co-authors, tag counts) is computed once here, in
``Site.build``, never per page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from .ids import ArxivId

if TYPE_CHECKING:  # the model stays stdlib-only at run time; works.py holds the parser too
    from .provenance import Provenance
    from .works import Work, WorksFile

SECTION_TITLES: Mapping[int, str] = MappingProxyType(
    {
        1: "既存研究では何ができなかったのか",
        2: "どのようなアプローチでそれを解決しようとしたか",
        3: "結果、何が達成できたのか",
        4: "Limitationや問題点は何か",
        5: "技術的な詳細について",
        6: "コストや物理的な詳細について",
        7: "参考文献のうち、特に参照すべきもの",
        8: "この論文を140字以内のツイートで要約すると？",
    }
)
"""The canonical short heading of each of the eight sections."""


@dataclass(frozen=True)
class Section:
    """One of the eight numbered sections of a digest."""

    number: int
    """1 to 8."""
    heading: str
    """The heading as written (without ``## N.``)."""
    body: str
    """Markdown of the section, without its heading."""
    line: int
    """Line of the heading in the source file."""


@dataclass(frozen=True)
class Metrics:
    """Bibliometric figures of an author, with where and when they were read."""

    h_index: int | None = None
    citations: int | None = None
    papers: int | None = None
    as_of: dt.date | None = None
    """The day the figures were read."""
    source: str | None = None
    """``openalex``, ``semantic-scholar``, or the name of the page the figures were copied
    from by hand."""
    extra: tuple[tuple[str, str], ...] = ()
    """Other figures the record declares (``novelty: 49%``), as (key, shown value)."""
    source_url: str | None = None
    """Where the figures were read: the API address, or the page copied by hand."""
    definitions: tuple[tuple[str, str], ...] = ()
    """One-line definitions of the ``extra`` figures the record gives, as (key, text)."""


@dataclass(frozen=True)
class Author:
    """A person named on at least one paper, with their record's data when there is one."""

    slug: str
    """URL part: the record id, or a slug of the name."""
    name: str
    """Display name (the record's ``name``, else the name as first seen on a paper)."""
    native_name: str | None = None
    sort_name: str | None = None
    """How the author index files the name (the record's ``sort_name``: family name first,
    ``Akiba, Takuya``, or a reading); ``None`` when the record gives none: see ``filing_name``."""
    aliases: tuple[str, ...] = ()
    affiliation: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    """(kind, URL) pairs in a fixed order: homepage, x, github, orcid, scholar, …"""
    bio: str | None = None
    metrics: Metrics | None = None
    record_path: str | None = None
    """``content/authors/<id>.yaml`` when the author has a record."""
    works_file: WorksFile | None = None
    """``<id>.works.json`` beside the record, as ``authors refresh`` stored it."""

    @property
    def has_record(self) -> bool:
        return self.record_path is not None

    @property
    def filing_name(self) -> str:
        """The name as the author index files it: ``sort_name`` when given; else a Latin
        name's last word (taken as the family name) first, ``Takuya Akiba`` → ``Akiba,
        Takuya``; else the name as written (``秋葉 拓哉`` is already family name first)."""
        if self.sort_name:
            return self.sort_name
        words = self.name.split()
        if len(words) > 1 and words[-1][:1].isascii() and words[-1][:1].isalpha():
            return f"{words[-1]}, {' '.join(words[:-1])}"
        return self.name

    @property
    def works(self) -> tuple[Work, ...]:
        """The author's works as the bibliographic source lists them, newest first."""
        return self.works_file.works if self.works_file else ()

    @property
    def citations_by_year(self) -> tuple[tuple[int, int], ...]:
        """(year, citations received that year), ascending."""
        return self.works_file.counts_by_year if self.works_file else ()


@dataclass(frozen=True)
class Tag:
    """A tag: front-matter tags and blurb hashtags with the same key are one tag."""

    slug: str
    name: str
    """Display form (the most used spelling)."""
    key: str
    """NFKC + casefold comparison key."""


@dataclass(frozen=True)
class Paper:
    """One digest."""

    arxiv: ArxivId
    slug: str
    """URL part: the id without version (``2503.04504``, ``hep-th/9901001``)."""
    title: str
    authors: tuple[str, ...]
    """Author slugs, in paper order."""
    author_names: tuple[str, ...]
    """Names as printed on the paper, in paper order."""
    date: dt.date
    date_is_estimated: bool
    """True when no date was given and the id's year and month were used."""
    category: str | None
    tags: tuple[str, ...]
    """Tag slugs: front-matter tags first, then blurb hashtags, without repeats."""
    code: str | None
    blurb: str
    blurb_en: str | None
    sections: tuple[Section, ...]
    source_path: str
    """Path of the digest relative to the project root."""
    abstract: str | None = None
    """The arXiv abstract, as fetched by ``paperdigest new``."""
    comment: str | None = None
    """The arXiv comment (pages, venue)."""
    doi: str | None = None
    """The journal DOI, when the paper has one besides arXiv's."""
    affiliations: tuple[str, ...] = ()
    """Institutions of the authors as the paper gives them (the front matter's list; an
    author record's current affiliation is never the paper's)."""
    score: float | None = None
    """The digest's ``score:`` (its meaning is the site's ``score_label``)."""
    added: dt.date | None = None
    """The day the digest joined the site: ``added:``, else the day its file first entered
    git history; ``None`` when neither says (``added_on`` is then the paper's date)."""
    provenance: Provenance | None = None
    """The model that drafted the digest (``provenance:``), when one did."""

    @property
    def added_on(self) -> dt.date:
        """The date the site orders and dates the digest by: added, else the paper's date."""
        return self.added or self.date

    @property
    def shown_date(self) -> str:
        """The paper's date as pages print it: ``2025-03`` when only the id's month is known."""
        return self.date.isoformat()[:7] if self.date_is_estimated else self.date.isoformat()

    @property
    def shows_added(self) -> bool:
        """Whether pages print the 追加日 beside the paper's date (only when they differ)."""
        return self.added is not None and self.added != self.date

    @property
    def sort_key(self) -> tuple[dt.date, dt.date, str]:
        """Newest added first (reversed), then by the paper's date, then by id."""
        return (self.added_on, self.date, self.slug)


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs, resolved and cross-indexed."""

    papers: tuple[Paper, ...]
    """Newest added first (date added, then the paper's date, then id, descending)."""
    authors: Mapping[str, Author]
    """By slug, sorted by display name."""
    tags: Mapping[str, Tag]
    """By slug, sorted by name."""
    papers_by_author: Mapping[str, tuple[Paper, ...]] = field(default_factory=dict)
    papers_by_tag: Mapping[str, tuple[Paper, ...]] = field(default_factory=dict)
    coauthors: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    """Author slug -> (co-author slug, shared papers), most shared first."""
    top_tags_by_author: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, papers: Iterable[Paper], authors: Mapping[str, Author], tags: Mapping[str, Tag]
    ) -> Site:
        """Order everything and compute the cross-page maps once."""
        ordered = tuple(sorted(papers, key=lambda p: p.sort_key, reverse=True))
        by_author: dict[str, list[Paper]] = {}
        by_tag: dict[str, list[Paper]] = {}
        pairs: dict[str, Counter[str]] = {}
        author_tags: dict[str, Counter[str]] = {}
        for paper in ordered:
            for slug in paper.authors:
                by_author.setdefault(slug, []).append(paper)
                pairs.setdefault(slug, Counter()).update(a for a in paper.authors if a != slug)
                author_tags.setdefault(slug, Counter()).update(paper.tags)
            for tag in paper.tags:
                by_tag.setdefault(tag, []).append(paper)

        def ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
            return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

        return cls(
            papers=ordered,
            authors=MappingProxyType(
                dict(sorted(authors.items(), key=lambda kv: (kv[1].name.casefold(), kv[0])))
            ),
            tags=MappingProxyType(dict(sorted(tags.items(), key=lambda kv: (kv[1].key, kv[0])))),
            papers_by_author=MappingProxyType({k: tuple(v) for k, v in by_author.items()}),
            papers_by_tag=MappingProxyType({k: tuple(v) for k, v in by_tag.items()}),
            coauthors=MappingProxyType({k: ranked(v) for k, v in pairs.items()}),
            top_tags_by_author=MappingProxyType({k: ranked(v) for k, v in author_tags.items()}),
        )
