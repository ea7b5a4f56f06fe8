"""An author's works from OpenAlex or Semantic Scholar, for ``content/authors/<id>.works.json``.

Only ``paperdigest authors refresh`` calls this; the build reads the committed file and never
the network. Requests go through the source's ``MetricsClient`` (same spacing, retries, key,
time and size limits), and a failure is a ``MetricsError`` like any other, so the refresh
keeps that author's old values.

- OpenAlex: ``GET /works?filter=author.id:A…&sort=publication_date:desc``, paged with its
  cursor, newest first, so the newest ``MAX_WORKS`` take at most two pages of 100; the
  yearly citations come from the author object (``counts_by_year``).
- Semantic Scholar: ``GET /author/{id}/papers?fields=…``, paged by offset in the order the
  API keeps (not by date), so up to ``S2_MAX_PAGES`` pages are read and the newest kept. It
  has no yearly citation counts.

Each work keeps the source's ids (OpenAlex ``W…``, DOI, arXiv id, S2 ``paperId``), its
landing page, the first three authors with how many follow, and the abstract when the source
gives one (OpenAlex sends it as an inverted index: word -> positions; the text is rebuilt).
Neither source names a code repository, so ``code`` stays empty. A field that would not
pass ``parse_works`` (a bad DOI) is dropped, and a work without a usable title is left out,
rather than failing the whole author; a figure beyond the bounds of the check
(``MAX_COUNT``) fails the author, since the answer cannot be trusted.

Paging stops at an empty page, a page with nothing usable, a cursor or a page seen before,
or ``MAX_PAGES``: a server that hands out cursors for ever cannot keep a refresh running.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from ..content import works as w
from ..content.ids import ArxivId, parse_arxiv_id
from ..errors import MetricsError
from .metrics import OPENALEX, MetricsClient, normalize_id

PAGE = 100
"""Works per request: polite for both APIs (OpenAlex allows 200, Semantic Scholar 1000)."""
S2_MAX_PAGES = 5
"""Semantic Scholar lists works in no date order: read at most this many pages."""
MAX_PAGES = 4
"""OpenAlex pages of works asked for at most (``MAX_WORKS`` takes two)."""
MAX_WORDS = 20_000
"""Positions of an OpenAlex abstract index rebuilt at most (real abstracts: a few hundred)."""
_OA_FIELDS = ("id,display_name,publication_date,primary_location,locations,doi,cited_by_count,"
              "authorships,abstract_inverted_index")
_S2_FIELDS = "paperId,url,title,publicationDate,venue,externalIds,citationCount,authors,abstract"
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "doi:")
_ARXIV_DOI = "10.48550/arxiv."


class WorksClient:
    """The works of authors from the source of ``metrics``."""

    def __init__(self, metrics: MetricsClient) -> None:
        self.metrics = metrics

    def fetch(self, author_id: str, as_of: dt.date) -> w.WorksFile:
        """The newest works (at most ``MAX_WORKS``) and yearly citations of one author."""
        self.metrics.check_base_url()
        wanted = normalize_id(self.metrics.source, author_id)
        self.total: int | None = None
        if self.metrics.source == OPENALEX:
            raw, years = list(self._openalex(wanted)), self._openalex_years(wanted)
            url = (f"{self.metrics.base_url}/works?filter=author.id:{wanted}"
                   "&sort=publication_date:desc")
        else:
            raw, years = list(self._s2(wanted)), []
            url = f"{self.metrics.base_url}/author/{wanted}/papers?fields={_S2_FIELDS}"
        kept = [ok for work in raw if (ok := _readable(work, self.metrics.source, as_of))]
        return w.WorksFile.of(self.metrics.source, as_of, kept, years, source_url=url,
                              total=self.total)

    # --- OpenAlex ------------------------------------------------------------------------

    def _openalex(self, wanted: str) -> Iterator[w.Work]:
        cursor, count = "*", 0
        seen_cursors: set[str] = set()
        seen_pages: set[tuple[str, ...]] = set()
        for _ in range(MAX_PAGES):
            if not cursor or count >= w.MAX_WORKS or cursor in seen_cursors:
                return
            seen_cursors.add(cursor)
            params = {"filter": f"author.id:{wanted}", "sort": "publication_date:desc",
                      "per-page": str(PAGE), "cursor": cursor, "select": _OA_FIELDS}
            data = self._page(wanted, "/works", params)
            results = data.get("results")
            if not isinstance(results, list):
                raise self._shape(wanted, "no results list")
            meta = data.get("meta")
            meta = meta if isinstance(meta, dict) else {}
            if self.total is None:
                self.total = self._figure(wanted, "meta.count", meta.get("count"))
            page = [work for item in results if isinstance(item, dict)
                    and (work := self._openalex_work(wanted, item)) is not None]
            signature = tuple(x.openalex or x.title for x in page)
            if not page or signature in seen_pages:
                return  # an empty page, or one seen before: the listing is over
            seen_pages.add(signature)
            for work in page:
                count += 1
                yield work
            nxt = meta.get("next_cursor")
            cursor = nxt if isinstance(nxt, str) else ""

    def _openalex_work(self, wanted: str, item: Mapping[str, Any]) -> w.Work | None:
        work = _openalex_work(item)
        if work is not None:
            self._figure(wanted, "cited_by_count", item.get("cited_by_count"))
            self._figure(wanted, "authorships", len(_list(item.get("authorships"))))
        return work

    def _figure(self, wanted: str, field: str, raw: Any) -> int | None:
        """A count from the answer; ``MetricsError`` when it is beyond the check's bound."""
        value = _count(raw)
        if value is not None and value > w.MAX_COUNT:
            raise MetricsError(f"{self.metrics.name}'s works answer for {wanted} has {field} "
                               f"above the limit of {w.MAX_COUNT:,}: no real figure is that "
                               "large; try again later or use the other source")
        return value

    def _openalex_years(self, wanted: str) -> list[tuple[int, int]]:
        data = self._page(wanted, f"/authors/{wanted}", {"select": "id,counts_by_year"})
        years = data.get("counts_by_year")
        if not isinstance(years, list):
            raise self._shape(wanted, "no counts_by_year list")
        out = []
        for item in years:
            year = _count(item.get("year")) if isinstance(item, dict) else None
            cited = (self._figure(wanted, "counts_by_year.cited_by_count",
                                  item.get("cited_by_count")) if isinstance(item, dict) else None)
            if year is not None and cited is not None:
                out.append((year, cited))
        return out

    # --- Semantic Scholar ----------------------------------------------------------------

    def _s2(self, wanted: str) -> Iterator[w.Work]:
        offset: int | None = 0
        seen_pages: set[tuple[str, ...]] = set()
        for _ in range(S2_MAX_PAGES):
            if offset is None:
                return
            params = {"fields": _S2_FIELDS, "limit": str(PAGE), "offset": str(offset)}
            data = self._page(wanted, f"/author/{wanted}/papers", params)
            items = data.get("data")
            if not isinstance(items, list):
                raise self._shape(wanted, "no data list")
            page = [work for item in items if isinstance(item, dict)
                    and (work := self._s2_work(wanted, item)) is not None]
            signature = tuple(x.s2 or x.title for x in page)
            if not page or signature in seen_pages:
                return
            seen_pages.add(signature)
            yield from page
            nxt = _count(data.get("next"))
            offset = nxt if nxt is not None and nxt > offset else None

    def _s2_work(self, wanted: str, item: Mapping[str, Any]) -> w.Work | None:
        work = _s2_work(item)
        if work is not None:
            self._figure(wanted, "citationCount", item.get("citationCount"))
            self._figure(wanted, "authors", len(_list(item.get("authors"))))
        return work

    # --- both ----------------------------------------------------------------------------

    def _page(self, wanted: str, path: str, params: dict[str, str]) -> Mapping[str, Any]:
        mc = self.metrics
        response = mc.get(wanted, path, *mc.auth(params))
        if response.status != 200:
            mc.refuse(wanted, response)  # raises: a redirect here is an error too
        data = mc.json(wanted, response)
        if not isinstance(data, dict):
            raise MetricsError(f"{mc.name} sent {type(data).__name__} instead of an object "
                               f"for the works of {wanted}: try again later")
        return data

    def _shape(self, wanted: str, what: str) -> MetricsError:
        return MetricsError(f"{self.metrics.name}'s works answer for {wanted} has {what}: try "
                            "again later or use the other source")


def _openalex_work(item: Mapping[str, Any]) -> w.Work | None:
    title = _clean(item.get("display_name"), w.MAX_TITLE)
    if not title:
        return None
    doi = _doi(item.get("doi"))
    arxiv = _arxiv_of_doi(doi)
    locations = [loc for loc in [item.get("primary_location"), *_list(item.get("locations"))]
                 if isinstance(loc, dict)]
    for loc in locations:
        page = loc.get("landing_page_url")
        if arxiv is None and isinstance(page, str) and "arxiv.org/" in page:
            arxiv = parse_arxiv_id(page)
    source = locations[0].get("source") if locations else None
    venue = _clean(source.get("display_name"), w.MAX_VENUE) if isinstance(source, dict) else ""
    if arxiv is not None and venue.lower().startswith("arxiv"):
        venue = ""  # the arXiv id says it; "arXiv (Cornell University)" is no venue
    page = locations[0].get("landing_page_url") if locations else None
    names = [_name((a.get("author") or {}).get("display_name")) if isinstance(a, dict) and
             isinstance(a.get("author"), dict) else "" for a in _list(item.get("authorships"))]
    authors, more = _first(names)
    raw_id = item.get("id")
    work_id = raw_id.rsplit("/", 1)[-1] if isinstance(raw_id, str) else None
    return w.Work(title=title, date=_date(item.get("publication_date")), venue=venue or None,
                  arxiv=arxiv, doi=None if arxiv is not None and doi and
                  doi.lower().startswith(_ARXIV_DOI) else doi,
                  citations=_count(item.get("cited_by_count")), openalex=work_id,
                  url=page if isinstance(page, str) else None, authors=authors,
                  more_authors=more,
                  abstract=_clean(inverted_text(item.get("abstract_inverted_index")),
                                  w.MAX_ABSTRACT) or None)


def _s2_work(item: Mapping[str, Any]) -> w.Work | None:
    title = _clean(item.get("title"), w.MAX_TITLE)
    if not title:
        return None
    ids = item.get("externalIds")
    ids = ids if isinstance(ids, dict) else {}
    raw_arxiv = ids.get("ArXiv")
    arxiv = parse_arxiv_id(raw_arxiv) if isinstance(raw_arxiv, str) else None
    venue = _clean(item.get("venue"), w.MAX_VENUE)
    if arxiv is not None and venue.lower().startswith("arxiv"):
        venue = ""
    names = [_name(a.get("name")) if isinstance(a, dict) else ""
             for a in _list(item.get("authors"))]
    authors, more = _first(names)
    paper_id, url = item.get("paperId"), item.get("url")
    return w.Work(title=title, date=_date(item.get("publicationDate")), venue=venue or None,
                  arxiv=arxiv, doi=_doi(ids.get("DOI")),
                  citations=_count(item.get("citationCount")),
                  s2=paper_id if isinstance(paper_id, str) else None,
                  url=url if isinstance(url, str) else None, authors=authors, more_authors=more,
                  abstract=_clean(item.get("abstract"), w.MAX_ABSTRACT) or None)


def inverted_text(index: Any) -> str:
    """An abstract from OpenAlex's inverted index (``{"word": [0, 5], …}``), words in the
    order of their positions; ``""`` for anything else or beyond ``MAX_WORDS`` positions."""
    if not isinstance(index, dict):
        return ""
    placed: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(word, str) or not isinstance(positions, list):
            return ""
        for pos in positions:
            if isinstance(pos, bool) or not isinstance(pos, int) or not 0 <= pos < MAX_WORDS:
                return ""
            placed[pos] = word
            if len(placed) > MAX_WORDS:
                return ""
    return " ".join(placed[pos] for pos in sorted(placed))


def _first(names: list[str]) -> tuple[tuple[str, ...], int | None]:
    """The first ``SHOWN_AUTHORS`` usable names and how many authors follow them."""
    kept = [n for n in names if n]
    shown = tuple(kept[:w.SHOWN_AUTHORS])
    return shown, (len(kept) - len(shown) if kept else None)


def _name(raw: Any) -> str:
    name = _clean(raw, w.MAX_NAME)
    return "" if "<" in name or ">" in name or "`" in name else name


_OPTIONAL: Mapping[str, Any] = {"doi": None, "venue": None, "code": None, "url": None,
                                "openalex": None, "s2": None, "authors": (),
                                "more_authors": None, "abstract": None}
"""Fields a source may get wrong, and their empty values."""


def _readable(work: w.Work, source: str, as_of: dt.date) -> w.Work | None:
    """The work as a works file keeps it: whole if it passes ``parse_works``, else with only
    the fields that pass (a bad DOI must not lose the work or its abstract), else ``None``."""
    def passes(candidate: w.Work) -> bool:
        try:  # dump_works reads its own text back and refuses what would not pass
            w.dump_works(w.WorksFile(source, as_of, (candidate,)))
        except ValueError:
            return False
        return True

    if passes(work):
        return work
    bare = replace(work, **_OPTIONAL)
    if not passes(bare):
        return None
    good = {k: getattr(work, k) for k in _OPTIONAL
            if passes(replace(bare, **{k: getattr(work, k)}))}
    whole = replace(bare, **good)
    return whole if passes(whole) else bare


def _clean(raw: Any, limit: int) -> str:
    text = w.plain_text(raw) if isinstance(raw, str) else ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _doi(raw: Any) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip()
    for prefix in _DOI_PREFIXES:
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
    return text or None


def _arxiv_of_doi(doi: str | None) -> ArxivId | None:
    if doi and doi.lower().startswith(_ARXIV_DOI):
        return parse_arxiv_id(doi[len(_ARXIV_DOI):])
    return None


def _date(raw: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
    except ValueError:
        return None


def _count(raw: Any) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0 else None


def _list(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else []
