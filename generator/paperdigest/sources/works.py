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

Neither source names a code repository, so ``code`` stays empty. A field that would not
pass ``parse_works`` (a bad DOI) is dropped, and a work without a usable title is left out,
rather than failing the whole author.
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
_OA_FIELDS = "id,display_name,publication_date,primary_location,locations,doi,cited_by_count"
_S2_FIELDS = "title,publicationDate,venue,externalIds,citationCount"
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
        if self.metrics.source == OPENALEX:
            raw, years = list(self._openalex(wanted)), self._openalex_years(wanted)
        else:
            raw, years = list(self._s2(wanted)), []
        kept = [ok for work in raw if (ok := _readable(work, self.metrics.source, as_of))]
        return w.WorksFile.of(self.metrics.source, as_of, kept, years)

    # --- OpenAlex ------------------------------------------------------------------------

    def _openalex(self, wanted: str) -> Iterator[w.Work]:
        cursor, count = "*", 0
        while cursor and count < w.MAX_WORKS:
            params = {"filter": f"author.id:{wanted}", "sort": "publication_date:desc",
                      "per-page": str(PAGE), "cursor": cursor, "select": _OA_FIELDS}
            data = self._page(wanted, "/works", params)
            results = data.get("results")
            if not isinstance(results, list):
                raise self._shape(wanted, "no results list")
            for item in results:
                if isinstance(item, dict) and (work := _openalex_work(item)) is not None:
                    count += 1
                    yield work
            meta = data.get("meta")
            nxt = meta.get("next_cursor") if isinstance(meta, dict) else None
            cursor = nxt if isinstance(nxt, str) and results else ""

    def _openalex_years(self, wanted: str) -> list[tuple[int, int]]:
        data = self._page(wanted, f"/authors/{wanted}", {"select": "id,counts_by_year"})
        years = data.get("counts_by_year")
        if not isinstance(years, list):
            raise self._shape(wanted, "no counts_by_year list")
        out = []
        for item in years:
            year = _count(item.get("year")) if isinstance(item, dict) else None
            cited = _count(item.get("cited_by_count")) if isinstance(item, dict) else None
            if year is not None and cited is not None:
                out.append((year, cited))
        return out

    # --- Semantic Scholar ----------------------------------------------------------------

    def _s2(self, wanted: str) -> Iterator[w.Work]:
        offset: int | None = 0
        for _ in range(S2_MAX_PAGES):
            if offset is None:
                return
            params = {"fields": _S2_FIELDS, "limit": str(PAGE), "offset": str(offset)}
            data = self._page(wanted, f"/author/{wanted}/papers", params)
            items = data.get("data")
            if not isinstance(items, list):
                raise self._shape(wanted, "no data list")
            for item in items:
                if isinstance(item, dict) and (work := _s2_work(item)) is not None:
                    yield work
            nxt = _count(data.get("next"))
            offset = nxt if nxt is not None and items and nxt > offset else None

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
    return w.Work(title=title, date=_date(item.get("publication_date")), venue=venue or None,
                  arxiv=arxiv, doi=None if arxiv is not None and doi and
                  doi.lower().startswith(_ARXIV_DOI) else doi,
                  citations=_count(item.get("cited_by_count")))


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
    return w.Work(title=title, date=_date(item.get("publicationDate")), venue=venue or None,
                  arxiv=arxiv, doi=_doi(ids.get("DOI")),
                  citations=_count(item.get("citationCount")))


def _readable(work: w.Work, source: str, as_of: dt.date) -> w.Work | None:
    """The work as a works file keeps it: whole if it passes ``parse_works``, else without
    its DOI, venue and code (a bad DOI must not lose the work), else ``None``."""
    for candidate in (work, replace(work, doi=None, venue=None, code=None)):
        try:  # dump_works reads its own text back and refuses what would not pass
            w.dump_works(w.WorksFile(source, as_of, (candidate,)))
        except ValueError:
            continue
        return candidate
    return None


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
