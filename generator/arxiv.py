"""The arXiv API client (network at the edge; the ``httpx.Client`` is passed in).

arXiv's terms: at most one request every 3 seconds, one connection at a time, and a
descriptive User-Agent. Answers are Atom feeds, parsed here with the standard library.
Errors come out as ``ArxivError`` with a message that names the id and the fix.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from . import __version__
from .errors import ArxivError
from .ids import ArxivId, abs_url, parse_arxiv_id, pdf_url

DEFAULT_API = "https://export.arxiv.org/api/query"
API_ENV = "PAPERDIGEST_ARXIV_API"
USER_AGENT = f"paperdigest/{__version__} (research-paper digest site generator)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}


@dataclass(frozen=True)
class ArxivRecord:
    """What arXiv says about one paper."""

    id: ArxivId
    title: str
    abstract: str
    authors: tuple[str, ...]
    published: dt.date
    """Date of version 1."""
    updated: dt.date
    primary_category: str
    categories: tuple[str, ...] = ()
    comment: str | None = None
    doi: str | None = None
    journal_ref: str | None = None

    @property
    def abs_url(self) -> str:
        return abs_url(self.id)

    @property
    def pdf_url(self) -> str:
        return pdf_url(self.id)


def api_url_from_env(explicit: str | None = None) -> str:
    """The API URL: the option, else ``$PAPERDIGEST_ARXIV_API``, else arXiv's."""
    return explicit or os.environ.get(API_ENV) or DEFAULT_API


def make_client(*, timeout: float = 30.0) -> httpx.Client:
    """An HTTP client that follows arXiv's terms: one connection, a descriptive agent."""
    return httpx.Client(
        timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=True,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )


def _text(node: ET.Element | None) -> str | None:
    if node is None or node.text is None:
        return None
    return " ".join(node.text.split()) or None


def _date(value: str | None, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "")[:10])
    except ValueError:
        raise ArxivError(f"the arXiv answer has no valid {what} date ({value!r})") from None


def parse_feed(xml: bytes) -> list[ArxivRecord]:
    """The entries of an arXiv API Atom feed.

    Raises:
        ArxivError: the feed is not well-formed, declares a DTD, or an entry is incomplete.
    """
    if b"<!DOCTYPE" in xml[:2048].upper() or b"<!ENTITY" in xml.upper():
        raise ArxivError("the arXiv answer declares a DTD or entities; refusing to parse it")
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise ArxivError(f"the arXiv answer is not valid XML ({exc})") from None
    records = []
    for entry in root.findall("atom:entry", _NS):
        raw_id = _text(entry.find("atom:id", _NS)) or ""
        arxiv = parse_arxiv_id(raw_id)
        if arxiv is None:  # arXiv reports errors as an entry whose id is an error URL
            continue
        title = _text(entry.find("atom:title", _NS))
        primary = entry.find("arxiv:primary_category", _NS)
        if not title or primary is None:
            raise ArxivError(f"the arXiv entry for {arxiv} has no title or category")
        records.append(ArxivRecord(
            id=arxiv,
            title=title,
            abstract=_text(entry.find("atom:summary", _NS)) or "",
            authors=tuple(n for a in entry.findall("atom:author", _NS)
                          if (n := _text(a.find("atom:name", _NS)))),
            published=_date(_text(entry.find("atom:published", _NS)), "published"),
            updated=_date(_text(entry.find("atom:updated", _NS)), "updated"),
            primary_category=primary.get("term", ""),
            categories=tuple(c.get("term", "") for c in entry.findall("atom:category", _NS)),
            comment=_text(entry.find("arxiv:comment", _NS)),
            doi=_text(entry.find("arxiv:doi", _NS)),
            journal_ref=_text(entry.find("arxiv:journal_ref", _NS)),
        ))
    return records


def _error_summary(xml: bytes) -> str | None:
    """The message arXiv puts in the summary of its error entry (400 answers)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return None
    entry = root.find("atom:entry", _NS)
    return None if entry is None else _text(entry.find("atom:summary", _NS))


def _retry_after(response: httpx.Response, now: float) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    when = email.utils.parsedate_to_datetime(value)
    if when is None:
        return None
    delay = when.timestamp() - time.time()
    return min(max(delay, 0.0), MAX_RETRY_AFTER)


class ArxivClient:
    """Rate-limited, retrying access to the arXiv API."""

    def __init__(self, client: httpx.Client, *, api_url: str = DEFAULT_API,
                 min_interval: float = 3.0, max_retries: int = 4,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.api_url = api_url
        self.min_interval = min_interval
        self.max_retries = max_retries
        self.sleep = sleep
        self.clock = clock
        self._last: float | None = None

    def _wait_turn(self) -> None:
        if self._last is not None:
            wait = self._last + self.min_interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def _get(self, params: dict[str, str], what: str) -> bytes:
        last = "no answer"
        for attempt in range(self.max_retries + 1):
            self._wait_turn()
            try:
                response = self.client.get(self.api_url, params=params)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
                if attempt == self.max_retries:
                    raise ArxivError(
                        f"could not reach the arXiv API at {self.api_url} ({last}); check your "
                        f"connection or set {API_ENV}") from None
                self.sleep(min(2.0 ** attempt * self.min_interval, MAX_RETRY_AFTER))
                continue
            if response.status_code == 400:
                detail = _error_summary(response.content) or "bad request"
                raise ArxivError(f"arXiv rejected the id {what}: {detail} (expected e.g. "
                                 "2503.04504 or hep-th/9901001)")
            if response.status_code in RETRY_STATUSES:
                last = f"HTTP {response.status_code}"
                if attempt == self.max_retries:
                    break
                delay = _retry_after(response, self.clock())
                self.sleep(delay if delay is not None else
                           min(2.0 ** attempt * self.min_interval, MAX_RETRY_AFTER))
                continue
            if response.status_code != 200:
                raise ArxivError(f"the arXiv API answered HTTP {response.status_code} for {what}")
            return response.content
        raise ArxivError(f"the arXiv API did not answer for {what} after "
                         f"{self.max_retries + 1} attempts (last: {last}); try again later")

    def fetch(self, arxiv_id: ArxivId) -> ArxivRecord:
        """The record of one paper (the requested version when the id names one)."""
        xml = self._get({"id_list": arxiv_id.full, "max_results": "1"}, f"'{arxiv_id}'")
        for record in parse_feed(xml):
            if record.id.base == arxiv_id.base:
                return record
        raise ArxivError(f"arXiv has no paper with id '{arxiv_id}': check the id")

    def fetch_many(self, ids: Sequence[ArxivId]) -> dict[str, ArxivRecord]:
        """Records by id (without version), asking for up to 100 ids per request."""
        found: dict[str, ArxivRecord] = {}
        for start in range(0, len(ids), 100):
            batch = ids[start:start + 100]
            xml = self._get({"id_list": ",".join(i.full for i in batch),
                             "max_results": str(len(batch))},
                            ", ".join(f"'{i}'" for i in batch[:3]) + (" …" if len(batch) > 3
                                                                       else ""))
            for record in parse_feed(xml):
                found[record.id.base] = record
        return found


