"""The arXiv API client: paper metadata by id, fetched politely.

This module sits at the edge of the one-way flow: only the CLI calls it, and the site build
never does. The ``httpx.Client`` is passed in, so tests replay recorded answers through
``httpx.MockTransport``; the clock and the sleep are passed in too, so the three-second
spacing arXiv asks for can be checked without waiting. Spacing, retries, time and size
limits are ``http.PoliteClient``'s; this module knows arXiv's answers.

arXiv's terms: at most one request every three seconds, one connection at a time, and a
User-Agent that says who is asking. Errors come back as Atom too (HTTP 400 with an entry
whose summary says what was wrong), and an unknown id is an empty feed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from ..content.ids import ArxivId, parse_arxiv_id
from ..content.ids import abs_url as _abs_url
from ..content.ids import pdf_url as _pdf_url
from ..errors import ArxivError
from . import http
from .connection import is_web_url
from .http import Deadline, HttpFailure, Limits, Reply, Timing

DEFAULT_API = "https://export.arxiv.org/api/query"
API_ENV = "PAPERDIGEST_ARXIV_API"

BATCH_SIZE = 100
"""Ids per request in ``fetch_many``; arXiv's own examples keep ``id_list`` this short."""
MAX_WAIT = 120.0
"""Longest pause, in seconds, before a retry; a longer ``Retry-After`` ends the attempt."""
BACKOFF = 3.0
"""First pause after a failed attempt; it doubles with each further failure."""
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_ATOM = "http://www.w3.org/2005/Atom"
_NS = {"atom": _ATOM, "arxiv": "http://arxiv.org/schemas/atom"}
_ID_HINT = "expected e.g. 2503.04504 or hep-th/9901001"
_BAD_ID = re.compile(r"incorrect id format for (\S+)")
# Entity and DOCTYPE declarations are the door to entity-expansion attacks; arXiv never
# sends them, so a feed that has one is refused before the parser sees it.
_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class ArxivRecord:
    """One paper as the arXiv API describes it."""

    id: ArxivId
    """The id with the version the API returned (the latest one unless a version was asked)."""
    title: str
    """Title on one line: newlines and runs of spaces become single spaces."""
    abstract: str
    """Abstract as one paragraph, whitespace normalised like the title."""
    authors: tuple[str, ...]
    """Author names in the order arXiv lists them."""
    published: dt.date
    """Date of version 1."""
    updated: dt.date
    """Date of the returned version (equal to ``published`` for v1)."""
    primary_category: str
    """The primary category, e.g. ``cs.CV`` or ``hep-th``."""
    categories: tuple[str, ...]
    """Every category, the primary one included, without duplicates."""
    comment: str | None
    """The authors' comment (pages, figures, venue), if any."""
    doi: str | None
    """DOI of the published version, if the authors gave one."""
    journal_ref: str | None
    """Journal reference, if the authors gave one."""
    affiliations: tuple[str, ...] = ()
    """The authors' institutions as arXiv lists them (``arxiv:affiliation`` of each author,
    in author order, without repeats); empty when arXiv gives none, as for most papers."""

    @property
    def abs_url(self) -> str:
        """The abstract page; built from the id, never from the feed's links."""
        return _abs_url(self.id)

    @property
    def pdf_url(self) -> str:
        """The PDF; built from the id, because the feed's link titles have changed before."""
        return _pdf_url(self.id)


def api_url_from_env(explicit: str | None = None) -> str:
    """The API address: ``explicit`` (a command-line option), else ``$PAPERDIGEST_ARXIV_API``,
    else the public arXiv API."""
    if explicit and explicit.strip():
        return _checked_url(explicit.strip(), f"the arXiv API address '{explicit.strip()}'")
    from_env = os.environ.get(API_ENV, "").strip()
    if from_env:
        return _checked_url(from_env, f"{API_ENV}='{from_env}'")
    return DEFAULT_API


def _checked_url(url: str, described: str) -> str:
    if not is_web_url(url):
        raise ArxivError(f"{described} is not an http(s) URL; give one like {DEFAULT_API}")
    return url


def user_agent(mailto: str | None = None) -> str:
    """The User-Agent arXiv asks for: who is calling and where to find them."""
    return http.user_agent(f"mailto:{mailto}" if mailto else "")


USER_AGENT = user_agent()
"""The User-Agent sent when no contact address is given."""


def make_client(*, timeout: float = 30.0, mailto: str | None = None,
                transport: httpx.BaseTransport | None = None,
                factory: http.ClientFactory = http.make_client) -> httpx.Client:
    """An ``httpx.Client`` set up for arXiv: one connection, a timeout, a descriptive UA.

    export.arxiv.org has moved between http and https before; ``ArxivClient`` follows such
    moves (on the same host only).
    """
    options: dict[str, object] = {"user_agent": user_agent(mailto), "timeout": timeout,
                                  "max_connections": 1}
    if transport is not None:
        options["transport"] = transport
    return factory(**options)


def connect(online: http.Online, api: str | None = None) -> tuple[httpx.Client, ArxivClient]:
    """The connection and the client for one command (``api``: the ``--arxiv-api`` option);
    close the connection when the command ends."""
    url = api_url_from_env(api)
    client = online.client(user_agent=USER_AGENT, timeout=30.0, max_connections=1)
    return client, ArxivClient(client, api_url=url, **online.settings())


class ArxivClient:
    """Fetches records from the arXiv API, one request per ``min_interval`` seconds."""

    def __init__(self, client: httpx.Client, *, api_url: str = DEFAULT_API,
                 min_interval: float = 3.0, max_retries: int = 4,
                 sleep: Callable[[float], object] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 timing: Timing | None = None, limits: Limits | None = None,
                 deadline: Deadline | None = None,
                 notify: Callable[[str], None] | None = None) -> None:
        self.api_url = api_url
        self.min_interval = min_interval
        self.max_retries = max(0, max_retries)
        self._http = http.PoliteClient(
            client, name=f"the arXiv API at {api_url}", min_interval=min_interval,
            max_retries=self.max_retries, backoff=BACKOFF, max_wait=MAX_WAIT,
            timing=timing or Timing(clock=clock, sleep=sleep), limits=limits,
            deadline=deadline, notify=notify, env=API_ENV)
        # A bare httpx.Client announces itself as python-httpx; arXiv wants to know who calls.
        default_ua = client.headers.get("user-agent", "").startswith("python-httpx/")
        self._headers = {"User-Agent": user_agent()} if default_ua else {}

    def fetch(self, arxiv_id: ArxivId) -> ArxivRecord:
        """The record of one paper; the version asked for, or the latest one."""
        response = self._get([arxiv_id])
        for record in self._records([arxiv_id], response):
            if record.id.base == arxiv_id.base and arxiv_id.version in (None, record.id.version):
                return record
        raise ArxivError(f"arXiv has no paper with id '{arxiv_id}': check the id")

    def fetch_many(self, ids: Sequence[ArxivId]) -> dict[str, ArxivRecord]:
        """Records keyed by base id (``2503.04504``, ``hep-th/9901001``).

        Ids arXiv does not know are simply absent from the result. Requests go out in
        batches of ``BATCH_SIZE`` ids, still one every ``min_interval`` seconds.
        """
        unique = list(dict.fromkeys(ids))
        found: dict[str, ArxivRecord] = {}
        for start in range(0, len(unique), BATCH_SIZE):
            batch = unique[start:start + BATCH_SIZE]
            for record in self._records(batch, self._get(batch)):
                found[record.id.base] = record
        return found

    def _get(self, ids: Sequence[ArxivId]) -> Reply:
        """GET the feed for ``ids``, retrying what may pass; other answers are returned."""
        params = {"id_list": ",".join(i.full for i in ids), "max_results": str(len(ids))}
        try:
            return self._http.get(self.api_url, params=params, headers=self._headers,
                                  retryable=RETRY_STATUSES.__contains__)
        except HttpFailure as exc:
            raise ArxivError(self._failure(exc, ids)) from exc.error or exc

    def _failure(self, exc: HttpFailure, ids: Sequence[ArxivId]) -> str:
        if exc.kind == "unreachable":
            return str(exc)
        if exc.kind in ("transport", "unsupported") and exc.error is not None:
            return self._unreachable(exc.error, exc.attempts)
        if exc.kind == "wait" and exc.reply is not None:
            return (f"the arXiv API at {self.api_url} asked to wait {exc.wait:.0f} s before "
                    f"the next request ({exc.reply.status_line}) for {_show(ids)}; try again "
                    "after that")
        if exc.kind == "status" and exc.reply is not None:
            return (f"the arXiv API at {self.api_url} still answered {exc.reply.status_line} "
                    f"after {_attempts(exc.attempts)} for {_show(ids)}; arXiv is busy or "
                    "down, try again in a few minutes")
        return f"the arXiv API at {self.api_url} {exc.reason} for {_show(ids)}: {exc.fix}"

    def _unreachable(self, exc: Exception, attempts: int) -> str:
        reason = str(exc) or type(exc).__name__
        return (f"could not reach the arXiv API at {self.api_url}: {reason} "
                f"({_attempts(attempts)}); "
                f"check your connection or set {API_ENV}")

    def _records(self, ids: Sequence[ArxivId], response: Reply) -> list[ArxivRecord]:
        """Turn a final answer into records, or into the error it stands for."""
        status = response.status
        if status not in (200, 400):
            raise ArxivError(
                f"the arXiv API at {self.api_url} answered {response.status_line} for "
                f"{_show(ids)}; check that address ({API_ENV} sets it) or try again later")
        try:
            records, errors = _parse(response.content)
        except ArxivError as exc:
            if status == 400:
                raise ArxivError(f"arXiv rejected the request for {_show(ids)} (HTTP 400) "
                                 "without saying why") from exc
            raise ArxivError(f"{exc} (asked for {_show(ids)} at {self.api_url})") from exc
        for message in errors:
            bad = _BAD_ID.search(message)
            if bad:
                raise ArxivError(f"arXiv rejected the id '{bad[1]}': incorrect id format "
                                 f"({_ID_HINT})")
        if status == 400:
            detail = errors[0] if errors else "no reason given"
            raise ArxivError(f"arXiv rejected the request for {_show(ids)}: {detail}")
        # An error entry in a 200 answer means arXiv could not give that paper: leave it out,
        # as the empty feed does for an unknown id.
        return records


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


def _show(ids: Sequence[ArxivId]) -> str:
    shown = ", ".join(f"'{i}'" for i in ids[:3])
    return shown if len(ids) <= 3 else f"{shown} and {len(ids) - 3} more"


def parse_feed(xml: bytes) -> list[ArxivRecord]:
    """The records of an arXiv API Atom feed; ``ArxivError`` for anything else."""
    records, errors = _parse(xml)
    if errors:
        raise ArxivError(f"the arXiv API answered with an error: {errors[0]}")
    return records


def _parse(xml: bytes) -> tuple[list[ArxivRecord], list[str]]:
    """Records and the summaries of error entries (arXiv reports errors as entries)."""
    try:
        text = xml.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArxivError("the arXiv API answered with malformed XML: it is not UTF-8 "
                         f"(byte {exc.start})") from exc
    if _DECLARATION.search(text):
        raise ArxivError("the arXiv API answered with XML that declares a DOCTYPE or "
                         "entities; refusing to read it")
    try:
        # Parsing the decoded text makes expat ignore any encoding the declaration claims.
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ArxivError(f"the arXiv API answered with malformed XML: {exc}") from exc
    except ValueError as exc:  # e.g. a declaration naming an encoding pyexpat cannot use
        raise ArxivError(f"the arXiv API answered with malformed XML: {exc}") from exc
    if root.tag != f"{{{_ATOM}}}feed":
        raise ArxivError("the arXiv API answered with XML that is not an Atom feed "
                         f"(its root element is <{root.tag}>)")
    records: list[ArxivRecord] = []
    errors: list[str] = []
    for entry in root.iterfind("atom:entry", _NS):
        raw_id = _text(entry.find("atom:id", _NS))
        if "/api/errors" in raw_id:
            errors.append(_text(entry.find("atom:summary", _NS)) or raw_id)
        else:
            records.append(_record(entry, raw_id))
    return records, errors


def _record(entry: ET.Element, raw_id: str) -> ArxivRecord:
    if not raw_id:
        raise ArxivError("the arXiv API answered with an entry that has no <id>; the API's "
                         "format may have changed")
    arxiv_id = parse_arxiv_id(raw_id)
    if arxiv_id is None:
        raise ArxivError(f"the arXiv API answered with an entry whose id '{raw_id[:80]}' is "
                         "not an arXiv id")

    def missing(what: str) -> ArxivError:
        return ArxivError(f"the arXiv API answered with an entry for '{arxiv_id}' that has no "
                          f"{what}; the API's format may have changed")

    title = _text(entry.find("atom:title", _NS))
    if not title:
        raise missing("title")
    published = _date(entry, "published", arxiv_id)
    if published is None:
        raise missing("<published> date")
    categories = [term for c in entry.iterfind("atom:category", _NS)
                  if (term := " ".join(c.get("term", "").split()))]
    primary_el = entry.find("arxiv:primary_category", _NS)
    primary = " ".join(primary_el.get("term", "").split()) if primary_el is not None else ""
    primary = primary or (categories[0] if categories else "")
    if not primary:
        raise missing("category")
    return ArxivRecord(
        id=arxiv_id,
        title=title,
        abstract=_text(entry.find("atom:summary", _NS)),
        authors=tuple(name for a in entry.iterfind("atom:author", _NS)
                      if (name := _text(a.find("atom:name", _NS)))),
        published=published,
        updated=_date(entry, "updated", arxiv_id) or published,
        primary_category=primary,
        categories=tuple(dict.fromkeys([primary, *categories])),
        comment=_text(entry.find("arxiv:comment", _NS)) or None,
        doi=_text(entry.find("arxiv:doi", _NS)) or None,
        journal_ref=_text(entry.find("arxiv:journal_ref", _NS)) or None,
        affiliations=tuple(dict.fromkeys(
            place for author in entry.iterfind("atom:author", _NS)
            for element in author.iterfind("arxiv:affiliation", _NS)
            if (place := _text(element)))),
    )


def _text(element: ET.Element | None) -> str:
    """All text inside ``element`` on one line (arXiv wraps titles and abstracts)."""
    return "" if element is None else " ".join("".join(element.itertext()).split())


def _date(entry: ET.Element, tag: str, arxiv_id: ArxivId) -> dt.date | None:
    value = _text(entry.find(f"atom:{tag}", _NS))
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ArxivError(f"the arXiv API answered with an entry for '{arxiv_id}' whose "
                         f"<{tag}> date '{value[:40]}' cannot be read") from exc
