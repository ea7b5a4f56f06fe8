"""Rendering the ``Site`` into Markdown pages with the Jinja templates in ``site_templates/``.

``render_site`` returns ``{source URI: markdown}`` and never touches the disk: the MkDocs
plugin turns the mapping into virtual files and ``paperdigest export`` writes it out.
Templates produce Markdown, so autoescaping is off and every piece of content text goes
through the ``md`` (Markdown text) or ``attr`` (HTML attribute) filter explicitly.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

import jinja2

from ..content import blurb as blurbs
from ..content import ids
from ..content.model import SECTION_TITLES, Author, Paper, Site, Tag
from ..errors import RenderError
from ..project import Project
from . import cite, feeds, paths, profile, scholar, stats
from . import thread as threads
from .fingerprint import code_fingerprint, theme_fingerprint, value_digest
from .related import related_papers


def _templates_dir() -> Path:
    """The templates shipped in the wheel, or the repository's folder in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    bundled = package / "site_templates"
    return bundled if bundled.is_dir() else package.parent.parent / "site_templates"


T = TypeVar("T")

TEMPLATES_DIR = _templates_dir()
"""Page templates, assets and theme overrides that come with paperdigest."""

# Characters Python-Markdown (with the tables and attr_list extensions) treats as markup.
_MD_SPECIAL = re.compile(r"([\\`*_{}#+\-.!|])")
# Brackets, parentheses and dollars as character references: a backslash before them would
# open LaTeX math (``\(``, ``\[``) and a bare ``$`` might close it.
_MD_ENTITIES = str.maketrans({"[": "&#91;", "]": "&#93;", "(": "&#40;", ")": "&#41;",
                              "$": "&#36;"})


def md(value: object) -> str:
    """Escape text for use as literal text in Markdown (and the HTML it becomes)."""
    text = html.escape(str(value), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text).translate(_MD_ENTITIES)


def yaml_str(value: object) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


def attr(value: object) -> str:
    """Escape text for a double-quoted HTML attribute."""
    return html.escape(str(value), quote=True)


def hashtags(text: str) -> str:
    """Blurb text as HTML, each hashtag in a ``pd-hashtag`` span that the stylesheet keeps on
    one line: a phone would otherwise break ``#強化学習`` between any two kanji."""
    out: list[str] = []
    at = 0
    for tag in blurbs.extract_hashtags(text):
        out.append(attr(text[at:tag.start]))
        out.append(f'<span class="pd-hashtag">{attr(text[tag.start:tag.end])}</span>')
        at = tag.end
    out.append(attr(text[at:]))
    return "".join(out)


PROFILE_LABELS = {
    "homepage": "ホームページ", "x": "X", "github": "GitHub", "orcid": "ORCID",
    "google_scholar": "Google Scholar", "semantic_scholar": "Semantic Scholar",
    "openalex": "OpenAlex",
}


METRIC_LABELS = {"novelty": "新規性（Novelty）", "ai_score": "AI スコア"}


def metric_label(key: str) -> str:
    """How an extra metric of an author record is named on the page."""
    return METRIC_LABELS.get(key, key.replace("_", " "))


def profile_link(kind: str, value: str) -> str:
    """A Markdown link to one of an author's profiles."""
    return f"[{PROFILE_LABELS[kind]}](<{paths.profile_url(kind, value)}>)"


_ROOT_TOKEN = "\x00up\x00"


class _TokenLinker(paths.Linker):
    """Links whose way up is a placeholder, filled in per page (cards are shared)."""

    @property
    def up(self) -> str:
        return _ROOT_TOKEN


_ROOT_LINKER = _TokenLinker("")


@dataclass(frozen=True)
class Pager:
    """Where a page of a listing sits among its siblings."""

    number: int
    count: int
    first: str
    here: str

    def page(self, n: int) -> str:
        return paths.page_n(self.first, n)


def _paginate(items: Sequence[T], per_page: int, first: str
              ) -> Iterator[tuple[Sequence[T], Pager]]:
    count = max(1, math.ceil(len(items) / per_page))
    for n in range(1, count + 1):
        here = paths.page_n(first, n)
        yield items[(n - 1) * per_page: n * per_page], Pager(n, count, first, here)


@lru_cache(maxsize=4)
def environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The Jinja environment over ``site_templates/`` (cached: templates compile once)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md
    env.filters["attr"] = attr
    env.filters["hashtags"] = hashtags
    env.filters["yaml"] = yaml_str
    env.filters["json"] = scholar.front_matter_json
    env.globals["SECTION_TITLES"] = SECTION_TITLES
    env.globals["abs_url"] = ids.abs_url
    env.globals["pdf_url"] = ids.pdf_url
    env.globals["intent_url"] = blurbs.intent_url
    env.globals["link_of"] = profile_link
    env.globals["metric_label"] = metric_label
    env.globals["paths"] = paths  # feed and category links in templates
    env.globals["shown_date"] = profile.shown_date
    env.globals["source_name"] = profile.source_name
    env.globals["coauthors"] = profile.coauthors
    return env


class Kept(Protocol):
    """Pages rendered by earlier builds, by a key of everything they were rendered from."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, text: str) -> None: ...


class Renderer:
    """Renders one site; holds what every page shares.

    A paper's page and a paper's card are rendered from a slice of the site: the paper, its
    authors and tags (and the page, its related papers), nothing else (``slice_of``). What
    they show is a function of that slice, so with ``kept`` the page is stored under a key
    of the slice and reused by any later build whose slice is the same, and cards are kept
    for the next render in this process (``slices=False`` renders both from the whole site:
    the same pages, which tests compare).
    """

    def __init__(self, site: Site, options: Project, templates_dir: Path,
                 kept: Kept | None = None, *, slices: bool = True) -> None:
        self.site = site
        self.options = options
        self.env = environment(templates_dir)
        self.pages: dict[str, str] = {}
        self._cards: dict[str, str] = {}
        self.kept = kept
        self.slices = slices
        self._base = value_digest((code_fingerprint(), options,
                                   theme_fingerprint([], [templates_dir])))
        self._digests: dict[tuple[str, str], str] = {}
        self._templates: dict[str, jinja2.Template] = {}
        self._card_macro: Any = None
        self.card_texts: dict[str, str] = {}
        """This build's cards by the key of their slice (``_LAST_CARDS`` for the next)."""

    def render(self, template: str, here: str, *, site: Site | None = None,
               **context: Any) -> None:
        try:
            found = self._templates.get(template)
            if found is None:
                found = self._templates[template] = self.env.get_template(template)
            text = found.render(
                site=site or self.site, options=self.options,
                here=here, to=paths.Linker(here), page_url=self.absolute(here), **context,
            )
        except jinja2.TemplateError as exc:
            where = getattr(exc, "lineno", None)
            name = getattr(exc, "name", None) or getattr(exc, "filename", None) or template
            line = f", line {where}" if where else ""
            raise RenderError(f"site_templates/{name}{line}: {exc}") from exc
        self.pages[here] = text

    def absolute(self, src_uri: str) -> str:
        return paths.absolute(self.options.site_url, src_uri)

    def card(self, paper: Paper, to: paths.Linker) -> str:
        """The card of a paper: rendered once, then given the page's way up to the root.

        A card shows the paper, its authors and its tags: it is rendered from that slice
        of the site and kept by its key for the next build of this process (a preview)."""
        text = self._cards.get(paper.slug)
        if text is None and not self.slices:
            macro = self.env.get_template("partials/card.md.j2").module.card  # type: ignore[attr-defined]
            text = self._cards[paper.slug] = str(macro(
                paper, _ROOT_LINKER, self.site, self.share, self.absolute,
                self.options.score_label))
        if text is None:
            part = slice_of(self.site, paper)
            key = value_digest((self._base, self._digest("paper", paper),
                                [self._digest("author", a) for a in part.authors.values()],
                                [self._digest("tag", t) for t in part.tags.values()]))
            text = _LAST_CARDS.get(key)
            if text is None:
                if self._card_macro is None:
                    self._card_macro = self.env.get_template(  # type: ignore[attr-defined]
                        "partials/card.md.j2").module.card
                text = str(self._card_macro(paper, _ROOT_LINKER, part, self.share,
                                            self.absolute, self.options.score_label))
            self._cards[paper.slug] = self.card_texts[key] = text
        return text.replace(_ROOT_TOKEN, to.up)

    def share(self, paper: Paper, text: str) -> str:
        return blurbs.intent_url(text, self.absolute(paths.paper(paper)))

    def run(self) -> dict[str, str]:
        site, o = self.site, self.options
        common: dict[str, Any] = {"share": self.share, "absolute": self.absolute, "card": self.card}
        self.render("pages/home.md.j2", paths.HOME, papers=site.papers[: o.home_count], **common)
        for chunk, pager in _paginate(site.papers, o.per_page, paths.PAPERS):
            self.render("pages/papers.md.j2", pager.here, papers=chunk, pager=pager, **common)
        for chunk, pager in _paginate(site.papers, o.per_page, paths.BLURBS):
            self.render("pages/blurbs.md.j2", pager.here, papers=chunk, pager=pager, **common)
        for paper in site.papers:
            self._paper_page(paper, common)
        for slug, author in site.authors.items():
            papers = site.papers_by_author.get(slug, ())
            for chunk, pager in _paginate(papers, o.per_page, paths.author(slug)):
                self.render("pages/author.md.j2", pager.here, author=author, papers=chunk,
                            total=len(papers), pager=pager, **common,
                            **self._author_extras(author, pager))
        self._author_index()
        for slug, tag in site.tags.items():
            papers = site.papers_by_tag.get(slug, ())
            for chunk, pager in _paginate(papers, o.per_page, paths.tag(slug)):
                self.render("pages/tag.md.j2", pager.here, tag=tag, papers=chunk,
                            total=len(papers), pager=pager, **common)
        self.render("pages/tags.md.j2", paths.TAGS)
        self._reader_pages(common)
        self._contributor_pages(common)
        return self.pages

    # Reader features: related papers, citation, reading time, archive, categories, stats.
    @cached_property
    def related(self) -> Mapping[str, tuple[Paper, ...]]:
        """Related papers of every paper, computed once for the whole site (kept by what
        they are computed from: each paper's id, date, authors and tags)."""
        if self.kept is None:
            return related_papers(self.site)
        by_slug = {p.slug: p for p in self.site.papers}
        key = value_digest(("related", self._base, [(p.slug, p.date, p.authors, p.tags)
                                                    for p in self.site.papers]))
        found = self.kept.get(key)
        if found is not None:
            try:
                lists = json.loads(found)
                return {slug: tuple(by_slug[s] for s in others)
                        for slug, others in lists.items()}
            except (ValueError, KeyError, TypeError, AttributeError):
                pass  # not what this site's papers give: computed again
        related = related_papers(self.site)
        self.kept.put(key, json.dumps({k: [p.slug for p in v] for k, v in related.items()}))
        return related

    # Researcher profiles: figures, citations per year, works; the queue and the ranking.
    @cached_property
    def digests(self) -> Mapping[str, Paper]:
        return profile.digests_by_id(self.site)

    def _author_extras(self, author: Author, pager: Pager) -> dict[str, Any]:
        first = pager.number == 1  # figures, chart and works lead the first page only
        return {"tiles": profile.tiles(author, METRIC_LABELS) if first else (),
                "metrics_source": profile.metrics_source(author),
                "works_source": profile.works_source(author),
                "chart": profile.citations_chart(author) if first else "",
                "works": author.works if first else (),
                "digest_of": lambda work: profile.digest_of(work, self.digests)}

    def _contributor_pages(self, common: dict[str, Any]) -> None:
        queue = profile.wanted(self.site)
        for chunk, pager in _paginate(queue, self.options.per_page, paths.WANTED):
            self.render("pages/wanted.md.j2", pager.here, wanted=chunk, total=len(queue),
                        pager=pager)
        ranked = profile.by_score(self.site.papers)
        for chunk_p, pager in _paginate(ranked, self.options.per_page, paths.RANKING):
            self.render("pages/by_score.md.j2", pager.here, papers=chunk_p, total=len(ranked),
                        pager=pager, **common)

    def _paper_page(self, paper: Paper, common: dict[str, Any]) -> None:
        here, related = paths.paper(paper), self.related.get(paper.slug, ())
        if not self.slices:
            self.render("pages/paper.md.j2", here, paper=paper, **common,
                        **self._paper_extras(paper, self.site, related))
            return
        part = slice_of(self.site, paper)
        key = ""
        if self.kept is not None:
            key = value_digest((self._base, here, self._digest("paper", paper),
                                [self._digest("paper", p) for p in related],
                                [self._digest("author", a) for a in part.authors.values()],
                                [self._digest("tag", t) for t in part.tags.values()]))
            found = self.kept.get(key)
            if found is not None:
                self.pages[here] = found
                return
        # No ``card``: a card reads other papers' authors, which the slice does not hold.
        self.render("pages/paper.md.j2", here, site=part, paper=paper,
                    share=common["share"], absolute=common["absolute"],
                    **self._paper_extras(paper, part, related))
        if self.kept is not None:
            self.kept.put(key, self.pages[here])

    def _digest(self, kind: str, value: Paper | Author | Tag) -> str:
        """A hash of one paper, author or tag, once per build."""
        slug = value.slug
        found = self._digests.get((kind, slug))
        if found is None:
            found = self._digests[kind, slug] = value_digest(value)
        return found

    def _paper_extras(self, paper: Paper, site: Site, related: tuple[Paper, ...]
                      ) -> dict[str, Any]:
        url = self.absolute(paths.paper(paper))
        return {"related": related, "bibtex": cite.bibtex(paper),
                "cite_line": cite.digest_line(paper, site, url, self.options.site_name),
                "reading_minutes": stats.reading_minutes(paper),
                "citation_meta": scholar.citation_meta(paper, site),
                "scholarly": scholar.scholarly_article(paper, site, url,
                                                       self.options.site_name),
                "thread": threads.thread(paper, url)}

    def _reader_pages(self, common: dict[str, Any]) -> None:
        site, per_page = self.site, self.options.per_page
        months = stats.by_month(site.papers)
        self.render("pages/archive.md.j2", paths.ARCHIVE, months=months)
        for (year, month), papers in months:
            for chunk, pager in _paginate(papers, per_page, paths.archive_month(year, month)):
                self.render("pages/archive_month.md.j2", pager.here, year=year, month=month,
                            papers=chunk, total=len(papers), pager=pager, **common)
        categories = stats.by_category(site.papers)
        self.render("pages/category_index.md.j2", paths.CATEGORIES, categories=categories)
        for name, papers in categories:
            for chunk, pager in _paginate(papers, per_page, paths.category(name)):
                self.render("pages/category.md.j2", pager.here, name=name, papers=chunk,
                            total=len(papers), pager=pager, **common)
        self.render("pages/stats.md.j2", paths.STATS, charts=stats.charts(site),
                    top_tags=stats.top_tags(site), top_authors=stats.top_authors(site),
                    categories=categories)

    def _author_index(self) -> None:
        authors = list(self.site.authors.values())
        groups = _by_initial(authors)
        split = len(authors) > self.options.authors_per_index
        self.render("pages/authors.md.j2", paths.AUTHORS, groups=groups, split=split,
                    initial_page=paths.authors_initial)
        if split:
            for initial, members in groups:
                self.render("pages/authors_initial.md.j2", paths.authors_initial(initial),
                            initial=initial, authors=members, groups=groups,
                            initial_page=paths.authors_initial)


def initial_of(author: Author) -> str:
    """A–Z by the family name of Latin names (``filing_name``), ``other`` for the rest
    (URL-safe either way)."""
    first = ids.ascii_slug(author.filing_name)[:1]
    return first if first.isalpha() else "other"


def _by_initial(authors: list[Author]) -> list[tuple[str, list[Author]]]:
    groups: dict[str, list[Author]] = {}
    for a in sorted(authors, key=lambda a: (ids.text_key(a.filing_name), a.slug)):
        groups.setdefault(initial_of(a), []).append(a)
    return sorted(groups.items(), key=lambda kv: (kv[0] == "other", kv[0]))


def slice_of(site: Site, paper: Paper) -> Site:
    """The part of ``site`` a paper's page shows: the paper, its authors and its tags."""
    return Site(papers=(paper,),
                authors=MappingProxyType({a: site.authors[a] for a in paper.authors}),
                tags=MappingProxyType({t: site.tags[t] for t in paper.tags}))


_LAST_CARDS: dict[str, str] = {}
"""The cards of this process's last render, by the key of their slice."""


def render_site(site: Site, options: Project, templates_dir: Path | None = None,
                kept: Kept | None = None) -> dict[str, str]:
    """Render every generated page with the project's settings and templates (or
    ``templates_dir``): ``{source URI: markdown}``, in a stable order. Paper pages found in
    ``kept`` (rendered before from the same slice) are not rendered again."""
    global _LAST_CARDS
    renderer = Renderer(site, options, templates_dir or options.templates_dir, kept)
    pages = renderer.run()
    _LAST_CARDS = renderer.card_texts
    return pages


def render_files(site: Site, options: Project) -> dict[str, str | bytes]:
    """Every generated file that is not a page: Atom and JSON feeds, ``papers.json``.

    ``{site-relative path: content}``, in a stable order; like ``render_site`` it never
    touches the disk.
    """
    o = options
    files: dict[str, str | bytes] = dict(feeds.site_feeds(site, o.site_url, o.site_name))
    files[paths.PAPERS_JSON] = feeds.papers_json(site, o.site_url)
    return files
